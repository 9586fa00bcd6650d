package org.gpuattest.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.common.cli.HelpTexts;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;

/**
 * 'validator serve --help': complete as every command's is, one name per concept with the
 * validator's other commands, and docs/cli.md's section for it current (scripts/cli-reference.sh
 * writes it from the service's jar; attestor's CliReferenceTest checks the other sections).
 */
class ServeHelpTest {
  private static picocli.CommandLine serve() {
    return new picocli.CommandLine(new ServeCommand()).setCommandName("validator serve");
  }

  @Test
  void help_complete_oneNamePerConcept() {
    HelpTexts.assertComplete(serve());
    HelpTexts.assertOneNamePerConcept(ValidatorCli.commandLine(), serve());
  }

  @Test
  void cliReference_serveSection_equalsTheHelp() throws Exception {
    StringWriter out = new StringWriter();
    assertEquals(0, ServiceMain.runServe(new String[] {"serve", "--help"}, new PrintWriter(out),
        new PrintWriter(new StringWriter())));
    String doc = Files.readString(Path.of("..", "docs", "cli.md"));
    int at = doc.indexOf("\n## validator serve\n");
    assertTrue(at >= 0, "docs/cli.md has no 'validator serve' section");
    int open = doc.indexOf("```\n", at) + 4;
    int close = doc.indexOf("\n```", open);
    assertEquals(out.toString().strip(), doc.substring(open, close).strip(),
        "docs/cli.md is stale for 'validator serve'; run scripts/cli-reference.sh after"
            + " 'mvn -q -DskipTests package'");
  }

  @Test
  void main_otherCommands_goToTheValidator() {
    assertEquals(-1, ServiceMain.serveAt(new String[] {"attest", "--prover", "serve"}));
    assertEquals(1, ServiceMain.serveAt(new String[] {"--debug", "serve", "--fleet", "f"}));
  }
}
