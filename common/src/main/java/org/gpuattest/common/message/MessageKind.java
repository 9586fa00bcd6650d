package org.gpuattest.common.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gpuattest.common.json.Json;

/**
 * The kinds of JSON the tools pass around, told apart by their top-level field names alone:
 * each has names that no other kind has together (a challenge's devices and samples are
 * numbers, so sharing those names does not matter). MessageCodec asks only after a strict read
 * has failed, so that a message of the wrong kind is refused as such ("this is a challenge, not
 * a commitment") rather than by its first unknown field, and a well-formed message costs
 * nothing extra. Values are never read, so no sentence here can echo one: the validator's
 * session holds a secret seed.
 */
public enum MessageKind {
  CHALLENGE("a challenge", Challenge.class, Set.of("id", "seed", "dim"), Set.of()),
  COMMITMENT("a commitment", Commitment.class, Set.of("devices", "proverPublicKey"),
      Set.of("memoryDigest")),
  OPENING_REQUEST("an opening request", OpeningRequest.class,
      Set.of("samples", "commitmentDigest"), Set.of("openings")),
  OPENINGS("openings", Openings.class, Set.of("openings"), Set.of()),
  VERDICT("a verdict", Verdict.class, Set.of("checks", "result"), Set.of()),
  PREPARATION("a preparation", Preparation.class, Set.of("challengeId", "dim", "expiresAt"),
      Set.of()),
  READY("a ready answer", Ready.class, Set.of("challengeId", "devices"),
      Set.of("dim", "checks")),
  MEMORY_SEED("a memory seed", MemorySeed.class, Set.of("seed", "commitmentDigest"),
      Set.of("id", "memoryDigest")),
  MEMORY_ROOTS("memory roots", MemoryRoots.class, Set.of("memorySeed", "memoryDigest"),
      Set.of()),
  /** The validator's session file; its record lives in the validator, out of common's reach. */
  SESSION("a validator session", null, Set.of("samplingSeed", "challenge"), Set.of());

  private final String noun;
  private final Class<?> type;
  private final Set<String> present;
  private final Set<String> absent;

  MessageKind(String noun, Class<?> type, Set<String> present, Set<String> absent) {
    this.noun = noun;
    this.type = type;
    this.present = present;
    this.absent = absent;
  }

  /** The kind with an article, as a sentence uses it: "a challenge", "openings". */
  public String noun() {
    return noun;
  }

  /** Whether an object with these top-level field names looks like this kind. */
  public boolean matches(Set<String> fieldNames) {
    return fieldNames.containsAll(present) && absent.stream().noneMatch(fieldNames::contains);
  }

  /** The kind whose record is {@code type}; empty for any other class. */
  public static Optional<MessageKind> of(Class<?> type) {
    for (MessageKind k : values()) {
      if (k.type != null && k.type.equals(type)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The one kind the JSON object looks like; empty when it looks like none, or like several. */
  public static Optional<MessageKind> recognise(byte[] json) {
    List<MessageKind> kinds = matching(Json.topLevelFieldNames(json));
    return kinds.size() == 1 ? Optional.of(kinds.get(0)) : Optional.empty();
  }

  /**
   * "this is a challenge, not a commitment" when {@code json}, expected to be this kind, is
   * clearly another one; empty when it looks like this kind (its own error says more), like
   * none or like several.
   */
  public Optional<String> wrongKind(byte[] json) {
    Set<String> names = Json.topLevelFieldNames(json);
    if (matches(names)) {
      return Optional.empty();
    }
    List<MessageKind> kinds = matching(names);
    if (kinds.size() != 1) {
      return Optional.empty();
    }
    MessageKind actual = kinds.get(0);
    return Optional.of((actual == OPENINGS || actual == MEMORY_ROOTS ? "these are "
        : "this is ") + actual.noun + ", not " + noun);
  }

  private static List<MessageKind> matching(Set<String> names) {
    List<MessageKind> kinds = new ArrayList<>();
    for (MessageKind k : values()) {
      if (k.matches(names)) {
        kinds.add(k);
      }
    }
    return kinds;
  }
}
