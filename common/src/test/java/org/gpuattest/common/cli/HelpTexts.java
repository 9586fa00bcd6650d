package org.gpuattest.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * What both CLIs' help must be: every command opens with a complete sentence (the command list
 * shows only that first line), every option and parameter is described, and across both tools
 * one name means one thing and one thing has one name.
 */
public final class HelpTexts {
  /** Value labels that name a protocol quantity: each must have one option name. */
  private static final Set<String> QUANTITIES = Set.of("G", "n", "T", "K", "g", "t");
  /** A line of picocli's exit-code list: "  1   the verdict failed". */
  private static final Pattern EXIT_CODE = Pattern.compile("^  (\\d+) +(\\S.*)$");

  private HelpTexts() {}

  /** Every command of the tree, the root included. */
  public static List<CommandSpec> commands(CommandLine root) {
    List<CommandSpec> out = new ArrayList<>();
    collect(root, out);
    return out;
  }

  private static void collect(CommandLine cli, List<CommandSpec> out) {
    out.add(cli.getCommandSpec());
    cli.getSubcommands().values().forEach(sub -> collect(sub, out));
  }

  /**
   * The exit codes a --help text lists, each with its meaning (wrapped lines joined), in order:
   * the lines under "Exit codes:", as picocli lays out a command's exitCodeList.
   */
  public static Map<Integer, String> exitCodes(String help) {
    Map<Integer, String> codes = new LinkedHashMap<>();
    List<String> lines = help.lines().toList();
    int i = lines.indexOf("Exit codes:");
    Integer last = null;
    for (i = i < 0 ? lines.size() : i + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
      Matcher m = EXIT_CODE.matcher(lines.get(i));
      if (m.matches()) {
        last = Integer.valueOf(m.group(1));
        codes.put(last, m.group(2));
      } else if (last != null) {
        codes.put(last, codes.get(last) + " " + lines.get(i).strip());
      }
    }
    return codes;
  }

  public static void assertComplete(CommandLine root) {
    List<String> problems = new ArrayList<>();
    for (CommandSpec c : commands(root)) {
      String[] description = c.usageMessage().description();
      if (description.length == 0 || !description[0].strip().endsWith(".")) {
        problems.add(c.qualifiedName() + ": the first description line is not a sentence");
      }
      for (String line : description) {
        if (description.length > 1 && line.length() > c.usageMessage().width()) {
          problems.add(c.qualifiedName() + ": a description line wider than the help ("
              + line.length() + " > " + c.usageMessage().width() + "): " + line);
        }
      }
      for (OptionSpec o : c.options()) {
        if (o.description().length == 0 || o.description()[0].isBlank()) {
          problems.add(c.qualifiedName() + " " + o.longestName() + ": no description");
        }
        if (String.join(" ", o.description()).contains("e.g.")) {
          problems.add(c.qualifiedName() + " " + o.longestName()
              + ": 'e.g.' breaks when help is wrapped; say 'for example'");
        }
      }
      for (PositionalParamSpec p : c.positionalParameters()) {
        if (p.description().length == 0) {
          problems.add(c.qualifiedName() + " " + p.paramLabel() + ": no description");
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /**
   * Across all the trees: an option name takes the same kind of value everywhere, and each
   * protocol quantity (G, n, T, K, g, t) is set by one option name.
   */
  public static void assertOneNamePerConcept(CommandLine... roots) {
    Map<String, Set<String>> labelsByName = new TreeMap<>();
    Map<String, Set<String>> namesByQuantity = new TreeMap<>();
    for (CommandLine root : roots) {
      for (CommandSpec c : commands(root)) {
        for (OptionSpec o : c.options()) {
          String label = o.typeInfo().isBoolean() ? "(flag)" : o.paramLabel();
          labelsByName.computeIfAbsent(o.longestName(), k -> new TreeSet<>()).add(label);
          if (QUANTITIES.contains(label)) {
            namesByQuantity.computeIfAbsent(label, k -> new TreeSet<>()).add(o.longestName());
          }
        }
      }
    }
    Map<String, Set<String>> clashes = new TreeMap<>();
    labelsByName.forEach((name, labels) -> {
      if (labels.size() > 1) {
        clashes.put(name, labels);
      }
    });
    assertEquals(Map.of(), clashes, "option names that take different kinds of value");
    Map<String, Set<String>> synonyms = new TreeMap<>();
    namesByQuantity.forEach((label, names) -> {
      if (names.size() > 1) {
        synonyms.put(label, names);
      }
    });
    assertEquals(Map.of(), synonyms, "quantities with more than one option name");
  }
}
