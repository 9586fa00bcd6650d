package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.List;

/**
 * PTX source split into statements, each with the line it starts on: what the driver's parser
 * sees once comments are gone (PTX ISA 9.0 §4 "Syntax": statements end with ';', labels with
 * ':', a function body is a '{' ... '}' block; braces inside a statement, as in a vector
 * operand or an initializer, belong to the statement).
 */
final class PtxText {
  /** One statement, a label, or a block brace ("{" / "}"). */
  record Statement(String text, int line) {
    boolean isOpen() {
      return text.equals("{");
    }

    boolean isClose() {
      return text.equals("}");
    }

    boolean isLabel() {
      return text.endsWith(":");
    }
  }

  private PtxText() {}

  static List<Statement> statements(String ptx) throws PtxLoadException {
    String src = stripComments(ptx);
    List<Statement> out = new ArrayList<>();
    int i = 0;
    int line = 1;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '\n') {
        line++;
        i++;
        continue;
      }
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '{' || c == '}') {
        out.add(new Statement(String.valueOf(c), line));
        i++;
        continue;
      }
      int start = i;
      int startLine = line;
      // A label: an identifier and ':' at the start of a statement.
      int j = i;
      while (j < n && isIdentChar(src.charAt(j))) {
        j++;
      }
      if (j > i && j < n && src.charAt(j) == ':') {
        out.add(new Statement(src.substring(i, j + 1), line));
        i = j + 1;
        continue;
      }
      // .version, .target and .address_size end at the end of their line (§11.1).
      if (src.startsWith(".version", i) || src.startsWith(".target", i)
          || src.startsWith(".address_size", i)) {
        int eol = src.indexOf('\n', i);
        eol = eol < 0 ? n : eol;
        out.add(new Statement(src.substring(i, eol).trim().replaceAll("\\s+", " "), line));
        i = eol;
        continue;
      }
      // A function header runs to its body's '{' (or, for a prototype, to ';').
      boolean header = src.startsWith(".visible", i) || src.startsWith(".entry", i)
          || src.startsWith(".func", i) || src.startsWith(".weak", i);
      int depth = 0;
      while (i < n) {
        char d = src.charAt(i);
        if (d == '\n') {
          line++;
        } else if (d == ';' && depth == 0) {
          break;
        } else if (d == '{') {
          if (header) {
            break;
          }
          depth++;
        } else if (d == '}') {
          depth--;
        }
        i++;
      }
      if (i >= n) {
        throw new PtxLoadException(PtxLoadException.INVALID_PTX, startLine,
            "syntax error: statement not terminated by ';'");
      }
      out.add(new Statement(src.substring(start, i).trim().replaceAll("\\s+", " "), startLine));
      if (src.charAt(i) == ';') {
        i++;
      }
    }
    return out;
  }

  static boolean isIdentChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '%' || c == '.';
  }

  /** Removes // and /* comments, keeping newlines so line numbers stay right. */
  private static String stripComments(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    boolean inString = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (inString) {
        b.append(c);
        if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
        b.append(c);
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
        if (i < n) {
          b.append('\n');
        }
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        i += 2;
        while (i + 1 < n && !(s.charAt(i) == '*' && s.charAt(i + 1) == '/')) {
          if (s.charAt(i) == '\n') {
            b.append('\n');
          }
          i++;
        }
        i++;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
