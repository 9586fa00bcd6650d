package org.gpuattest.attestor.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Counts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "devices", description = "List the GPUs this prover can use.")
final class DevicesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  record Listing(List<Object> gpus, String note, int cpuThreads) {}

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    int threads = Runtime.getRuntime().availableProcessors();
    if (json) {
      out.println(Json.writeString(new Listing(List.of(), Backends.NO_CUDA, threads)));
    } else {
      out.println("No GPUs: " + Backends.NO_CUDA + ".");
      out.println("CPU backend: " + Counts.count(threads, "thread")
          + " (exact, for tests and demos).");
    }
    return 0;
  }
}
