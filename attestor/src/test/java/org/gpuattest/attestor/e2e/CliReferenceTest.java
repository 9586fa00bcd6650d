package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.attestor.cli.AttestorCli;
import org.gpuattest.common.cli.HelpTexts;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;

/**
 * docs/cli.md is generated from the tools' --help by scripts/cli-reference.sh; this fails when
 * a command's help changed and the document was not regenerated (or was edited by hand).
 */
class CliReferenceTest {
  @Test
  void cliReference_everySection_equalsTheCommandsHelp() throws Exception {
    Map<String, String> sections = sections(Files.readString(Path.of("..", "docs", "cli.md")));
    // 'validator serve' is the service module's, which depends on this one: its ServeHelpTest
    // checks that section.
    sections.remove("validator serve");
    // One section per command of either tool, in the trees' order: a new command needs one.
    List<String> commands = new ArrayList<>();
    for (picocli.CommandLine root : List.of(AttestorCli.commandLine(),
        ValidatorCli.commandLine())) {
      HelpTexts.commands(root).forEach(c -> commands.add(c.qualifiedName()));
    }
    assertEquals(new java.util.TreeSet<>(commands), new java.util.TreeSet<>(sections.keySet()),
        "sections of docs/cli.md");
    List<String> stale = new ArrayList<>();
    for (Map.Entry<String, String> e : sections.entrySet()) {
      String[] words = e.getKey().split(" ");
      List<String> args = new ArrayList<>(List.of(words).subList(1, words.length));
      args.add("--help");
      StringWriter out = new StringWriter();
      PrintWriter w = new PrintWriter(out);
      PrintWriter err = new PrintWriter(new StringWriter());
      ByteArrayInputStream in = new ByteArrayInputStream(new byte[0]);
      String[] a = args.toArray(new String[0]);
      int code = words[0].equals("attestor") ? AttestorCli.run(a, in, w, err)
          : ValidatorCli.run(a, in, w, err);
      assertEquals(0, code, e.getKey() + " --help");
      if (!out.toString().strip().equals(e.getValue().strip())) {
        stale.add(e.getKey());
      }
    }
    assertTrue(stale.isEmpty(), "docs/cli.md is stale for " + stale
        + "; run scripts/cli-reference.sh after 'mvn -q -DskipTests package'");
  }

  /** "## cmd" headings, each with the fenced block that follows it. */
  private static Map<String, String> sections(String doc) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] parts = doc.split("\n## ");
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      String heading = part.substring(0, part.indexOf('\n')).trim();
      int open = part.indexOf("```\n");
      int close = part.indexOf("\n```", open + 4);
      out.put(heading, part.substring(open + 4, close));
    }
    return out;
  }
}
