package org.gpuattest.attestor;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.util.Hex;

/**
 * What the prover keeps between {@code prove} and {@code open}, in one folder per commitment
 * (named by the commitment digest): the challenge's exact bytes, which backend and devices ran
 * it, and the matrix roots r(g, t) (32 bytes each, G x T of them). Rows are not kept: an
 * opening recomputes its matrix. The folder is built under a temporary name and renamed into
 * place, so a crash never leaves a half-written state that {@code open} would trust.
 */
public final class ProverState {
  static final String CHALLENGE = "challenge.json";
  static final String META = "state.json";
  static final String ROOTS = "matrix-roots.bin";

  /**
   * The small part of the state, as JSON. {@code deviceUuids} (by g, as committed) lets
   * {@code open} find the same GPUs if the driver's order changed since {@code prove}.
   */
  public record Meta(int version, String backend, List<Integer> deviceOrdinals,
      String challengeDigest, String commitmentDigest, List<String> deviceUuids) {
    public Meta {
      deviceUuids = deviceUuids == null ? List.of() : List.copyOf(deviceUuids);
    }
  }

  /**
   * What the memory phase left for the openings (docs/protocol.md §2.2), kept in the attest
   * conversation's process only (the phase runs nowhere else): the seed, m_p(g) by device and
   * pass, and s_p(g, t) by device, pass and kept iteration.
   */
  public record Memory(byte[] seed, byte[][][] memoryRoots, byte[][][][] vectorRoots) {}

  private final Meta meta;
  private final Challenge challenge;
  private final byte[] challengeBytes;
  private final byte[][][] roots; // [g][t]
  private final Memory memory;

  private ProverState(Meta meta, Challenge challenge, byte[] challengeBytes, byte[][][] roots,
      Memory memory) {
    this.meta = meta;
    this.challenge = challenge;
    this.challengeBytes = challengeBytes;
    this.roots = roots;
    this.memory = memory;
  }

  /** This state with the memory phase's roots, for opening in the same process. */
  ProverState withMemory(Memory m) {
    return new ProverState(meta, challenge, challengeBytes, roots, m);
  }

  /** The memory phase's roots, or null when none ran (or the state was loaded from disk). */
  public Memory memory() {
    return memory;
  }

  public static ProverState of(Meta meta, MessageCodec.Decoded<Challenge> challenge,
      byte[][][] roots) {
    return new ProverState(meta, challenge.value(), challenge.bytes(), roots, null);
  }

  public Meta meta() {
    return meta;
  }

  public Challenge challenge() {
    return challenge;
  }

  public byte[][] matrixRoots(int g) {
    return roots[g].clone();
  }

  public byte[] matrixRoot(int g, int t) {
    return roots[g][t].clone();
  }

  /** Writes the state under root/<commitment digest>, atomically. */
  public Path save(Path root) throws IOException {
    Files.createDirectories(root);
    Path target = root.resolve(meta.commitmentDigest());
    Path tmp = Files.createTempDirectory(root, ".partial-");
    try {
      Files.write(tmp.resolve(CHALLENGE), challengeBytes);
      Files.write(tmp.resolve(META), Json.write(meta));
      int g = roots.length;
      int t = roots[0].length;
      byte[] flat = new byte[g * t * 32];
      for (int d = 0; d < g; d++) {
        for (int i = 0; i < t; i++) {
          System.arraycopy(roots[d][i], 0, flat, (d * t + i) * 32, 32);
        }
      }
      Files.write(tmp.resolve(ROOTS), flat);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      } catch (FileAlreadyExistsException e) {
        // The same commitment again (same challenge, same roots): the state already there is it.
      } catch (IOException e) {
        if (!Files.isDirectory(target)) {
          throw e;
        }
      }
    } finally {
      deleteTree(tmp);
    }
    return target;
  }

  /** Loads the state of one commitment; every size is checked against the challenge first. */
  public static ProverState load(Path root, String commitmentDigestHex)
      throws BadMessageException, IOException {
    Hex.decode("commitmentDigest", commitmentDigestHex, 32);
    Path dir = root.resolve(commitmentDigestHex.toLowerCase(java.util.Locale.ROOT));
    if (!Files.isDirectory(dir)) {
      requireSearchable(root, dir);
      throw new BadMessageException("request: no prover state for commitment "
          + commitmentDigestHex + " under " + root + " (was it proved with another --state?)");
    }
    try {
      byte[] challengeBytes = readBounded(dir.resolve(CHALLENGE), Limits.MAX_MESSAGE_BYTES);
      Challenge challenge = Json.read("state challenge", challengeBytes, Challenge.class);
      Meta meta = Json.read("state", readBounded(dir.resolve(META), 1 << 20), Meta.class);
      long expected = challenge.totalRows() / challenge.dim() * 32;
      long size = Files.size(dir.resolve(ROOTS));
      if (size != expected) {
        throw new IOException("state " + dir + " is damaged: matrix roots are " + size
            + " bytes, expected " + expected);
      }
      byte[] flat = Files.readAllBytes(dir.resolve(ROOTS));
      int g = challenge.devices();
      int t = challenge.iterations();
      byte[][][] roots = new byte[g][t][];
      for (int d = 0; d < g; d++) {
        for (int i = 0; i < t; i++) {
          roots[d][i] = java.util.Arrays.copyOfRange(flat, (d * t + i) * 32, (d * t + i + 1) * 32);
        }
      }
      return new ProverState(meta, challenge, challengeBytes, roots, null);
    } catch (NoSuchFileException e) {
      throw new IOException("state " + dir + " is incomplete: " + e.getFile() + " is missing");
    } catch (BadMessageException e) {
      throw new IOException("state " + dir + " is damaged: " + e.getMessage());
    }
  }

  /**
   * Where {@code dir} is not a folder only because the state folder (or one above it) may not
   * be searched, says so: "no state" would send the prover looking for a --state it has. The
   * state is the prover's own store, so this is its fault (exit 3), not the request's.
   */
  private static void requireSearchable(Path root, Path dir) throws IOException {
    try {
      Files.readAttributes(dir, BasicFileAttributes.class);
    } catch (AccessDeniedException e) {
      throw new IOException("cannot read the prover state folder " + root + ": permission"
          + " denied", e);
    } catch (IOException e) {
      // Missing (or not a folder): no state, as the caller says.
    }
  }

  private static byte[] readBounded(Path p, long max) throws IOException {
    if (Files.size(p) > max) {
      throw new IOException(p + " is larger than " + max + " bytes");
    }
    return Files.readAllBytes(p);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
