package org.gpuattest.service.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;

/**
 * Provider hosts reached over SSH, for the scheduler's tests: a real SSH server (Apache MINA
 * SSHD) on 127.0.0.1 with public-key authentication for one client key, running each remote
 * command as a local process (its words split on spaces, so the commands here have no
 * quotes), and the system's OpenSSH client in batch mode, as an operator's fleet file runs it.
 */
final class LoopbackSsh implements AutoCloseable {
  private final SshServer sshd;
  private final Path clientKey;

  private LoopbackSsh(SshServer sshd, Path clientKey) {
    this.sshd = sshd;
    this.clientKey = clientKey;
  }

  /** Whether the ssh client and ssh-keygen are on the PATH. */
  static boolean clientPresent() {
    return onPath("ssh") && onPath("ssh-keygen");
  }

  static LoopbackSsh start(Path dir) throws Exception {
    Path key = dir.resolve("client-key");
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
        "gpu-attest-test", "-f", key.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!keygen.waitFor(60, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
      throw new IllegalStateException("ssh-keygen failed");
    }
    PublicKey allowed = AuthorizedKeyEntry.readAuthorizedKeys(Path.of(key + ".pub")).get(0)
        .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    SshServer sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host-key")));
    sshd.setPublickeyAuthenticator(new KeySetPublickeyAuthenticator("test-client",
        List.of(allowed)));
    sshd.setPasswordAuthenticator(null);
    sshd.setKeyboardInteractiveAuthenticator(null);
    sshd.setGSSAuthenticator(null);
    sshd.setHostBasedAuthenticator(null);
    sshd.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
    sshd.start();
    return new LoopbackSsh(sshd, key);
  }

  /** The prover command for {@code remote} on this host: batch mode, one key, quiet. */
  String prover(Path remote) {
    if (remote.toString().contains(" ")) {
      throw new IllegalArgumentException("a remote path with a space: " + remote);
    }
    return "ssh -F /dev/null -p " + sshd.getPort() + " -i " + clientKey
        + " -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no"
        + " -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR 127.0.0.1 " + remote;
  }

  /**
   * A remote script that never answers, whatever words it is given: it reads {@code never}, a
   * FIFO nobody writes, so its command line names the test's folder.
   */
  static Path hangingHost(Path dir, Path never) throws Exception {
    Path script = dir.resolve("hang.sh");
    Files.writeString(script, "#!/bin/sh\nexec cat " + never + "\n");
    if (!script.toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + script + " executable");
    }
    return script;
  }

  @Override
  public void close() throws Exception {
    sshd.stop(true);
  }

  private static boolean onPath(String name) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, name)));
  }
}
