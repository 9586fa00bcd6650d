package org.gpuattest.validator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.json.KnownFields;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Printable;

/**
 * An operator's GPU profiles laid over a table (docs/protocol.md, "GPU profiles"; schema
 * testdata/schemas/gpu-profiles-override.schema.json): a profile whose model is in the table
 * replaces that model's profile whole, a new model is added after the table's, and each field
 * named in {@code defaults} replaces that default, the others kept.
 *
 * <p>The entries are independent, so every bad one is reported, each on its own line ({@link
 * BadMessageException#problems()}): an operator fixes the file in one pass. Each entry is read
 * with the same strict reader and the same record checks as the bundled table, so an override
 * can never hold a profile the bundled table could not.
 */
public final class ProfileOverrides {
  /** The largest file read: the bundled table is some 3 KB; a thousand profiles fit. */
  public static final int MAX_FILE_BYTES = 1 << 20;
  /** Profiles one file may hold. */
  public static final int MAX_PROFILES = 1024;
  /** Problems listed at most; the rest are counted. */
  static final int MAX_REPORTED = BadMessageException.MAX_LISTED;

  /** The file's shape; profiles are kept as trees and read one by one. */
  record Document(@JsonProperty(required = true) int version, String about,
      List<JsonNode> profiles, JsonNode defaults) {
    Document {
      Limits.version("GPU profile overrides", version);
      if (profiles == null && defaults == null) {
        throw new IllegalArgumentException("nothing to override: give profiles, defaults or"
            + " both");
      }
      if (profiles != null && profiles.size() > MAX_PROFILES) {
        throw new IllegalArgumentException("profiles has " + profiles.size() + " entries, over"
            + " the limit of " + MAX_PROFILES);
      }
    }
  }

  private ProfileOverrides() {}

  /**
   * {@code base} with the overrides in {@code file}; errors start with {@code what}, such as
   * the option that named the file.
   *
   * @throws BadMessageException the file is missing, unreadable, too large or not the format,
   *     or has bad entries: all of them, one problem each
   */
  public static GpuProfiles apply(GpuProfiles base, String what, Path file)
      throws BadMessageException {
    return apply(base, what, read(what, file));
  }

  /** As {@link #apply(GpuProfiles, String, Path)}, given the file's bytes. */
  public static GpuProfiles apply(GpuProfiles base, String what, byte[] json)
      throws BadMessageException {
    JsonNode tree = Json.read(what, json, JsonNode.class);
    if (!tree.isObject()) {
      throw new BadMessageException(what + ": expected an object");
    }
    Document doc = Json.read(what, Json.write(KnownFields.check(what, tree, Document.class)),
        Document.class);
    List<String> problems = new ArrayList<>();
    Map<String, GpuProfiles.Profile> given = new LinkedHashMap<>();
    Map<String, Integer> firstAt = new HashMap<>();
    Map<String, String> known = new HashMap<>();
    base.models().forEach(m -> known.put(ModelNames.key(m), m));
    List<JsonNode> entries = doc.profiles() == null ? List.of() : doc.profiles();
    for (int i = 0; i < entries.size(); i++) {
      JsonNode node = entries.get(i);
      String model = node.isObject() && node.path("model").isTextual()
          ? node.get("model").asText() : null;
      // Counted even when the entry is bad: its duplicate is a second mistake to report.
      Integer first = model == null ? null : firstAt.putIfAbsent(ModelNames.key(model), i);
      String entry = entryName(i, model);
      try {
        GpuProfiles.Profile p = profile(entry, node);
        String same = known.get(ModelNames.key(p.model()));
        if (first != null) {
          String earlier = entries.get(first).get("model").asText();
          problems.add(what + ": " + entry + ": the model is also at profiles[" + first + "]"
              + (earlier.equals(model) ? "" : " (" + quoted(earlier) + ", the same model "
                  + ModelNames.IGNORING + ")") + "; name each model once");
        } else if (same != null && !same.equals(p.model())) {
          problems.add(what + ": " + entry + ": the same model as the table's " + quoted(same)
              + " " + ModelNames.IGNORING + "; spell it exactly as the table does to replace"
              + " that profile");
        } else {
          given.put(p.model(), p);
        }
      } catch (BadMessageException e) {
        problems.add(what + ": " + e.getMessage());
      }
    }
    GpuProfiles.Defaults defaults = base.defaults();
    if (doc.defaults() != null) {
      try {
        defaults = defaults(base.defaults(), doc.defaults());
      } catch (BadMessageException e) {
        problems.add(what + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw BadMessageException.listing(problems);
    }
    List<GpuProfiles.Profile> merged = new ArrayList<>();
    for (GpuProfiles.Profile p : base.profiles()) {
      GpuProfiles.Profile replaced = given.remove(p.model());
      merged.add(replaced != null ? replaced : p);
    }
    merged.addAll(given.values()); // the new models, in the file's order
    return new GpuProfiles(base.version(), base.about(), defaults, merged);
  }

  private static GpuProfiles.Profile profile(String entry, JsonNode node)
      throws BadMessageException {
    if (!node.isObject()) {
      throw new BadMessageException(entry + ": expected an object");
    }
    return Json.read(entry, Json.write(KnownFields.check(entry, node, GpuProfiles.Profile.class)),
        GpuProfiles.Profile.class);
  }

  /** The base's defaults with each field the override names replaced, then checked whole. */
  private static GpuProfiles.Defaults defaults(GpuProfiles.Defaults base, JsonNode override)
      throws BadMessageException {
    if (!override.isObject()) {
      throw new BadMessageException("defaults: expected an object");
    }
    KnownFields.check("defaults", override, GpuProfiles.Defaults.class);
    ObjectNode merged = (ObjectNode) Json.read("defaults", Json.write(base), JsonNode.class);
    merged.setAll((ObjectNode) override);
    return Json.read("defaults", Json.write(merged), GpuProfiles.Defaults.class);
  }

  /** "profiles[2] ("NVIDIA X")": the index, and the model where the entry names one. */
  private static String entryName(int i, String model) {
    if (model == null) {
      return "profiles[" + i + "]";
    }
    return "profiles[" + i + "] (" + quoted(model) + ")";
  }

  /**
   * A model name in quotes, shortened and escaped ({@link Printable}), and its other invisible
   * characters (a zero-width space, a soft hyphen) written as escapes too, so that a name that
   * differs from another only by one can be seen to differ.
   */
  private static String quoted(String model) {
    String name = Printable.escape(model.length() > 60 ? model.substring(0, 57) + "..." : model);
    StringBuilder shown = new StringBuilder(name.length() + 2).append('"');
    name.chars().forEach(c -> shown.append(Character.getType(c) == Character.FORMAT
        ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return shown.append('"').toString();
  }


  /** The whole file, refused by size before it is read and again while it is read. */
  private static byte[] read(String what, Path file) throws BadMessageException {
    try {
      if (Files.isDirectory(file)) {
        throw new BadMessageException(what + ": is a folder, not a file");
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw tooLarge(what, size);
      }
      try (InputStream in = Files.newInputStream(file)) {
        byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1); // it may grow while it is read
        if (bytes.length > MAX_FILE_BYTES) {
          throw tooLarge(what, bytes.length);
        }
        return bytes;
      }
    } catch (NoSuchFileException e) {
      throw new BadMessageException(what + ": no such file");
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read it: " + AtomicFiles.describe(e));
    }
  }

  private static BadMessageException tooLarge(String what, long size) {
    return new BadMessageException(what + ": the file is " + size + " bytes, over the limit of "
        + MAX_FILE_BYTES + " bytes for GPU profiles");
  }
}
