package org.gpuattest.attestor.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.gpuattest.common.cli.CliRunner;
import org.gpuattest.common.cli.ToolVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The prover's command line: a thin shell over {@code org.gpuattest.attestor}. */
@Command(
    name = "attestor",
    mixinStandardHelpOptions = true,
    scope = picocli.CommandLine.ScopeType.INHERIT,
    versionProvider = AttestorCli.Version.class,
    description = "Proves GPU work for a validator's challenge: exact FP64 matrix products,"
        + " committed in SHA-256 Merkle trees, opened on request.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        AttestorCli.EXIT_OK,
        "1:selftest: a GPU root differs from the CPU backend's",
        AttestorCli.EXIT_BAD_INPUT,
        AttestorCli.EXIT_RUNTIME})
public final class AttestorCli implements Runnable {
  /*
   * The exit codes each subcommand lists in its --help. Each lists its own, or it would inherit
   * the root's, with 1, which only selftest returns (SelftestCommand lists its meaning there).
   */
  static final String EXIT_OK = "0:success";
  static final String EXIT_BAD_INPUT = "2:bad usage or bad input (one line on stderr names what)";
  static final String EXIT_RUNTIME =
      "3:runtime failure (device, I/O, standard input closed under --watch-stdin)";

  /**
   * The subcommands, in the order 'attestor --help' lists them. They are added by {@link
   * #tree} rather than named in {@code @Command}: picocli builds the model of every subcommand
   * it is given, by reflection, before it parses a word, and a run needs only the one it names.
   */
  static final List<String> SUBCOMMANDS = List.of("devices", "prove", "open", "keygen",
      "selftest", "bench", "prune");

  /** --version: this build's version, from the pom ({@link ToolVersion}). */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {ToolVersion.line("attestor")};
    }
  }

  @Option(names = "--debug", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Print stack traces on errors.")
  boolean debug;

  // Also accepted before the subcommand, so a prover command line given to
  // 'validator attest --prover CMD' (which appends 'prove ...' or 'open ...') can carry them.
  @Option(names = "--state", paramLabel = "DIR",
      description = "Prover state folder, for 'prove' and 'open' (see 'attestor prove --help').")
  java.nio.file.Path state;

  @Option(names = "--signing-key", paramLabel = "FILE",
      description = "This prover's Ed25519 private key (PEM), for 'prove'.")
  java.nio.file.Path signingKey;

  @Option(names = "--backend", paramLabel = "auto|cuda|cpu",
      description = "Compute backend for 'prove' (default: auto).")
  org.gpuattest.attestor.Backends.Choice backend;

  @Option(names = "--product-kernel", paramLabel = "auto|ffma|dmma|dmma-wide",
      converter = ProductKernelConverter.class,
      description = "The product kernel CUDA devices run in 'prove' and 'open' (default: auto,"
          + " the fastest whose start-up probe gives the CPU's bits, else FFMA). Any other"
          + " forces that kernel, with no fallback: where it cannot run (an older GPU, n not a"
          + " multiple of its tile, its probe differs or faults) the attestor stops, exit 2.")
  org.gpuattest.attestor.Backends.ProductKernelChoice productKernel;

  /** --product-kernel's words, exactly as the config file has them. */
  static final class ProductKernelConverter implements
      picocli.CommandLine.ITypeConverter<org.gpuattest.attestor.Backends.ProductKernelChoice> {
    @Override
    public org.gpuattest.attestor.Backends.ProductKernelChoice convert(String value) {
      return org.gpuattest.attestor.Backends.ProductKernelChoice.parse(value).orElseThrow(() ->
          new picocli.CommandLine.TypeConversionException("expected "
              + org.gpuattest.attestor.Backends.ProductKernelChoice.SPELLINGS + ", got '"
              + value + "'"));
    }
  }

  @Option(names = "--devices", split = ",", paramLabel = "ORDINAL",
      description = "Which devices 'prove' uses, by ordinal (see 'attestor prove --help').")
  java.util.List<Integer> devices;

  @Option(names = "--validator-key", paramLabel = "FILE",
      description = "A validator's Ed25519 public key (PEM) that 'prove' trusts; repeatable"
          + " (see 'attestor prove --help').")
  java.util.List<java.nio.file.Path> validatorKeys;

  @Option(names = "--config", paramLabel = "FILE",
      description = "The attestor's config file (JSON), read by 'prove' and 'open'; options"
          + " given override it (default: attestor/config.json in $GPU_ATTEST_HOME, or in"
          + " $HOME/.gpu-attest, if it exists).")
  java.nio.file.Path config;

  /** The config file read without --config; null for the real default (tests give another). */
  java.nio.file.Path defaultConfig;

  final InputStream in;
  /** Whether this run may end the JVM (only from {@link #main}): see {@link StdinWatch}. */
  final boolean ownsJvm;
  /** How the commands open CUDA: this host's driver, or a fake one in tests. */
  final org.gpuattest.attestor.Backends.CudaOpener cuda;

  AttestorCli(InputStream in, boolean ownsJvm) {
    this(in, ownsJvm, org.gpuattest.attestor.Backends.REAL);
  }

  AttestorCli(InputStream in, boolean ownsJvm, org.gpuattest.attestor.Backends.CudaOpener cuda) {
    this.in = in;
    this.ownsJvm = ownsJvm;
    this.cuda = cuda;
  }

  /** The config file in effect: --config, else the default (which need not exist). */
  java.nio.file.Path configFile() {
    return config != null ? config
        : defaultConfig != null ? defaultConfig : AttestorConfig.defaultPath();
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a subcommand is required");
  }

  /** The command tree, for documentation and tests. */
  public static picocli.CommandLine commandLine() {
    return tree(new AttestorCli(InputStream.nullInputStream(), false), new String[0]);
  }

  /** The command tree for {@code args} ({@link CliRunner#tree}). */
  static picocli.CommandLine tree(AttestorCli root, String[] args) {
    return CliRunner.tree(root, args, SUBCOMMANDS, AttestorCli::subcommand);
  }

  private static Object subcommand(String name) {
    return switch (name) {
      case "devices" -> new DevicesCommand();
      case "prove" -> new ProveCommand();
      case "open" -> new OpenCommand();
      case "keygen" -> new KeygenCommand();
      case "selftest" -> new SelftestCommand();
      case "bench" -> new BenchCommand();
      case "prune" -> new PruneCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  /** Runs the CLI and returns its exit code; never exits the JVM. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
    return run(new AttestorCli(in, false), args, out, err);
  }

  /**
   * As {@link #run(String[], InputStream, PrintWriter, PrintWriter)} over another driver, with
   * {@code defaultConfig} read in place of $GPU_ATTEST_HOME/attestor/config.json.
   */
  static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err,
      org.gpuattest.attestor.Backends.CudaOpener cuda, java.nio.file.Path defaultConfig) {
    AttestorCli root = new AttestorCli(in, false, cuda);
    root.defaultConfig = defaultConfig;
    return run(root, args, out, err);
  }

  private static int run(AttestorCli root, String[] args, PrintWriter out, PrintWriter err) {
    return CliRunner.run(() -> tree(root, args), args, out, err);
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    System.exit(run(new AttestorCli(System.in, true), args, out, err));
  }
}
