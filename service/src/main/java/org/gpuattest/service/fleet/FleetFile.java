package org.gpuattest.service.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.json.KnownFields;
import org.gpuattest.common.util.InputFiles;
import org.gpuattest.common.util.Printable;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.archive.ArchiveRecord;

/**
 * Reads and checks the fleet file of 'validator serve' whole (docs/service.md, "The fleet
 * file"; testdata/schemas/fleet-file.schema.json). The providers are independent, so every bad
 * one is reported, each on its own line ({@link BadMessageException#problems()}), and a file
 * with any is refused whole: at start (exit 2) and on reload (the running fleet is kept).
 *
 * <p>Each provider's challenge is issued once here, as a dry run that is never sent, by the
 * same {@link ChallengeIssuer} 'validator attest' uses: a fleet the service accepts never asks
 * for a challenge the CLI would refuse (an unknown model, weak timing without {@code
 * weakTiming}, a size out of range).
 */
public final class FleetFile {
  /** The largest file read: a provider is some 300 bytes; ten thousand fit. */
  public static final int MAX_FILE_BYTES = 4 << 20;
  public static final int MAX_PROVIDERS = 10_000;
  /** Problems listed at most; the rest are counted. */
  static final int MAX_REPORTED = BadMessageException.MAX_LISTED;
  /** The longest prover command: a shell line, not a script. */
  static final int MAX_COMMAND = 4096;
  /** How often a provider may be attested: at most every second, at least once a week. */
  static final long MIN_INTERVAL = 1;
  static final long MAX_INTERVAL = Limits.MAX_LIFETIME_SECONDS;

  /**
   * How each request field is named in a fleet entry, for the issuer's refusals. Every field
   * needs a name here (the refusal's text names them all).
   */
  private static final Map<ChallengeIssuer.Field, String> FIELDS = Map.of(
      ChallengeIssuer.Field.DEVICES, "gpus", ChallengeIssuer.Field.MODEL, "model",
      ChallengeIssuer.Field.DIM, "dim", ChallengeIssuer.Field.ITERATIONS, "iterations",
      ChallengeIssuer.Field.SECONDS, "seconds", ChallengeIssuer.Field.SAMPLES, "samples",
      ChallengeIssuer.Field.TTL, "the challenge's lifetime",
      ChallengeIssuer.Field.PREPARE, "prepareTimeoutSeconds",
      ChallengeIssuer.Field.WEAK_TIMING, "weakTiming",
      ChallengeIssuer.Field.MEMORY, "noMemory");

  record Document(@JsonProperty(required = true) int version, String about,
      List<JsonNode> providers) {
    Document {
      Limits.version("fleet file", version);
      Limits.required("providers", providers);
      if (providers.size() > MAX_PROVIDERS) {
        throw new IllegalArgumentException("providers has " + providers.size() + " entries,"
            + " over the limit of " + MAX_PROVIDERS);
      }
    }
  }

  private final GpuProfiles profiles;
  private final ChallengeIssuer issuer;

  /**
   * @param profiles the models claims are held against, as the service's challenges will be
   */
  public FleetFile(GpuProfiles profiles, SecureRandom random, Clock clock) {
    this.profiles = profiles;
    this.issuer = new ChallengeIssuer(profiles, random, clock);
  }

  /**
   * Reads {@code file}; relative key paths are relative to its folder.
   *
   * @throws BadMessageException the file is missing, unreadable, too large or not the format,
   *     or has bad entries: all of them, one line each, each starting with the file's name
   */
  public Fleet read(Path file) throws BadMessageException {
    String what = file.toString();
    byte[] bytes = InputFiles.read(what, file, MAX_FILE_BYTES, "a fleet file");
    Path base = file.toAbsolutePath().getParent();
    return parse(what, bytes, base);
  }

