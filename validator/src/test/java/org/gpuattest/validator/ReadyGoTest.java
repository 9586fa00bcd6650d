package org.gpuattest.validator;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.check.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prover's ready answer, checked before the seed leaves (docs/protocol.md §3.2, §4.7): a
 * CPU without --allow-cpu, another model or another device count ends the attestation at
 * once with the commitment's check of that name failed, and no 'go' (nor even a 'ping') is
 * sent; a first line that is not 'ready' is shown, escaped, with what usually writes it.
 */
class ReadyGoTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final String ID = "00112233445566778899aabbccddeeff";
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  /**
   * A prover that answers prepare with {@code ready}, then writes every line it is sent to
   * the file "after" (a ping, a go) and answers pings.
   */
  private ProverConversation prover(Ready ready) throws Exception {
    return ProverConversation.start(script(dir, "prover", "read l\necho 'ready "
        + MessageCodec.encode(ready) + "'\nwhile read x; do echo \"$x\" >> '"
        + dir.resolve("after") + "'; case \"$x\" in ping*) echo \"pong ${x#ping }\";; esac;"
        + " done"), new PrintWriter(err), Clock.systemUTC());
  }

  private Session readyGo(ProverConversation p, boolean allowCpu) throws Exception {
    return ReadyGo.start(p, ProverConversationTest.issued(), Duration.ofSeconds(20),
        Clock.systemUTC(), new SecureRandom(), new PrintWriter(err), allowCpu);
  }

  private ProverFailure refused(Ready ready) throws Exception {
    try (ProverConversation p = prover(ready)) {
      return assertTimeoutPreemptively(LIMIT, () -> assertThrows(ProverFailure.class,
          () -> readyGo(p, false)));
    }
  }

  /** What the prover was sent after its ready answer. */
  private List<String> sentAfterReady() throws Exception {
    Path after = dir.resolve("after");
    return Files.exists(after) ? Files.readAllLines(after) : List.of();
  }

  @Test
  void ready_cpuBackendWithoutAllowCpu_devicesBackendFailsAndNoGoIsSent() throws Exception {
    ProverFailure f = refused(Ready.of(ID, "cpu", List.of("cpu-0", "cpu-1")));
    assertEquals("devices.backend", f.check());
    assertEquals("prepare", f.step());
    assertTrue(f.getMessage().contains("CPU backend"), f.getMessage());
    assertTrue(f.getMessage().contains("the seed never left"), f.getMessage());
    assertEquals(List.of(), sentAfterReady(), "nothing is sent after a refused ready");
    assertFalse(err.toString().contains("seed sent"), err.toString());
    Verdict v = f.verdict(ID);
    assertEquals(Check.FAIL, v.checks().get(0).status());
    assertEquals("devices.backend", v.checks().get(0).name());
    assertEquals(Verifier.CHECKS.size(), v.checks().size(), "each check listed once");
    assertTrue(v.checks().subList(1, v.checks().size()).stream()
        .allMatch(c -> c.status().equals(Check.SKIPPED)
            && c.message().contains("before the seed was sent")), v.toString());
  }

  @Test
  void ready_cpuBackendWithAllowCpu_goesOn() throws Exception {
    try (ProverConversation p = prover(Ready.of(ID, "cpu", List.of("cpu-0", "cpu-1")))) {
      Session s = assertTimeoutPreemptively(LIMIT, () -> readyGo(p, true));
      assertNotNull(s.goSentAt());
    }
  }

  @Test
  void ready_anotherModel_devicesModelFailsNamingTheDevice() throws Exception {
    ProverFailure f = refused(Ready.of(ID, "cuda", List.of("Model", "NVIDIA A100\u001b[2J")));
    assertEquals("devices.model", f.check());
    assertTrue(f.getMessage().contains("device 1 is not the claimed model"), f.getMessage());
    Check failed = f.verdict(ID).check("devices.model");
    assertEquals("NVIDIA A100\u001b[2J", failed.measured(), "printed escaped, as every check");
    assertEquals("Model", failed.expected());
    assertEquals(List.of(), sentAfterReady());
  }

  @Test
  void ready_anotherDeviceCount_devicesCountFails() throws Exception {
    ProverFailure f = refused(Ready.of(ID, "cuda", List.of("Model")));
    assertEquals("devices.count", f.check());
    assertTrue(f.getMessage().contains("1 device but the challenge claims 2"), f.getMessage());
    assertEquals(List.of(), sentAfterReady());
  }

  /** A prover from before §4.7 sends no backend: it is still answered. */
  @Test
  void ready_withoutBackend_goesOn() throws Exception {
    try (ProverConversation p = prover(new Ready(1, ID, 2))) {
      Session s = assertTimeoutPreemptively(LIMIT, () -> readyGo(p, false));
      assertNotNull(s.goSentAt());
      // The prover's script writes what it read as it reads it: wait for it to reach the go
      // line while it still runs (closing the conversation stops it, maybe before that).
      List<String> sent = awaitGo();
      assertTrue(!sent.isEmpty() && sent.get(sent.size() - 1).startsWith("go "),
          sent.toString());
    }
  }

  /** What the prover read after ready, once it has read a go line (at most 10 s). */
  private List<String> awaitGo() throws Exception {
    long until = System.nanoTime() + 10_000_000_000L;
    List<String> sent = sentAfterReady();
    while ((sent.isEmpty() || !sent.get(sent.size() - 1).startsWith("go "))
        && System.nanoTime() < until) {
      Thread.sleep(10);
      sent = sentAfterReady();
    }
    return sent;
  }

  @Test
  void ready_theClaimedGpus_goesOn() throws Exception {
    try (ProverConversation p = prover(Ready.of(ID, "cuda", List.of("Model", "Model")))) {
      assertNotNull(assertTimeoutPreemptively(LIMIT, () -> readyGo(p, false)).goSentAt());
    }
  }

  /** Over ssh, a login banner or a .bashrc that prints comes before the prover's answer. */
  @Test
  void prepare_loginBannerBeforeReady_showsItsStartEscapedAndSuggestsNoise() throws Exception {
    String banner = "Welcome to Ubuntu 22.04.4 LTS\\t(GNU/Linux 5.15.0-105-generic x86_64)";
    try (ProverConversation p = ProverConversation.start(script(dir, "banner",
        "printf '" + banner + "\\n'\nread l\nsleep 20"), new PrintWriter(err),
        Clock.systemUTC())) {
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> readyGo(p, false)));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertTrue(f.getMessage().contains("it begins \"Welcome to Ubuntu 22.04.4 LTS\\u0009(GNU/"
          + "Linux...\""), f.getMessage()); // 40 characters, then "..."
      assertTrue(f.getMessage().contains("login banner"), f.getMessage());
      assertTrue(f.getMessage().contains("'validator attest --separate'"), f.getMessage());
    }
  }
}
