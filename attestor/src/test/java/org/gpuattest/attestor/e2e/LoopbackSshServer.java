package org.gpuattest.attestor.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A prover host for tests: a real SSH server (Apache MINA SSHD) on 127.0.0.1 at an ephemeral
 * port, with a host key generated into a folder, public-key authentication only, for one
 * client key, and no shell: each session may run one command ({@link RemoteShellCommand}), as
 * {@code ssh host CMD} asks. The system ssh client talks to it as to any sshd.
 */
final class LoopbackSshServer implements AutoCloseable {
  private final SshServer sshd;
  private final List<RemoteShellCommand> commands = new CopyOnWriteArrayList<>();
  private volatile RemoteShellCommand.Fault fault = RemoteShellCommand.Fault.NONE;

  private LoopbackSshServer(SshServer sshd) {
    this.sshd = sshd;
  }

  /**
   * Starts the server.
   *
   * @param dir where the host key is generated
   * @param clientKey the one public key (OpenSSH one-line format) allowed in
   */
  static LoopbackSshServer start(Path dir, Path clientKey)
      throws IOException, GeneralSecurityException {
    PublicKey allowed = AuthorizedKeyEntry.readAuthorizedKeys(clientKey).get(0)
        .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
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

  int port() {
    return sshd.getPort();
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
}
