package org.gpuattest.attestor.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A prover host for tests: a real SSH server (Apache MINA SSHD) on 127.0.0.1 at an ephemeral
 * port, with a host key generated into a folder, public-key authentication only, for one
 * client key, and no shell: each session may run one command ({@link RemoteShellCommand}), as
 * {@code ssh host CMD} asks. The system ssh client talks to it as to any sshd, with the command
 * line {@link #ssh} writes. The attestor's SshProverTest and the service's ServiceOverSshTest
 * (through this module's test-jar) both use it.
 */
public final class LoopbackSshServer implements AutoCloseable {
  private final SshServer sshd;
  private final List<RemoteShellCommand> commands = new CopyOnWriteArrayList<>();
  private volatile RemoteShellCommand.Fault fault = RemoteShellCommand.Fault.NONE;

  private LoopbackSshServer(SshServer sshd) {
    this.sshd = sshd;
  }

  /** Whether the ssh client and ssh-keygen are on the PATH (tests without them are skipped). */
  public static boolean clientPresent() {
    return onPath("ssh") && onPath("ssh-keygen");
  }

  /**
   * Generates a client key pair, ed25519 without a passphrase: {@code dir/client-key} and
   * {@code dir/client-key.pub}.
   *
   * @return the private key's path
   */
  public static Path clientKey(Path dir) throws IOException, InterruptedException {
    Path key = dir.resolve("client-key");
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
        "gpu-attest-test", "-f", key.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!keygen.waitFor(60, TimeUnit.SECONDS)) {
      keygen.destroyForcibly();
      throw new IllegalStateException("ssh-keygen hung");
    }
    if (keygen.exitValue() != 0) {
      throw new IllegalStateException("ssh-keygen failed");
    }
    return key;
  }

  /**
   * The prover command an operator writes: the system ssh client in batch mode, one key, no
   * user config, no host key check, quiet, to 127.0.0.1 at {@code port}.
   *
   * @param remote the remote command line, for the host's /bin/sh: quoted as the caller needs
   */
  public static String ssh(int port, Path clientKey, String remote) {
    return "ssh -F /dev/null -p " + port + " -i " + sq(clientKey) + " -o IdentitiesOnly=yes"
        + " -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
        + " -o LogLevel=ERROR 127.0.0.1 " + remote;
  }

  /**
   * Starts the server.
   *
   * @param dir where the host key is generated
   * @param clientKey the one client key allowed in (its private key; {@link #clientKey})
   */
  public static LoopbackSshServer start(Path dir, Path clientKey)
      throws IOException, GeneralSecurityException {
    PublicKey allowed = AuthorizedKeyEntry.readAuthorizedKeys(Path.of(clientKey + ".pub"))
        .get(0).resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    SshServer sshd = SshServer.setUpDefaultServer();
    LoopbackSshServer server = new LoopbackSshServer(sshd);
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host-key")));
    sshd.setPublickeyAuthenticator(new KeySetPublickeyAuthenticator("test-client",
        List.of(allowed)));
    // Nothing but the key gets in: an ssh client falling back to a password would hang the
    // test in a prompt were it not for BatchMode; here it is refused outright.
    sshd.setPasswordAuthenticator(null);
    sshd.setKeyboardInteractiveAuthenticator(null);
    sshd.setGSSAuthenticator(null);
    sshd.setHostBasedAuthenticator(null);
    sshd.setCommandFactory((channel, command) -> {
      RemoteShellCommand c = new RemoteShellCommand(command, server.fault);
      server.commands.add(c);
      return c;
    });
    sshd.start();
    return server;
  }

  public int port() {
    return sshd.getPort();
  }

  /** {@link #ssh(int, Path, String)} to this server. */
  public String ssh(Path clientKey, String remote) {
    return ssh(port(), clientKey, remote);
  }

  /** Where the host drops the connection of the commands started from now on. */
  void fault(RemoteShellCommand.Fault f) {
    fault = f;
  }

  /** Every command the server has started, in order. */
  List<RemoteShellCommand> commands() {
    return List.copyOf(commands);
  }

  /** Stops the server, and kills whatever command it started is still running. */
  @Override
  public void close() throws IOException {
    try {
      sshd.stop(true);
    } finally {
      commands.forEach(RemoteShellCommand::kill);
    }
  }

  /** One word for /bin/sh, whatever it holds. */
  static String sq(Object word) {
    return "'" + word.toString().replace("'", "'\\''") + "'";
  }

  private static boolean onPath(String name) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, name)));
  }
}
