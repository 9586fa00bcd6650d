package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.kernels.emu.PtxText.Statement;

/**
 * A PTX module loaded as a driver loads one: parsed and decoded once, its entries runnable.
 * Immutable once loaded: a module and its {@link KernelEntry}s may be shared by any number of
 * launches, GPUs and threads (a launch keeps its mutable state in its own CTA and warps).
 * The directives known are those of the shipped kernels (PTX ISA 9.0, "Directives": .version, .target,
 * .address_size, .entry with .maxntid/.reqntid/.minnctapersm/.maxnreg, .reg, .shared, .const,
 * .extern .shared, .pragma); anything else is refused naming its line.
 */
public final class PtxModule {
  private static final Pattern VERSION = Pattern.compile("\\.version (\\d+)\\.(\\d+)");
  private static final Pattern TARGET = Pattern.compile("\\.target sm_(\\d+)[a-z]?(,.*)?");
  private static final Pattern HEADER = Pattern.compile(
      "(?:\\.visible |\\.weak )?\\.entry (\\w+) ?\\((.*)\\)(.*)");
  private static final Pattern PARAM = Pattern.compile(
      "\\.param \\.(u32|s32|b32|u64|s64|b64|f64) (\\w+)");
  private static final Pattern REG = Pattern.compile(
      "\\.reg \\.(pred|b32|u32|s32|f32|b64|u64|s64|f64) (%\\w+?)(?:<(\\d+)>)?");
  private static final Pattern SHARED = Pattern.compile(
      "\\.shared (?:\\.align (\\d+) )?\\.(b8|u8|b32|u32|f32|b64|u64|f64) (\\w+)\\[(\\d+)\\]");
  private static final Pattern EXTERN_SHARED = Pattern.compile(
      "\\.extern \\.shared (?:\\.align (\\d+) )?\\.(b8|u8|b32|u32|f32|b64|u64|f64) (\\w+)\\[\\]");
  private static final Pattern CONST = Pattern.compile(
      "\\.const (?:\\.align \\d+ )?\\.(b8|u8|b32|u32|b64|u64|f64) \\w+\\[\\d+\\]( = \\{.*\\})?");

  private final Map<String, KernelEntry> entries;

  private PtxModule(Map<String, KernelEntry> entries) {
    this.entries = entries;
  }

