package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.Selftest;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cpu.CpuBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "selftest",
    description = {
        "Compare every GPU root with the CPU backend, bit for bit (needs a GPU).",
        "Each device computes r(g,t) for T iterations at each size n with a fresh random",
        "seed; every root must equal the CPU's. Also shows how many SMs ran blocks and",
        "how busy they were. --backend cpu checks the CPU backend against the one-thread",
        "reference instead; auto means cuda here (a host without a GPU never passes).",
        "Results on stdout, progress on stderr."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every root of every device equals the CPU's",
        "1:some root differs (the table names the first one per device and size)",
        "2:bad usage or bad input (one line on stderr names what)",
        "3:runtime failure: no usable device (no GPU), a device failed, memory"})
final class SelftestCommand implements Callable<Integer> {
  /** Kept small by default: the CPU side of n = 1024 is a few seconds per device. */
  static final String DEFAULT_DIMS = "64,576,1024";
  /** More sizes than this is a typo, not a test plan. */
  static final int MAX_DIMS = 16;

  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--dim", split = ",", paramLabel = "n", defaultValue = DEFAULT_DIMS,
      description = "Matrix sizes n to test, comma-separated or repeated, each a multiple"
          + " of 64 in [64, 16384] (default: ${DEFAULT-VALUE}; 576 is not a power of two).")
  List<Integer> dims;

  @Option(names = "--iterations", paramLabel = "T", defaultValue = "2",
      description = "Iterations per device and size (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--backend", paramLabel = "auto|cuda|cpu",
      description = "Backend under test: cuda (default; auto is cuda too) or cpu.")
  Backends.Choice backend;

  @Override
  public Integer call() throws Exception {
    // Bad input is refused before any backend is looked for.
    if (dims.size() > MAX_DIMS) {
      throw new IllegalArgumentException("--dim: at most " + MAX_DIMS + " sizes, got "
          + dims.size());
    }
    for (int n : dims) {
      Limits.dim("--dim", n);
    }
    Limits.range("--iterations", iterations, 1, Limits.MAX_ITERATIONS);
    PrintWriter err = spec.commandLine().getErr();
    Backends.Choice choice = backend != null ? backend
        : parent.backend != null ? parent.backend : Backends.Choice.CUDA;
    // A selftest checks GPUs: auto would fall back to the CPU backend where there is none and
    // pass, so it means cuda here; a CPU selftest is asked for by name (--backend cpu).
    if (choice == Backends.Choice.AUTO) {
      choice = Backends.Choice.CUDA;
    }
    Backend b;
    try {
      b = Backends.select(choice, err, parent.cuda);
    } catch (BackendException e) {
      throw new BackendException("selftest needs a GPU: " + e.getMessage()
          + " (--backend cpu checks the CPU backend instead)", e);
    }
    Selftest.Expected expected = b.name().equals(CpuBackend.NAME) ? Selftest.reference()
        : Selftest.cpuBackend(Runtime.getRuntime().availableProcessors());
    Selftest.Report report;
    try {
      report = new Selftest(b, expected, new SecureRandom()).run(dims, iterations, err);
    } catch (Selftest.NoDeviceException e) {
      throw new BackendException("selftest needs a GPU: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.writeString(report));
    } else {
      SelftestTable.print(report, out);
    }
    return report.pass() ? ExitCodes.OK : ExitCodes.REJECTED;
  }
}
