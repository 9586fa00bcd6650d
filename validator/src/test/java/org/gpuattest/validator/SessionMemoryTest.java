package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.check.Verifier;
import org.junit.jupiter.api.Test;

/**
 * The session's memory phase (docs/protocol.md section 3.2): the memory seed with the
 * commitment, then its sending time, then the memory roots with their arrival and only then
 * the samples, in that order and no other; and a prover failure on a memory challenge lists
 * the memory phase's checks too.
 */
class SessionMemoryTest {
  static final String ISSUED = "2030-01-02T03:04:05Z";
  static final String AT = "2030-01-02T03:04:06Z";
  static final String HEX = "00".repeat(32);

  private static Session session(String samplingSeed, String request, String memorySeed,
      String sentAt, String roots, String rootsAt) {
    return new Session(1, "challenge", ISSUED, "commitment", AT, samplingSeed, request, AT,
        5L, memorySeed, sentAt, roots, rootsAt);
  }

  @Test
  void session_eachStageOfTheMemoryPhase_isAccepted() {
    assertTrue(session(null, null, HEX, null, null, null).awaitsMemory());
    assertTrue(session(null, null, HEX, AT, null, null).awaitsMemory());
    assertFalse(session(HEX, "request", HEX, AT, "roots", AT).awaitsMemory());
  }

  @Test
  void session_samplesBeforeTheMemoryRoots_areRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> session(HEX, "request", HEX, AT, null, null));
  }

  @Test
  void session_memoryRootsWithoutTheSeedSent_areRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> session(HEX, "request", HEX, null, "roots", AT));
    assertThrows(IllegalArgumentException.class,
        () -> session(null, null, null, AT, null, null));
  }

  @Test
  void withMemorySent_twice_isRefused() {
    Session sent = session(null, null, HEX, null, null, null).withMemorySent(Instant.parse(AT));
    assertThrows(IllegalStateException.class, () -> sent.withMemoryRoots("r",
        Instant.parse(AT), new byte[32], "q").withMemorySent(Instant.parse(AT)));
  }

  @Test
  void verdict_proverFailureOnAMemoryChallenge_listsTheMemoryChecksToo() {
    Challenge c = new Challenge(1, "00".repeat(16), HEX, 64, 2, 1, "m", ISSUED,
        "2030-01-02T03:09:05Z", 8, new ChallengeMemory(1, 2, 3), null, null);
    Verdict v = ProverFailure.timedOut("memory", java.time.Duration.ofSeconds(5), "answer")
        .verdict(c, null);
    List<String> names = v.checks().stream().map(Check::name).toList();
    assertEquals(1 + Verifier.CHECKS.size() + 2, names.size());
    assertEquals(List.of("memory.window", "memory.exact"), names.subList(names.size() - 2,
        names.size()));
    assertEquals("prover.timeout", names.get(0));
  }
}
