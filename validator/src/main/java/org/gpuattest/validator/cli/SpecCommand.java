package org.gpuattest.validator.cli;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gpuattest.common.Limits;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.CpuWork;
import org.gpuattest.common.spec.Philox4x32;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.util.Heap;
import org.gpuattest.common.util.Hex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** canonical-v1 from the command line, for other implementers to check themselves against. */
@Command(name = "spec",
    description = "Print canonical-v1 values (Philox blocks, roots, matrix roots) to check"
        + " another implementation against.",
    subcommands = {SpecCommand.Philox.class, SpecCommand.Roots.class, SpecCommand.Matrix.class},
    exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class SpecCommand implements Runnable {
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a subcommand is required: philox, roots or matrix");
  }

  @Command(name = "philox", description = "One Philox4x32-10 block: four words, 8-digit hex.",
      exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
  static final class Philox implements Callable<Integer> {
    @Spec CommandSpec spec;

    // One value each, its words split here: with split = "," picocli would show a list that
    // may be repeated ("--counter=C0,C1,C2,C3[,C0,C1,C2,C3...]..."), which these are not.
    @Option(names = "--philox-key", required = true, paramLabel = "K0,K1",
        description = "Two Philox key words in hex, for example a4093822,299f31d0.")
    String keyWords;

    @Option(names = "--counter", required = true, paramLabel = "C0,C1,C2,C3",
        description = "Four counter words in hex, for example 0,0,0,0.")
    String counterWords;

    @Override
    public Integer call() {
      List<String> key = List.of(keyWords.split(",", -1));
      List<String> counter = List.of(counterWords.split(",", -1));
      if (key.size() != 2 || counter.size() != 4) {
        throw new IllegalArgumentException("--philox-key takes 2 words and --counter 4, got "
            + key.size() + " and " + counter.size());
      }
      int[] k = {Hex.parseWord("--philox-key", key.get(0)),
          Hex.parseWord("--philox-key", key.get(1))};
      int[] c = new int[4];
      for (int i = 0; i < 4; i++) {
        c[i] = Hex.parseWord("--counter", counter.get(i));
      }
      int[] x = Philox4x32.block(c, k);
      spec.commandLine().getOut().println(Hex.word(x[0]) + " " + Hex.word(x[1]) + " "
          + Hex.word(x[2]) + " " + Hex.word(x[3]));
      return 0;
    }
  }

  /** Options naming one computation: seed and n. */
  static class Job {
    @Option(names = "--seed", required = true, paramLabel = "HEX",
        description = "The 32-byte seed, 64 hex digits.")
    String seed;

    @Option(names = "--dim", required = true, paramLabel = "n",
        description = "Matrix size n, a multiple of 64 in [64, 16384].")
    int dim;

    PhiloxKey key() throws RuntimeFailureException {
      Limits.dim("--dim", dim);
      PhiloxKey k = PhiloxKey.fromSeed(Hex.decode("--seed", seed, 32));
      // A, B and C of n x n doubles: refuse before allocating rather than run out of memory.
      Optional<String> refusal = Heap.shortfall("spec: n=" + dim + " needs",
          3L * dim * dim * Double.BYTES, "run java with a larger -Xmx");
      if (refusal.isPresent()) {
        throw new RuntimeFailureException(refusal.get());
      }
      return k;
    }
  }

  @Command(name = "roots", description = "Device roots R(g), one line per device: g <hex>.",
      exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
  static final class Roots extends Job implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--gpus", required = true, paramLabel = "G",
        description = "How many GPUs (devices g = 0..G-1).")
    int gpus;

    @Option(names = "--iterations", required = true, paramLabel = "T",
        description = "Iterations per GPU (t = 0..T-1).")
    int iterations;

    @Override
    public Integer call() throws RuntimeFailureException {
      PhiloxKey k = key();
      Limits.range("--gpus", gpus, 1, Limits.MAX_DEVICES);
      Limits.range("--iterations", iterations, 1, Limits.MAX_ITERATIONS);
      long matrices = (long) gpus * iterations;
      long nn = (long) dim * dim;
      CpuKernels.forWork(CpuWork.of(matrices * dim, dim, gpus * nn + matrices * nn));
      for (int g = 0; g < gpus; g++) {
        byte[][] roots = Reference.matrixRoots(k, g, dim, iterations);
        spec.commandLine().getOut().println(g + " " + Hex.encode(Reference.deviceRoot(roots)));
        spec.commandLine().getOut().flush();
      }
      return 0;
    }
  }

  @Command(name = "matrix", description = "The matrix root r(g, t) in hex.",
      exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
  static final class Matrix extends Job implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--gpu", required = true, paramLabel = "g",
        description = "The GPU's index g, from 0.")
    int gpu;

    @Option(names = "--iteration", required = true, paramLabel = "t",
        description = "The iteration t, from 0.")
    int iteration;

    @Override
    public Integer call() throws RuntimeFailureException {
      PhiloxKey k = key();
      Limits.range("--gpu", gpu, 0, Limits.MAX_DEVICES - 1);
      Limits.range("--iteration", iteration, 0, Limits.MAX_ITERATIONS - 1);
      CpuKernels.forWork(CpuWork.of(dim, dim, 2L * dim * dim));
      double[] c = Reference.matrix(k, gpu, iteration, dim, Operands.matrixB(k, gpu, dim));
      spec.commandLine().getOut().println(Hex.encode(Reference.matrixRoot(c, dim)));
      return 0;
    }
  }
}
