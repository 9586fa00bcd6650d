package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.cli.CliRunner;
import org.gpuattest.common.message.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A refused proof through the CLI contract (docs/cli.md): 'attestor prove' takes its backend
 * from Backends, which has no seam for a fake, so this runs the same Prover call as
 * ProveCommand under the same CliRunner with a device that gets results wrong.
 */
class ProverRefusalCliTest {
  @TempDir Path state;

  @Command(name = "attestor")
  static final class ProveWithFake implements Callable<Integer> {
    @Spec CommandSpec spec;
    final FakeBackend backend;
    final Path state;

    ProveWithFake(FakeBackend backend, Path state) {
      this.backend = backend;
      this.state = state;
    }

    @Override
    public Integer call() throws Exception {
      var commitment = new Prover(backend, ProverTest.KEY, spec.commandLine().getErr(),
          Clock.systemUTC()).prove(ProverTest.challenge(64, 2, 2, Instant.now()), List.of(),
          state);
      spec.commandLine().getOut().println(MessageCodec.encode(commitment));
      return 0;
    }
  }

  @Test
  void prove_wrongResults_exit3OneLineNamingTheDeviceNoCommitment() throws Exception {
    // Every rowLeaves of device 1 disagrees with its iterate roots, so any random pick fails.
    FakeBackend unstable = FakeBackend.faulty(2, FakeBackend.Fault.UNSTABLE_ROW, 1, 30);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CliRunner.run(new ProveWithFake(unstable, state), new String[0],
        new PrintWriter(out), new PrintWriter(err));
    assertEquals(ExitCodes.RUNTIME, code, err.toString());
    assertEquals("", out.toString(), "no commitment on stdout");
    // Progress lines come first (the prover's own stderr); the error is one line, the last.
    List<String> lines = err.toString().lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("attestor: device 1 (FAKE-1, Fake GPU): C(1,"), err.toString());
    assertTrue(last.endsWith("; not committing"), err.toString());
    assertEquals(1, lines.stream().filter(l -> l.contains("not committing")).count());
    assertFalse(err.toString().contains("Exception"), err.toString());
    assertFalse(err.toString().contains("committed"), err.toString());
    try (Stream<Path> files = Files.list(state)) {
      assertEquals(List.of(), files.toList(), "no state");
    }
  }
}
