package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.Prover;
import org.gpuattest.attestor.TrustedValidators;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaBackend;
import org.gpuattest.kernels.cuda.ForcedKernelException;

/**
 * What 'prove' and 'open' run with, each setting taken from the subcommand's option, else the
 * same option before the subcommand, else the config file (--config, or the default file when
 * it exists), else the built-in default. The config is read here, so only the commands that
 * use it read it; --help and --version never do.
 *
 * @param signingKey this prover's private key file, or null for a fresh key
 * @param signingKeySource where {@code signingKey} came from, for refusals
 * @param state the prover state folder
 * @param backend the compute backend
 * @param devices device ordinals, or empty for the first G
 * @param devicesSource where {@code devices} came from, for refusals
 * @param validatorKeys the trusted validators' public key files, or empty for any validator
 * @param validatorKeySource where {@code validatorKeys} came from, for refusals
 * @param productKernel the product kernel CUDA devices run: auto, or one forced
 * @param productKernelSource where a forced {@code productKernel} came from, for refusals
 */
record ProverSettings(Path signingKey, String signingKeySource, Path state, Backends.Choice backend,
    List<Integer> devices, String devicesSource, List<Path> validatorKeys,
    String validatorKeySource, Backends.ProductKernelChoice productKernel,
    String productKernelSource) {
  static final String VALIDATOR_KEY = "--validator-key";

  /** The subcommand's own options; null or empty where not given. */
  record Own(Path signingKey, Path state, Backends.Choice backend, List<Integer> devices,
      List<Path> validatorKeys) {}

  /**
   * @throws BadMessageException the config file is bad, or --config names none
   */
  static ProverSettings resolve(AttestorCli root, Own own) throws BadMessageException {
    AttestorConfig c = config(root);
    Path signingKey = first(own.signingKey(), root.signingKey, c == null ? null
        : c.signingKeyPath());
    String signingKeySource = own.signingKey() != null || root.signingKey != null
        ? "--signing-key" : "signingKey in " + root.configFile();
    Path state = StateOption.orDefault(first(own.state(), root.state, c == null ? null
        : c.statePath()));
    Backends.Choice backend = first(own.backend(), root.backend, c == null ? null
        : c.backendChoice());
    List<Integer> devices = firstList(own.devices(), root.devices,
        c == null || c.devices() == null ? List.of() : c.devices());
    String devicesSource = !own.devices().isEmpty() || root.devices != null
        && !root.devices.isEmpty() ? "--devices" : "devices in " + root.configFile();
    List<Path> keys;
    String source;
    if (!own.validatorKeys().isEmpty() || root.validatorKeys != null
        && !root.validatorKeys.isEmpty()) {
      keys = firstList(own.validatorKeys(), root.validatorKeys, List.of());
      source = VALIDATOR_KEY;
    } else {
      keys = c == null ? List.of() : c.validatorKeyPaths();
      source = "validatorKeys in " + root.configFile();
    }
    Backends.ProductKernelChoice kernel = first(null, root.productKernel, c == null ? null
        : c.productKernelChoice());
    String kernelSource = root.productKernel != null
        ? "--product-kernel " + root.productKernel.spelling()
        : kernel == null ? "" : "productKernel '" + kernel.spelling() + "' in " + root.configFile();
    return new ProverSettings(signingKey, signingKeySource, state,
        backend == null ? Backends.Choice.AUTO : backend, devices, devicesSource, keys, source,
        kernel == null ? Backends.ProductKernelChoice.AUTO : kernel, kernelSource);
  }

  /** The backend these settings name, with the product kernel forced where one is. */
  Backend backend(PrintWriter progress, Backends.CudaOpener cuda)
      throws BackendException, BadMessageException {
    return forceProductKernel(Backends.select(backend, progress, cuda));
  }

  /**
   * {@code b} with the forced product kernel, if any: only a CUDA backend has one to force.
   *
   * @throws BadMessageException a kernel is forced on the CPU backend (exit 2)
   */
  Backend forceProductKernel(Backend b) throws BadMessageException {
    if (productKernel == Backends.ProductKernelChoice.AUTO) {
      return b;
    }
    if (b instanceof CudaBackend cuda) {
      return cuda.withProductKernel(productKernel.kernel());
    }
    throw new BadMessageException(productKernelSource + ": the " + b.name() + " backend runs"
        + " no GPU product kernel; a kernel can be forced on the cuda backend only");
  }

  /**
   * A forced product kernel that cannot run here, as bad usage (exit 2), as --devices naming
   * a device that is not there is: the setting asks what this host cannot do, and auto would
   * run; the tool and the GPU have not failed.
   */
  BadMessageException refusal(ForcedKernelException e) {
    return new BadMessageException(productKernelSource + ": " + e.getMessage() + "; set it to"
        + " auto to let the attestor choose");
  }

  /**
   * Devices that do not fit the challenge or this host, as bad usage (exit 2), naming where
   * they were chosen: --devices, or the config file's devices.
   */
  BadMessageException refusal(Prover.DeviceChoiceException e) {
    return new BadMessageException(devicesSource + ": " + e.getMessage());
  }

  /**
   * The trusted validators' keys, read and checked: the first thing 'prove' does, so a bad key
   * file is refused before any work (docs/protocol.md §6).
   */
  TrustedValidators trustedValidators() throws BadMessageException {
    return TrustedValidators.load(validatorKeySource, validatorKeys);
  }

  /** One line on stderr when any validator is answered, so an operator sees the choice. */
  static void noteAnyValidator(TrustedValidators trusted, PrintWriter err) {
    if (trusted.trustsAny()) {
      err.println("attestor: this prover answers any validator's challenge (no --validator-key"
          + " given; see 'validator keygen')");
      err.flush();
    }
  }

  /** The config in effect: --config (which must exist), else the default file if it exists. */
  private static AttestorConfig config(AttestorCli root) throws BadMessageException {
    if (root.config != null) {
      return AttestorConfig.load("--config", root.config);
    }
    Path file = root.configFile();
    return Files.exists(file) ? AttestorConfig.load("", file) : null;
  }

  private static <T> T first(T own, T root, T config) {
    return own != null ? own : root != null ? root : config;
  }

  private static <T> List<T> firstList(List<T> own, List<T> root, List<T> config) {
    return !own.isEmpty() ? own : root != null && !root.isEmpty() ? root : config;
  }
}
