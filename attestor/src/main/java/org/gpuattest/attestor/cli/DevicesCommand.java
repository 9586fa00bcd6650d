package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Counts;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.cuda.CudaBackend;
import org.gpuattest.kernels.cuda.CudaUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "devices", description = {
    "List the GPUs this prover can use.",
    "As the driver reports them: the ordinal that --devices takes, name, UUID, PCI",
    "bus id, compute capability, SMs, memory and the driver's CUDA version, which are",
    "what a commitment's device reports carry. Without a GPU it says why and exits 0."},
    exitCodeList = {AttestorCli.EXIT_OK, AttestorCli.EXIT_BAD_INPUT, AttestorCli.EXIT_RUNTIME})
final class DevicesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  /** One GPU, as {@code --json} prints it. */
  record Gpu(int index, String name, String uuid, String pciBusId, String computeCapability,
      int smCount, long memoryBytes, String driverVersion) {}

  /**
   * cpuKernel: which CPU kernel the CPU backend runs, and why where it is the plain one; both,
   * with the work that decides, where the choice depends on a command's work (CpuKernels).
   */
  record Listing(List<Gpu> gpus, String note, int cpuThreads, String cpuKernel) {}

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    List<Gpu> gpus = new ArrayList<>();
    String note;
    try {
      CudaBackend cuda = parent.cuda.open(err);
      List<DeviceIdentity> ids = cuda.gpus();
      for (int i = 0; i < ids.size(); i++) {
        DeviceIdentity d = ids.get(i);
        gpus.add(new Gpu(i, d.name(), d.uuid(), d.pciBusId(), d.computeCapability(),
            d.smCount(), d.memoryBytes(), d.driverVersion()));
      }
      note = Counts.count(gpus.size(), "GPU") + " through the CUDA driver";
    } catch (CudaUnavailableException e) {
      note = "no GPUs: " + e.getMessage();
    }
    int threads = Runtime.getRuntime().availableProcessors();
    String kernel = CpuKernels.policy();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.writeString(new Listing(gpus, note, threads,
          kernel.substring("CPU kernel: ".length()))));
      return 0;
    }
    if (gpus.isEmpty()) {
      out.println("No GPUs: " + note.substring("no GPUs: ".length()) + ".");
    } else {
      out.printf("%-3s %-28s %-40s %-16s %-4s %5s %9s  %s%n", "#", "name", "uuid", "pci bus id",
          "cc", "SMs", "memory", "driver");
      for (Gpu g : gpus) {
        out.printf("%-3d %-28s %-40s %-16s %-4s %5d %6d MiB  %s%n", g.index(), g.name(),
            g.uuid(), g.pciBusId(), g.computeCapability(), g.smCount(), g.memoryBytes() >> 20,
            g.driverVersion());
      }
    }
    out.println("CPU backend: " + Counts.count(threads, "thread")
        + " (exact, for tests and demos); " + kernel + ".");
    return 0;
  }
}