  /**
   * Loads PTX text.
   *
   * @param maxIsa the newest PTX ISA the emulated driver takes, as major * 10 + minor (85 for
   *     8.5, CUDA 12.6's)
   * @param capability the GPU's compute capability, major * 10 + minor (90 for sm_90)
   * @throws PtxLoadException as a driver refuses: an unknown directive or instruction (naming
   *     its line), too new a .version, a .target above the GPU
   */
  public static PtxModule load(String ptx, int maxIsa, int capability) throws PtxLoadException {
    List<Statement> st = PtxText.statements(ptx);
    Map<String, KernelEntry> entries = new LinkedHashMap<>();
    Map<String, Integer> externShared = new HashMap<>(); // name -> alignment
    boolean version = false;
    boolean target = false;
    for (int i = 0; i < st.size(); i++) {
      Statement s = st.get(i);
      String t = s.text();
      Matcher m;
      if ((m = VERSION.matcher(t)).matches()) {
        int isa = Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2));
        if (isa > maxIsa) {
          throw new PtxLoadException(PtxLoadException.UNSUPPORTED_PTX_VERSION, s.line(),
              "Unsupported .version " + m.group(1) + "." + m.group(2) + "; current version is '"
                  + maxIsa / 10 + "." + maxIsa % 10 + "'");
        }
        version = true;
      } else if ((m = TARGET.matcher(t)).matches()) {
        if (!version) {
          throw new PtxLoadException(PtxLoadException.INVALID_PTX, s.line(),
              ".target before .version");
        }
        int sm = Integer.parseInt(m.group(1));
        if (sm > capability) {
          throw new PtxLoadException(PtxLoadException.INVALID_PTX, s.line(),
              "SM version specified by .target is higher than default SM version assumed"
                  + " (sm_" + sm + " on a GPU of compute capability " + capability / 10 + "."
                  + capability % 10 + ")");
        }
        target = true;
      } else if (t.equals(".address_size 64")) {
        continue;
      } else if (CONST.matcher(t).matches()) {
        continue; // constant data no emulated instruction reads
      } else if ((m = EXTERN_SHARED.matcher(t)).matches()) {
        externShared.put(m.group(3), m.group(1) == null ? 16 : Integer.parseInt(m.group(1)));
      } else if ((m = HEADER.matcher(t)).matches()) {
        if (!version || !target) {
          throw new PtxLoadException(PtxLoadException.INVALID_PTX, s.line(),
              ".entry before .version and .target");
        }
        int close = body(st, i + 1);
        KernelEntry e = entry(m, s.line(), st.subList(i + 2, close), externShared);
        if (entries.putIfAbsent(e.name(), e) != null) {
          throw new PtxLoadException(PtxLoadException.INVALID_PTX, s.line(),
              "duplicate entry " + e.name());
        }
        i = close;
      } else {
        throw new PtxLoadException(PtxLoadException.INVALID_PTX, s.line(),
            "unsupported directive or statement '" + abbreviate(t) + "'");
      }
    }
    if (!version || !target) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX, 1,
          "missing .version or .target directive");
    }
    return new PtxModule(entries);
  }

  /** The index of the '}' closing the body that opens at {@code open}. */
  private static int body(List<Statement> st, int open) throws PtxLoadException {
    if (open >= st.size() || !st.get(open).isOpen()) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX,
          st.get(Math.min(open, st.size()) - 1).line(), "entry without a body");
    }
    int depth = 0;
    for (int i = open; i < st.size(); i++) {
      if (st.get(i).isOpen()) {
        depth++;
      } else if (st.get(i).isClose() && --depth == 0) {
        return i;
      }
    }
    throw new PtxLoadException(PtxLoadException.INVALID_PTX, st.get(open).line(),
        "body not closed by '}'");
  }

  private static KernelEntry entry(Matcher header, int line, List<Statement> body,
      Map<String, Integer> externShared) throws PtxLoadException {
    String name = header.group(1);
    Map<String, int[]> params = new HashMap<>();
    List<Integer> sizes = new ArrayList<>();
    String plist = header.group(2).trim();
    if (!plist.isEmpty()) {
      for (String p : plist.split(",")) {
        Matcher pm = PARAM.matcher(p.trim());
        if (!pm.matches()) {
          throw new PtxLoadException(PtxLoadException.INVALID_PTX, line,
              "unsupported parameter '" + p.trim() + "'");
        }
        int size = pm.group(1).endsWith("32") ? 4 : 8;
        params.put(pm.group(2), new int[] {sizes.size(), size});
        sizes.add(size);
      }
    }
    int maxThreads = performanceDirectives(header.group(3).trim(), line);
    Registers regs = new Registers();
    Map<String, Integer> shared = new HashMap<>();
    int sharedBytes = 0;
    boolean dynamic = false;
    List<Statement> code = new ArrayList<>();
    Map<String, Integer> labels = new HashMap<>();
    for (Statement s : body) {
      String t = s.text();
      Matcher m;
      if (s.isOpen() || s.isClose() || t.startsWith(".pragma")) {
        continue; // nested scopes (inline asm) and hints change nothing emulated
      } else if (s.isLabel()) {
        labels.put(t.substring(0, t.length() - 1), code.size());
      } else if ((m = REG.matcher(t)).matches()) {
        int width = switch (m.group(1)) {
          case "pred" -> 1;
          case "b32", "u32", "s32", "f32" -> 32;
          default -> 64;
        };
        regs.declare(m.group(2), m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), width,
            s.line());
      } else if ((m = SHARED.matcher(t)).matches()) {
        int align = m.group(1) == null ? 16 : Integer.parseInt(m.group(1));
        int elem = switch (m.group(2)) {
          case "b8", "u8" -> 1;
          case "b32", "u32", "f32" -> 4;
          default -> 8;
        };
        sharedBytes = (sharedBytes + align - 1) / align * align;
        shared.put(m.group(3), sharedBytes);
        sharedBytes += elem * Integer.parseInt(m.group(4));
      } else if (t.startsWith(".")) {
        throw new PtxLoadException(PtxLoadException.INVALID_PTX, s.line(),
            "unsupported directive '" + abbreviate(t) + "'");
      } else {
        code.add(s);
      }
    }
    // Dynamic shared memory (.extern .shared) starts after the static variables, aligned.
    for (Map.Entry<String, Integer> x : externShared.entrySet()) {
      boolean used = code.stream().anyMatch(s -> s.text().matches(".*\\b" + x.getKey() + "\\b.*"));
      if (used) {
        dynamic = true;
        shared.put(x.getKey(), (sharedBytes + x.getValue() - 1) / x.getValue() * x.getValue());
      }
    }
    Decoder decoder = new Decoder(regs, shared, params);
    Insn[] insns = new Insn[code.size()];
    for (int pc = 0; pc < insns.length; pc++) {
      insns[pc] = decoder.decode(code.get(pc).text(), code.get(pc).line(), pc);
    }
    for (Object[] b : decoder.branches) {
      int pc = (Integer) b[0];
      Integer target = labels.get((String) b[1]);
      if (target == null) {
        throw new PtxLoadException(PtxLoadException.INVALID_PTX, insns[pc].line,
            "unknown label " + b[1]);
      }
      insns[pc] = insns[pc].withTarget(target);
    }
    if (insns.length == 0 || insns[insns.length - 1].op != Insn.EXIT
        && insns[insns.length - 1].op != Insn.BRA) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX, line,
          "entry " + name + " can run off its end");
    }
    return new KernelEntry(name, sizes.stream().mapToInt(Integer::intValue).toArray(),
        sharedBytes, dynamic, maxThreads, insns, regs.names(), regs.constantValues());
  }

  /** .maxntid / .reqntid (threads a block may have), .minnctapersm, .maxnreg. */
  private static int performanceDirectives(String s, int line) throws PtxLoadException {
    int maxThreads = 1024;
    Matcher m = Pattern.compile("\\.(maxntid|reqntid|minnctapersm|maxnreg) ([0-9, ]+)")
        .matcher(s);
    int end = 0;
    while (m.find()) {
      if (!s.substring(end, m.start()).isBlank()) {
        break;
      }
      end = m.end();
      if (m.group(1).equals("maxntid") || m.group(1).equals("reqntid")) {
        int product = 1;
        for (String d : m.group(2).split(",")) {
          if (!d.isBlank()) {
            product *= Integer.parseInt(d.trim());
          }
        }
        maxThreads = product;
      }
    }
    if (!s.substring(end).isBlank()) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX, line,
          "unsupported performance directive '" + abbreviate(s.substring(end).trim()) + "'");
    }
    return maxThreads;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** The module's .entry names, in order. */
  public List<String> entryNames() {
    return List.copyOf(entries.keySet());
  }

  /** The entry of that name, or null. */
  public KernelEntry entry(String name) {
    return entries.get(name);
  }
}
