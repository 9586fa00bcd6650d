package org.gpuattest.validator.attack;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.Session;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.util.Hex;

/** Edits of signed or sent messages, each the smallest change an attacker could make. */
public final class Tamper {
  private Tamper() {}

  /** The commitment with one byte of its Ed25519 signature flipped. */
  public static Commitment flipSignatureByte(Commitment c, int index) {
    byte[] sig = Base64.getDecoder().decode(c.signature());
    sig[index] ^= 0x01;
    return c.withSignature(Base64.getEncoder().encodeToString(sig));
  }

  /** The commitment with device g's report replaced, keeping the old signature. */
  public static Commitment device(Commitment c, int g, UnaryOperator<DeviceReport> edit) {
    List<DeviceReport> devices = new ArrayList<>(c.devices());
    devices.set(g, edit.apply(devices.get(g)));
    return new Commitment(c.version(), c.challengeDigest(), devices, c.proverCpuNanos(),
        c.commitmentDigest(), c.proverPublicKey(), c.signature());
  }

  /** Flips the last bit of entry {@code entry} of opening {@code index}'s row or matrix path. */
  public static Openings flipPathBit(Openings o, int index, boolean rowPath, int entry) {
    List<Opening> list = new ArrayList<>(o.openings());
    Opening x = list.get(index);
    List<String> path = new ArrayList<>(rowPath ? x.rowPath() : x.matrixPath());
    byte[] b = Hex.decode("path", path.get(entry), 32);
    b[31] ^= 0x01;
    path.set(entry, Hex.encode(b));
    list.set(index, rowPath
        ? new Opening(x.device(), x.iteration(), x.row(), x.matrixRoot(), x.matrixPath(), path)
        : new Opening(x.device(), x.iteration(), x.row(), x.matrixRoot(), path, x.rowPath()));
    return new Openings(o.version(), o.challengeDigest(), o.commitmentDigest(), list);
  }

  /** The openings without the one at {@code index}. */
  public static Openings drop(Openings o, int index) {
    List<Opening> list = new ArrayList<>(o.openings());
    list.remove(index);
    return new Openings(o.version(), o.challengeDigest(), o.commitmentDigest(), list);
  }

  /** The same challenge with its signature replaced by another key's over the same fields. */
  static Session swapChallengeSignature(Session s) {
    try {
      Challenge c = s.decodedChallenge().value();
      Challenge other = c.signedBy(Harness.key("someone else"));
      Challenge forged = new Challenge(c.version(), c.id(), c.seed(), c.dim(), c.iterations(),
          c.devices(), c.model(), c.issuedAt(), c.expiresAt(), c.samples(),
          c.validatorPublicKey(), other.signature());
      return Session.issued(MessageCodec.encode(forged), java.time.Instant.parse(s.issuedAt()));
    } catch (BadMessageException e) {
      throw new IllegalStateException(e);
    }
  }
}