  /** As {@link #read}, given the bytes and the folder relative paths start from. */
  public Fleet parse(String what, byte[] json, Path base) throws BadMessageException {
    JsonNode tree = Json.read(what, json, JsonNode.class);
    if (!tree.isObject()) {
      throw new BadMessageException(what + ": expected an object");
    }
    KnownFields.check(what, tree, Document.class);
    Document doc = Json.read(what, json, Document.class);
    List<String> problems = new ArrayList<>();
    List<Provider> providers = new ArrayList<>();
    Map<String, Integer> firstAt = new HashMap<>();
    for (int i = 0; i < doc.providers().size(); i++) {
      JsonNode node = doc.providers().get(i);
      String name = node.isObject() && node.path("name").isTextual()
          ? node.get("name").asText() : null;
      String entry = "providers[" + i + "]" + (name == null ? ""
          : " (" + Printable.escape(name.length() > 64 ? name.substring(0, 61) + "..." : name)
              + ")");
      Integer first = name == null ? null : firstAt.putIfAbsent(name, i);
      try {
        if (first != null) {
          throw new BadMessageException(entry + ": the name is also at providers[" + first
              + "]; name each provider once");
        }
        providers.add(provider(entry, node, base));
      } catch (BadMessageException e) {
        problems.add(what + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw BadMessageException.listing(problems);
    }
    return new Fleet(what, providers);
  }

  private Provider provider(String entry, JsonNode node, Path base)
      throws BadMessageException {
    if (!node.isObject()) {
      throw new BadMessageException(entry + ": expected an object");
    }
    KnownFields.check(entry, node, ProviderEntry.class);
    ProviderEntry e = Json.read(entry, Json.write(node), ProviderEntry.class);
    String name = required(entry, "name", e.name());
    ArchiveRecord.checkProvider(entry + ": name", name);
    String prover = required(entry, "prover", e.prover());
    if (prover.isBlank() || prover.length() > MAX_COMMAND
        || prover.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new BadMessageException(entry + ": prover: a command of 1 to " + MAX_COMMAND
          + " characters on one line, without control characters");
    }
    int gpus = required(entry, "gpus", e.gpus());
    String model = required(entry, "model", e.model());
    long interval = required(entry, "intervalSeconds", e.intervalSeconds());
    inRange(entry, "intervalSeconds", interval, MIN_INTERVAL, MAX_INTERVAL);
    long prepare = e.prepareTimeoutSeconds() == null
        ? ChallengeIssuer.DEFAULT_PREPARE.toSeconds() : e.prepareTimeoutSeconds();
    inRange(entry, "prepareTimeoutSeconds", prepare, 1, Limits.MAX_LIFETIME_SECONDS);
    boolean allowCpu = Boolean.TRUE.equals(e.allowCpu());
    boolean weak = Boolean.TRUE.equals(e.weakTiming());
    Provider.Challenge challenge = new Provider.Challenge(gpus, model,
        e.dim() == null ? ChallengeIssuer.DEFAULT_DIM : e.dim(), e.iterations(), e.seconds(),
        e.samples() == null ? ChallengeIssuer.DEFAULT_SAMPLES : e.samples());
    Optional<Ed25519PublicKey> key = Optional.empty();
    if (e.proverKey() != null) {
      key = Optional.of(Ed25519PublicKey.fromFile(entry + ": proverKey",
          base.resolve(e.proverKey())));
    }
    Provider p = new Provider(name, prover, challenge, key, Duration.ofSeconds(interval),
        Duration.ofSeconds(prepare), allowCpu, weak, !Boolean.TRUE.equals(e.noMemory()));
    dryRun(entry, p);
    return p;
  }

  /**
   * Issues the provider's challenge as the service will, and drops it: what the issuer refuses
   * is this entry's problem now, not a failed attestation later.
   */
  private void dryRun(String entry, Provider p) throws BadMessageException {
    try {
      issuer.issue(p.request().build());
    } catch (ChallengeIssuer.InvalidRequestException ex) {
      throw new BadMessageException(entry + ": " + FIELDS.get(ex.field()) + ": "
          + ex.detail(FIELDS::get));
    } catch (RuntimeFailureException ex) {
      throw new BadMessageException(entry + ": " + ex.getMessage());
    }
  }

  private static <T> T required(String entry, String field, T value)
      throws BadMessageException {
    if (value == null) {
      throw new BadMessageException(entry + ": " + field + " is required");
    }
    return value;
  }

  private static void inRange(String entry, String field, long value, long min, long max)
      throws BadMessageException {
    if (value < min || value > max) {
      throw new BadMessageException(entry + ": " + field + " must be in [" + min + ", " + max
          + "], got " + value);
    }
  }


  /** The profiles the fleet is checked against. */
  public GpuProfiles profiles() {
    return profiles;
  }
}
