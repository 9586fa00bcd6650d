package org.gpuattest.common.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What both tools' {@code --version} prints, and what the evidence archive records as the
 * validator that made a verdict (docs/protocol.md §8.5, {@code record.json}'s {@code validator}):
 * the project's version as the build has it. Maven writes it into {@code version.properties}
 * beside this class from the pom's {@code ${project.version}} (common/pom.xml filters that one
 * file), so the jars, the classes tests run from and the bundle's name all carry one version,
 * and none is a literal to keep in step by hand.
 */
public final class ToolVersion {
  /** The protocol and canonical spec both tools speak (docs/protocol.md, canonical-v1.md). */
  static final String PROTOCOL = "canonical-v1, protocol version 1";
  private static final String RESOURCE = "version.properties";

  private ToolVersion() {}

  /** "validator 0.1.0-SNAPSHOT (canonical-v1, protocol version 1)", for {@code tool}. */
  public static String line(String tool) {
    return tool + " " + project() + " (" + PROTOCOL + ")";
  }

  /**
   * The project version the build wrote, for example "0.1.0-SNAPSHOT".
   *
   * @throws IllegalStateException the classes were not built by Maven: the file is missing or
   *     unfiltered, a fault of the build, which no version would describe truthfully
   */
  public static String project() {
    Properties p = new Properties();
    try (InputStream in = ToolVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing beside "
            + ToolVersion.class.getName() + ": build with Maven");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String v = p.getProperty("version", "");
    if (v.isBlank() || v.contains("${")) {
      throw new IllegalStateException(RESOURCE + " holds no version ('" + v + "'): build with"
          + " Maven, which writes it from the pom");
    }
    return v.strip();
  }
}
