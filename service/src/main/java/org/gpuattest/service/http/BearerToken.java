package org.gpuattest.service.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.util.InputFiles;

/**
 * The bearer token an API on a non-loopback address requires (docs/service.md, "HTTP API"):
 * read from a file, never from the command line, and compared in constant time: both sides are
 * hashed with SHA-256 and the digests compared with {@link MessageDigest#isEqual}, so neither the
 * time taken nor an early exit tells how much of a guess was right.
 */
public final class BearerToken {
  /** A token shorter than this is refused: 16 random bytes in hex or base64 are longer. */
  static final int MIN_LENGTH = 20;
  private final byte[] digest;

  private BearerToken(String token) {
    this.digest = sha256(token);
  }

  /**
   * @throws BadMessageException the file is missing, unreadable, or its token (its first line,
   *     trimmed) shorter than {@value #MIN_LENGTH} characters; the token is never echoed
   */
  public static BearerToken read(String option, Path file) throws BadMessageException {
    String text = new String(InputFiles.read(option, file, 4096, "a token file"),
        StandardCharsets.UTF_8);
    String token = text.lines().findFirst().orElse("").strip();
    if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      throw new BadMessageException(option + ": the token (the file's first line) must be at"
          + " least " + MIN_LENGTH + " printable characters without spaces; for example:"
          + " openssl rand -hex 32 > FILE");
    }
    return new BearerToken(token);
  }

  /** Whether an Authorization header carries this token ("Bearer TOKEN"). */
  public boolean admits(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(7).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
