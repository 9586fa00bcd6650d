package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gpuattest.service.Service;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler with provider hosts over real SSH on loopback (the system's ssh client, an SSH
 * server running the attestor as the remote command): an honest host passes, a host whose
 * prover signs with a key not pinned fails signature.prover, and a host that never answers
 * times out at 'prepare' with ssh stopped; none affects the others, and nothing is left
 * running. Skipped, saying why, without an ssh client.
 */
class ServiceOverSshTest {
  @TempDir Path dir;

  @BeforeAll
  static void sshClient() {
    assumeTrue(LoopbackSsh.clientPresent(),
        "no ssh client: 'ssh' and 'ssh-keygen' are not both on the PATH");
  }

  @Test
  void serve_threeHostsOverSsh_eachAsItBehavesAndNothingLeftRunning() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    Path own = f.key("own");
    f.key("pinned");
    try (LoopbackSsh ssh = LoopbackSsh.start(dir)) {
      f.writeFleet(
          ServiceFixture.entry("honest", ssh.prover(f.attestor), 1, ""),
          ServiceFixture.entry("failing", ssh.prover(f.attestor) + " --signing-key " + own, 1,
              ", \"proverKey\": \"pinned.pub.pem\""),
          ServiceFixture.entry("hanging", ssh.prover(LoopbackSsh.hangingHost(dir, f.never())), 1,
              ", \"prepareTimeoutSeconds\": 3"));
      Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 2,
          Duration.ofSeconds(5), null));
      Store store = s.store();
      try {
        f.await("a pass, a failed signature and a timeout, over ssh", () ->
            has(store, "honest", Store.State.PASSED, null)
                && has(store, "failing", Store.State.FAILED, null)
                && has(store, "hanging", Store.State.FAILED, "prover.timeout"));
      } finally {
        s.close();
      }
      for (AttestationRow a : store.history("failing", 0, 100)) {
        if (a.state() == Store.State.FAILED) {
          assertEquals("signature.prover", a.failedChecks(), a.toString());
        }
      }
      assertEquals(List.of(), store.history("honest", 0, 100).stream()
          .filter(a -> a.state() == Store.State.FAILED || a.state() == Store.State.ERROR)
          .toList(), "the others' faults never reach the honest host");
    }
    assertEquals(List.of(), f.leftovers());
  }

  private static boolean has(Store store, String provider, Store.State state, String failure) {
    return store.history(provider, 0, 100).stream().anyMatch(a -> a.state() == state
        && (failure == null || failure.equals(a.proverFailure())));
  }
}
