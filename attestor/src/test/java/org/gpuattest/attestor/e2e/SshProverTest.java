package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.LoopbackSshServer.sq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code validator attest --prover "ssh ... 127.0.0.1 ATTESTOR"} as an operator runs it: the
 * system OpenSSH client, in batch mode with a key, against a real SSH server on loopback
 * ({@link LoopbackSshServer}) that runs the attestor as the remote command. Also a prover host
 * that drops the connection mid-run, and one that never answers: the attestation fails with a
 * prover.* verdict, on time, and nothing the run started is left running on either side.
 * Skipped only where there is no ssh client.
 */
class SshProverTest {
  /** No run comes near this: it only proves "no hang"; every deadline passed is shorter. */
  private static final Duration NO_HANG = Duration.ofSeconds(150);

  @TempDir Path dir;
  /** The client's private key; its path also marks every process this test starts. */
  private Path clientKey;
  /** The remote command: a script that runs the attestor, as /opt/attestor/bin/attestor. */
  private Path attestor;

  record Result(int code, String out, String err, Duration took) {
    Verdict verdict() throws Exception {
      return Json.read("verdict", out.getBytes(), Verdict.class);
    }
  }

  @BeforeAll
  static void sshClient() {
    assumeTrue(LoopbackSshServer.clientPresent(),
        "no ssh client: 'ssh' and 'ssh-keygen' are not both on the PATH");
  }

  @BeforeEach
  void clientKeyAndAttestor() throws Exception {
    clientKey = LoopbackSshServer.clientKey(dir);
    // The marker (this test's folder) in the attestor's own command line finds it later.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    attestor = dir.resolve("attestor.sh");
    Files.writeString(attestor, "#!/bin/sh\nGPU_ATTEST_HOME=" + sq(dir.resolve("home"))
        + " exec " + sq(java) + " -Dgpuattest.test=" + sq(dir) + " -cp "
        + sq(System.getProperty("java.class.path"))
        + " org.gpuattest.attestor.cli.AttestorCli \"$@\"\n");
    assertTrue(attestor.toFile().setExecutable(true));
  }

  /** The prover command an operator writes, to the host at {@code port}. */
  private String ssh(int port) {
    return LoopbackSshServer.ssh(port, clientKey, sq(sq(attestor))); // quoted for both shells
  }

