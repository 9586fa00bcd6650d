package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The validator as a library for services (docs/library.md): 'mvn install' publishes
 * org.gpuattest:validator, the plain jar the jar plugin makes, with this module's pom, beside
 * the CLI's runnable validator.jar, which shades every dependency in unrelocated and would
 * clash on a service's class path. So the plain jar must hold the library's own classes alone,
 * every library the runnable jar bundles must be a declared (compile-scope) dependency of the
 * validator or of common, and docs/library.md must name the coordinates the poms give. Run
 * after 'package' (surefire's integration-test execution), on the jars this build made.
 */
class LibraryArtifactIT {
  private static final Path MODULE = Path.of(System.getProperty("user.dir"));
  private static final Path REPO = MODULE.getParent();
  private static final String VERSION = System.getProperty("project.version");

  /** Where the runnable jar's classes come from: package prefix, declared dependency. */
  private static final Map<String, String> BUNDLED = Map.of(
      "org/gpuattest/validator/", "org.gpuattest:validator (itself)",
      "org/gpuattest/common/", "org.gpuattest:common",
      "com/fasterxml/jackson/", "com.fasterxml.jackson.core:jackson-databind",
      "org/bouncycastle/", "org.bouncycastle:bcprov-jdk18on",
      "picocli/", "info.picocli:picocli",
      "org/apache/commons/math3/", "org.apache.commons:commons-math3");

  @Test
  void plainJar_holdsTheLibrarysOwnClassesAlone() throws IOException {
    assertNotNull(VERSION, "surefire passes project.version");
    Path plain = MODULE.resolve("target/validator-" + VERSION + ".jar");
    List<String> foreign = new ArrayList<>();
    int own = 0;
    try (JarFile jar = new JarFile(plain.toFile())) {
      for (ZipEntry e : Collections.list(jar.entries())) {
        if (!e.getName().endsWith(".class")) {
          continue;
        }
        if (e.getName().startsWith("org/gpuattest/validator/")) {
          own++;
        } else {
          foreign.add(e.getName());
        }
      }
      assertNotNull(jar.getEntry("org/gpuattest/validator/gpu-profiles.json"),
          "the profile table is the library's resource");
    }
    assertEquals(List.of(), foreign, plain + " holds classes of other artifacts");
    assertTrue(own > 50, "only " + own + " classes of the validator in " + plain);
  }

  @Test
  void poms_declareEveryLibraryTheRunnableJarBundles() throws Exception {
    Set<String> declared = new TreeSet<>();
    declared.add("org.gpuattest:validator (itself)");
    declared.addAll(compileDependencies(MODULE.resolve("pom.xml")));
    if (declared.contains("org.gpuattest:common")) {
      declared.addAll(compileDependencies(REPO.resolve("common/pom.xml")));
    }
    Set<String> undeclared = new TreeSet<>();
    try (JarFile jar = new JarFile(MODULE.resolve("target/validator.jar").toFile())) {
      assertEquals("org.gpuattest.validator.cli.ValidatorCli",
          jar.getManifest().getMainAttributes().getValue("Main-Class"), "the CLI's jar runs");
      for (ZipEntry e : Collections.list(jar.entries())) {
        String name = e.getName();
        if (!name.endsWith(".class") || name.startsWith("META-INF/")) {
          continue;
        }
        String from = BUNDLED.entrySet().stream().filter(b -> name.startsWith(b.getKey()))
            .map(Map.Entry::getValue).findFirst().orElse("an unknown artifact: " + name);
        if (!declared.contains(from)) {
          undeclared.add(from);
        }
      }
    }
    assertEquals(Set.of(), undeclared, "bundled in validator.jar, declared in no pom"
        + " (declared: " + declared + ")");
  }

  @Test
  void libraryPage_namesTheCoordinatesAndHowToInstall() throws IOException {
    String page = Files.readString(REPO.resolve("docs/library.md"));
    for (String line : List.of("<groupId>org.gpuattest</groupId>",
        "<artifactId>validator</artifactId>", "<version>" + VERSION + "</version>",
        "mvn -q -B -DskipTests install -pl validator -am",
        "org.gpuattest:validator:" + VERSION)) {
      assertTrue(page.contains(line), "docs/library.md does not say " + line);
    }
  }

  /** groupId:artifactId of a pom's dependencies in compile scope (no scope given). */
  private static Set<String> compileDependencies(Path pom) throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    Element deps = (Element) doc.getDocumentElement().getElementsByTagName("dependencies")
        .item(0);
    Set<String> out = new TreeSet<>();
    NodeList list = deps.getElementsByTagName("dependency");
    for (int i = 0; i < list.getLength(); i++) {
      Element d = (Element) list.item(i);
      String scope = text(d, "scope");
      String type = text(d, "type");
      if ((scope.isEmpty() || scope.equals("compile")) && type.isEmpty()) {
        out.add(text(d, "groupId") + ":" + text(d, "artifactId"));
      }
    }
    return out;
  }

  private static String text(Element parent, String tag) {
    NodeList l = parent.getElementsByTagName(tag);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent().strip();
  }
}
