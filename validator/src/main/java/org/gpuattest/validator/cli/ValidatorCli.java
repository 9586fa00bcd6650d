package org.gpuattest.validator.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.cli.CliRunner;
import org.gpuattest.common.cli.ToolVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;

/** The validator's command line: a thin shell over {@code org.gpuattest.validator}. */
@Command(
    name = "validator",
    mixinStandardHelpOptions = true,
    scope = picocli.CommandLine.ScopeType.INHERIT,
    versionProvider = ValidatorCli.Version.class,
    description = "Challenges a GPU prover and checks its answer exactly, on any CPU.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success; for verify, attest and reverify, the verdict passed",
        "1:verify, attest, reverify: the verdict failed (in attest, also when the prover"
            + " failed; in reverify, also when the exchange is not authentic); fleet"
            + " --fail-on-flagged: a provider is flagged",
        ValidatorCli.EXIT_BAD_INPUT,
        ValidatorCli.EXIT_RUNTIME})
public final class ValidatorCli implements Runnable {
  /*
   * The exit codes each subcommand lists in its --help. Each lists its own, or it would inherit
   * the root's, with 1, which only verify, attest, reverify and fleet return.
   */
  static final String EXIT_OK = "0:success";
  static final String EXIT_BAD_INPUT = "2:bad usage or bad input (one line on stderr names what)";
  static final String EXIT_RUNTIME =
      "3:runtime failure on the validator's side (its files, memory, a signal)";

  /**
   * What --version prints, and what the evidence archive records as the validator: this
   * build's version, from the pom ({@link ToolVersion}).
   */
  static String version() {
    return ToolVersion.line("validator");
  }

  /** --version, from {@link #version()}. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {version()};
    }
  }
  private static final String PROFILES = "--profiles";

  /**
   * The subcommands, in the order 'validator --help' lists them. They are added by {@link
   * #tree} rather than named in {@code @Command}: picocli builds the model of every subcommand
   * it is given, by reflection, before it parses a word, and a run needs only the one it names.
   */
  static final List<String> SUBCOMMANDS = List.of("challenge", "sample", "verify", "attest",
      "reverify", "fleet", "prune", "spec", "keygen");
  /**
   * The subcommands that read the GPU profile table. '--profiles' is refused with the others
   * (exit 2), where it would be accepted and ignored: 'fleet' compares attestations with each
   * other, not with a profile, and 'prune', 'spec' and 'keygen' hold no claim at all.
   */
  static final Set<String> READ_PROFILES = Set.of("challenge", "sample", "verify", "attest",
      "reverify");

  @Option(names = "--debug", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Print stack traces on errors.")
  boolean debug;

  /**
   * Inherited, so it may stand before or after the subcommand; a setter, so the file is only
   * noted here and read when a command first needs the table (Jackson stays unloaded for
   * --help).
   */
  @Option(names = PROFILES, paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "For challenge, sample, verify, attest and reverify: lay this JSON file of"
          + " GPU profiles over the bundled table: new models are"
          + " added, a known model is replaced whole, each field of its defaults replaces the"
          + " bundled one (docs/protocol.md section 8.6).")
  void profiles(java.nio.file.Path file) {
    env.overrideProfiles(file);
  }

  final InputStream in;
  final Environment env;

  ValidatorCli(InputStream in, Environment env) {
    this.in = in;
    this.env = env;
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a subcommand is required");
  }

  /** The command tree, for documentation and tests. */
  public static picocli.CommandLine commandLine() {
    return tree(new ValidatorCli(InputStream.nullInputStream(), Environment.system()),
        new String[0]);
  }

  /**
   * The command tree for {@code args} ({@link CliRunner#tree}). '--profiles' is inherited by
   * every subcommand, so that it may stand before or after one; it is hidden from the help of
   * those that read no profiles, and refused when one of them runs ({@link #execute}).
   */
  static picocli.CommandLine tree(ValidatorCli root, String[] args) {
    picocli.CommandLine cli = CliRunner.tree(root, args, SUBCOMMANDS, ValidatorCli::subcommand);
    cli.getSubcommands().forEach((name, sub) -> {
      if (!READ_PROFILES.contains(name)) {
        hideProfiles(sub);
      }
    });
    cli.setExecutionStrategy(ValidatorCli::execute);
    return cli;
  }

  private static void hideProfiles(picocli.CommandLine c) {
    CommandSpec spec = c.getCommandSpec();
    OptionSpec option = spec.findOption(PROFILES);
    if (option != null) {
      spec.remove(option);
      // Local: each subcommand below gets its own hidden copy, by the recursion.
      spec.addOption(OptionSpec.builder(option).hidden(true)
          .scopeType(picocli.CommandLine.ScopeType.LOCAL).build());
    }
    c.getSubcommands().values().forEach(ValidatorCli::hideProfiles);
  }

  /** Runs the command, once '--profiles' is known to mean something to it. */
  private static int execute(ParseResult parsed) {
    ParseResult command = parsed.subcommand();
    if (command != null && !READ_PROFILES.contains(command.commandSpec().name())
        && !helpRequested(parsed)) {
      ParseResult leaf = parsed;
      boolean given = false;
      for (ParseResult p = parsed; p != null; p = p.subcommand()) {
        given |= p.hasMatchedOption(PROFILES);
        leaf = p;
      }
      if (given) {
        throw new picocli.CommandLine.ParameterException(leaf.commandSpec().commandLine(),
            PROFILES + ": this command reads no GPU profiles; only challenge, sample, verify,"
                + " attest and reverify do");
      }
    }
    return new picocli.CommandLine.RunLast().execute(parsed);
  }

  private static boolean helpRequested(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
        return true;
      }
    }
    return false;
  }

  private static Object subcommand(String name) {
    return switch (name) {
      case "challenge" -> new ChallengeCommand();
      case "sample" -> new SampleCommand();
      case "verify" -> new VerifyCommand();
      case "attest" -> new AttestCommand();
      case "reverify" -> new ReverifyCommand();
      case "fleet" -> new FleetCommand();
      case "prune" -> new PruneCommand();
      case "spec" -> new SpecCommand();
      case "keygen" -> new KeygenCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  /** Runs the CLI and returns its exit code; never exits the JVM. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
    return run(args, in, out, err, Environment.system());
  }

  /** As {@link #run(String[], InputStream, PrintWriter, PrintWriter)} with a test clock. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err,
      Environment env) {
    if (asksForServe(args)) {
      // The service is a module of its own with its own libraries (docs/service.md): say
      // where it is rather than picocli's generic unknown command.
      err.println("validator: 'serve' is in validator-service.jar, not validator.jar: run"
          + " 'java -jar validator-service.jar serve ...' (the build's"
          + " service/target/validator-service.jar; in the bundle, 'bin/validator serve' with"
          + " its service add-on unpacked; docs/service.md)");
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    return CliRunner.run(() -> tree(new ValidatorCli(in, env), args), args, out, err);
  }

  /** Whether the command asked for is 'serve' (after any '--debug', as for the others). */
  static boolean asksForServe(String[] args) {
    int i = 0;
    while (i < args.length && args[i].equals("--debug")) {
      i++;
    }
    return i < args.length && args[i].equals("serve");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    SignalExit.install(err);
    int code;
    try {
      code = run(args, System.in, out, err);
    } finally {
      SignalExit.mainDone();
    }
    System.exit(code);
  }
}
