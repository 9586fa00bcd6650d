package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gpuattest.attestor.e2e.LoopbackSshServer;
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
    assumeTrue(LoopbackSshServer.clientPresent(),
        "no ssh client: 'ssh' and 'ssh-keygen' are not both on the PATH");
  }

  @Test
  void serve_threeHostsOverSsh_eachAsItBehavesAndNothingLeftRunning() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    Path own = f.key("own");
    f.key("pinned");
    Path key = LoopbackSshServer.clientKey(dir);
    try (LoopbackSshServer host = LoopbackSshServer.start(dir, key)) {
      // The remote command quoted for both shells, the local one and the host's.
      String attestor = host.ssh(key, ServiceFixture.sq(ServiceFixture.sq(f.attestor)));
      f.writeFleet(
          ServiceFixture.entry("honest", attestor, 1, ""),
          ServiceFixture.entry("failing", attestor + " --signing-key " + own, 1,
              ", \"proverKey\": \"pinned.pub.pem\""),
          ServiceFixture.entry("hanging", host.ssh(key,
              ServiceFixture.sq(ServiceFixture.sq(hangingHost(f)))), 1,
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

  /**
   * A remote script that never answers, whatever words it is given: it reads the fixture's
   * FIFO that nobody writes, so its command line names the test's folder.
   */
  private Path hangingHost(ServiceFixture f) throws Exception {
    Path script = dir.resolve("hang.sh");
    Files.writeString(script, "#!/bin/sh\nexec cat " + f.never() + "\n");
    if (!script.toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + script + " executable");
    }
    return script;
  }

  private static boolean has(Store store, String provider, Store.State state, String failure) {
    return store.history(provider, 0, 100).stream().anyMatch(a -> a.state() == state
        && (failure == null || failure.equals(a.proverFailure())));
  }
}
