package org.gpuattest.attestor.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.gpuattest.attestor.Backends;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.AtomicFiles;

/**
 * The attestor's config file (testdata/schemas/attestor-config.schema.json): settings an
 * operator would otherwise repeat on every prover command line, above all the validators this
 * prover trusts. Every field but {@code version} is optional; the command line overrides each
 * one. Paths are as written in the file; {@link #resolve} makes them relative to its folder.
 * A field given as null is refused, as the schema does: leave it out instead.
 *
 * @param validatorKeys public key files of the trusted validators (docs/protocol.md §6)
 * @param signingKey this prover's private key file, as --signing-key
 * @param state the prover state folder, as --state
 * @param backend auto, cuda or cpu, as --backend
 * @param devices device ordinals, as --devices
 * @param productKernel auto, ffma, dmma or dmma-wide, as --product-kernel
 */
record AttestorConfig(
    @JsonProperty(required = true) int version,
    List<String> validatorKeys,
    String signingKey,
    String state,
    String backend,
    List<Integer> devices,
    String productKernel) {
  /** A config file is a few lines; anything larger is not one. */
  static final int MAX_BYTES = 64 * 1024;
  static final String BACKENDS = "auto, cuda or cpu";

  AttestorConfig {
    Limits.version("attestor config", version);
    if (validatorKeys != null) {
      if (validatorKeys.isEmpty()) {
        throw new IllegalArgumentException("validatorKeys is empty; list at least one public"
            + " key file, or leave the field out to answer any validator");
      }
      Limits.range("validatorKeys (count)", validatorKeys.size(), 1, Limits.MAX_DEVICES);
      for (int i = 0; i < validatorKeys.size(); i++) {
        path("validatorKeys[" + i + "]", validatorKeys.get(i));
      }
      validatorKeys = List.copyOf(validatorKeys);
    }
    path("signingKey", signingKey);
    path("state", state);
    if (backend != null && choice(backend) == null) {
      throw new IllegalArgumentException("backend must be " + BACKENDS + ", got '"
          + Limits.text("backend", backend) + "'");
    }
    if (devices != null) {
      Limits.range("devices (count)", devices.size(), 1, Limits.MAX_DEVICES);
      for (int i = 0; i < devices.size(); i++) {
        Integer d = Limits.required("devices[" + i + "]", devices.get(i));
        if (d < 0) {
          throw new IllegalArgumentException("devices[" + i + "] must not be negative, got " + d);
        }
      }
      devices = List.copyOf(devices);
    }
    if (productKernel != null && Backends.ProductKernelChoice.parse(productKernel).isEmpty()) {
      throw new IllegalArgumentException("productKernel must be "
          + Backends.ProductKernelChoice.SPELLINGS + ", got '"
          + Limits.text("productKernel", productKernel) + "'");
    }
  }

  /** The file read when --config is not given, if it exists. */
  static Path defaultPath() {
    return AtomicFiles.home().resolve("attestor").resolve("config.json");
  }

  /**
   * Reads and checks a config file, with its paths resolved against its folder.
   *
   * @param option "--config", or "" for the default file, in refusals about the file itself
   * @throws BadMessageException the file is missing, unreadable, too large, not JSON, or a field
   *     is unknown or bad: one line naming the file and the field
   */
  static AttestorConfig load(String option, Path file) throws BadMessageException {
    String what = (option.isEmpty() ? "config file " : option + ": ") + file;
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new BadMessageException(what + ": is a folder, not a config file");
      }
      if (!Files.isRegularFile(file)) {
        throw new BadMessageException(what + ": no such file");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new BadMessageException(what + ": larger than " + MAX_BYTES + " bytes, too large"
            + " for a config file");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read it (" + AtomicFiles.describe(e) + ")");
    }
    AttestorConfig c = Json.read(what, bytes, AttestorConfig.class);
    // Jackson reads "state": null as no state; the schema refuses it, and so does this.
    Set<String> given = Json.topLevelFieldNames(bytes);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("validatorKeys", c.validatorKeys());
    values.put("signingKey", c.signingKey());
    values.put("state", c.state());
    values.put("backend", c.backend());
    values.put("devices", c.devices());
    values.put("productKernel", c.productKernel());
    for (Map.Entry<String, Object> v : values.entrySet()) {
      if (v.getValue() == null && given.contains(v.getKey())) {
        throw new BadMessageException(what + ": field '" + v.getKey() + "' is null; leave it"
            + " out instead");
      }
    }
    return c.resolve(file.toAbsolutePath().getParent());
  }

  /** This config with every relative path taken as relative to {@code folder}. */
  AttestorConfig resolve(Path folder) {
    List<String> keys = null;
    if (validatorKeys != null) {
      keys = new ArrayList<>();
      for (String k : validatorKeys) {
        keys.add(folder.resolve(k).toString());
      }
    }
    return new AttestorConfig(version, keys, resolve(folder, signingKey),
        resolve(folder, state), backend, devices, productKernel);
  }

  @JsonIgnore
  List<Path> validatorKeyPaths() {
    return validatorKeys == null ? List.of() : validatorKeys.stream().map(Path::of).toList();
  }

  @JsonIgnore
  Path signingKeyPath() {
    return signingKey == null ? null : Path.of(signingKey);
  }

  @JsonIgnore
  Path statePath() {
    return state == null ? null : Path.of(state);
  }

  @JsonIgnore
  Backends.Choice backendChoice() {
    return backend == null ? null : choice(backend);
  }

  @JsonIgnore
  Backends.ProductKernelChoice productKernelChoice() {
    return productKernel == null ? null
        : Backends.ProductKernelChoice.parse(productKernel).orElseThrow();
  }

  private static String resolve(Path folder, String path) {
    return path == null ? null : folder.resolve(path).toString();
  }

  /** The choice a backend name names, as --backend spells it; null for none. */
  private static Backends.Choice choice(String name) {
    for (Backends.Choice c : Backends.Choice.values()) {
      if (c.name().toLowerCase(Locale.ROOT).equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** A path field: absent, or a non-blank path with no NUL; IllegalArgumentException naming it. */
  private static void path(String field, String value) {
    if (value == null) {
      return;
    }
    Limits.text(field, value);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " is empty");
    }
    try {
      Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException(field + " is not a path on this system");
    }
  }
}