  private Result attest(String prover, String... extra) {
    List<String> args = new ArrayList<>(List.of("attest", "--prover", prover, "--allow-cpu",
        "--json", "--gpus", "1", "--model", EndToEndTest.MODEL, "--dim", "64",
        "--iterations", "2", "--replay-dir", dir.resolve("replay").toString()));
    args.addAll(List.of(extra));
    return assertTimeoutPreemptively(NO_HANG, () -> {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      long start = System.nanoTime();
      int code = ValidatorCli.run(args.toArray(new String[0]),
          new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err));
      return new Result(code, out.toString(), err.toString(),
          Duration.ofNanos(System.nanoTime() - start));
    }, "validator attest did not end");
  }

  @Test
  void attest_overSsh_passesWithTheAttestorRunByTheSshServer() throws Exception {
    try (LoopbackSshServer host = LoopbackSshServer.start(dir, clientKey)) {
      Result r = attest(ssh(host.port()));
      assertEquals(0, r.code(), r.err() + r.out());
      assertTrue(r.verdict().passed(), r.out());
      assertTrue(r.err().contains("prover: attestor: ready: 1 device(s) allocated"),
          "the remote prover's stderr came through ssh: " + r.err());
      List<RemoteShellCommand> ran = host.commands();
      assertEquals(1, ran.size(), "one remote command, the whole conversation");
      assertTrue(ran.get(0).command().contains(attestor.toString())
          && ran.get(0).command().endsWith(" prove --conversation"), ran.get(0).command());
      RemoteShellCommand.Ending end = ran.get(0).awaitEnding(RemoteShellCommand.GRACE);
      assertNotNull(end, "the remote attestor did not end");
      assertEquals(new RemoteShellCommand.Ending(0, false), end);
      assertEquals(List.of(), leftovers());
    }
  }

  /**
   * The host drops the connection after the exchange has started: ssh exits 255, and that is
   * the prover's failure at 'go', reported at once, not at the deadline. On the host the
   * attestor stops by itself when its input closes (its lifeline), as under OpenSSH's sshd.
   */
  @ParameterizedTest
  @EnumSource(value = RemoteShellCommand.Fault.class, names = {"DROP_AT_GO", "DROP_MID_ANSWER"})
  void attest_hostDropsTheConnection_proverExitAtGoAndNothingLeftRunning(
      RemoteShellCommand.Fault fault) throws Exception {
    try (LoopbackSshServer host = LoopbackSshServer.start(dir, clientKey)) {
      host.fault(fault);
      Result r = attest(ssh(host.port()), "--prove-timeout", "100", "--open-timeout", "100");
      assertEquals(1, r.code(), r.err() + r.out());
      assertTrue(r.err().contains("seed sent, clock started"), "the exchange began: " + r.err());
      Check first = r.verdict().checks().get(0);
      assertEquals(ProverFailure.EXIT, first.name(), first.toString());
      assertEquals(Check.FAIL, first.status());
      assertTrue(first.message().startsWith("The prover exited with code 255 (ssh's code when"
          + " its connection fails or drops") && first.message().contains("at 'go'"),
          first.message());
      assertTrue(r.err().lines().anyMatch(l -> l.startsWith("prover: ")
          && l.toLowerCase(java.util.Locale.ROOT).contains("connection")),
          "ssh's own word for the drop is passed through: " + r.err());
      assertTrue(r.took().compareTo(Duration.ofSeconds(60)) < 0,
          "ended by the drop, not by the 100 s deadline: " + r.took());
      List<RemoteShellCommand> ran = host.commands();
      assertEquals(1, ran.size());
      RemoteShellCommand.Ending end = ran.get(0).awaitEnding(
          RemoteShellCommand.GRACE.plusSeconds(5));
      assertNotNull(end, "the remote attestor did not end");
      assertFalse(end.killed(), "the remote attestor had to be killed: its input closed");
      assertEquals(3, end.code(), "the attestor's exit when its input closes");
      assertEquals(List.of(), leftovers());
    }
  }

  /**
   * A host that accepts the connection and never sends a byte: ssh (no ConnectTimeout) would
   * wait forever; the validator's own --prepare-timeout ends the run, and stops ssh.
   */
  @Test
  void attest_hostNeverAnswers_proverTimeoutAtPrepareAndSshStopped() throws Exception {
    try (SilentHost host = new SilentHost()) {
      Result r = attest(ssh(host.port()), "--prepare-timeout", "3");
      assertEquals(1, r.code(), r.err() + r.out());
      Check first = r.verdict().checks().get(0);
      assertEquals(ProverFailure.TIMEOUT, first.name(), first.toString());
      assertTrue(first.message().contains("'prepare' within its deadline of 3 s"),
          first.message());
      assertTrue(r.took().compareTo(Duration.ofSeconds(3)) >= 0
          && r.took().compareTo(Duration.ofSeconds(60)) < 0, "took " + r.took());
      assertTrue(host.connections() >= 1, "ssh never reached the host");
      assertEquals(List.of(), leftovers());
    }
  }

  /**
   * Processes this test started (their command line names its folder) still alive after a
   * generous while: none may be, neither the ssh client nor the attestor.
   */
  private List<String> leftovers() throws InterruptedException {
    String mark = dir.toString();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      List<String> alive = ProcessHandle.allProcesses()
          .filter(p -> p.pid() != ProcessHandle.current().pid())
          .filter(p -> p.info().commandLine().map(c -> c.contains(mark)).orElse(false))
          .filter(ProcessHandle::isAlive)
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
          .collect(Collectors.toList());
      if (alive.isEmpty() || System.nanoTime() - deadline >= 0) {
        return alive;
      }
      Thread.sleep(100);
    }
  }
}
