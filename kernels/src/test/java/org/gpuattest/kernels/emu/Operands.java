package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An instruction's operands as PTX writes them (PTX ISA 9.0, "Instruction Operands"): registers,
 * special registers, immediates, shared variables' addresses, [base+offset] addresses and
 * {vector} operands, each turned into register-file slots ({@link Registers}); anything else
 * refused naming the statement.
 */
final class Operands {
  private final Registers regs;
  private final Map<String, Integer> sharedSymbols;
  private int line;
  private String text;

  Operands(Registers regs, Map<String, Integer> sharedSymbols) {
    this.regs = regs;
    this.sharedSymbols = sharedSymbols;
  }

  /** The statement being decoded, for errors. */
  void at(int line, String text) {
    this.line = line;
    this.text = text;
  }

  PtxLoadException bad(String why) {
    return new PtxLoadException(PtxLoadException.INVALID_PTX, line, why + " in '" + text + "'");
  }

  int typeWidth(String type) throws PtxLoadException {
    return switch (type) {
      case "pred" -> 1;
      case "b8", "u8", "s8" -> 8;
      case "b16", "u16", "s16", "f16" -> 16;
      case "b32", "u32", "s32", "f32" -> 32;
      case "b64", "u64", "s64", "f64" -> 64;
      default -> throw bad("unknown type ." + type);
    };
  }

  static Integer special(String s) {
    return switch (s) {
      case "%tid.x" -> Insn.SR_TID_X;
      case "%tid.y" -> Insn.SR_TID_Y;
      case "%tid.z" -> Insn.SR_TID_Z;
      case "%ntid.x" -> Insn.SR_NTID_X;
      case "%ntid.y" -> Insn.SR_NTID_Y;
      case "%ntid.z" -> Insn.SR_NTID_Z;
      case "%ctaid.x" -> Insn.SR_CTAID_X;
      case "%ctaid.y" -> Insn.SR_CTAID_Y;
      case "%ctaid.z" -> Insn.SR_CTAID_Z;
      case "%nctaid.x" -> Insn.SR_NCTAID_X;
      case "%nctaid.y" -> Insn.SR_NCTAID_Y;
      case "%nctaid.z" -> Insn.SR_NCTAID_Z;
      case "%laneid" -> Insn.SR_LANEID;
      case "%warpid" -> Insn.SR_WARPID;
      case "%smid" -> Insn.SR_SMID;
      case "%nsmid" -> Insn.SR_NSMID;
      case "%globaltimer" -> Insn.SR_GLOBALTIMER;
      default -> null;
    };
  }

  int dst(String s) throws PtxLoadException {
    if (!s.startsWith("%") || special(s) != null) {
      throw bad("destination " + s + " is not a register");
    }
    return regs.slot(regs.register(s, line));
  }

  int predicateDst(String s) throws PtxLoadException {
    if (regs.width(s) != 1) {
      throw bad(s + " is not a predicate");
    }
    return dst(s);
  }

  int predicate(String s) throws PtxLoadException {
    if (regs.width(s) != 1) {
      throw bad(s + " is not a predicate");
    }
    return src(s, 1);
  }

  /** A source operand's slot: a register, an immediate, or a shared variable's address. */
  int src(String s, int width) throws PtxLoadException {
    if (s.startsWith("%")) {
      if (special(s) != null) {
        throw bad("special register " + s + " outside mov");
      }
      return regs.slot(regs.register(s, line));
    }
    Long v = Registers.immediate(s, width);
    if (v == null) {
      Integer offset = sharedSymbols.get(s);
      if (offset == null) {
        throw bad("unknown operand " + s);
      }
      v = (long) offset;
    }
    return regs.slot(regs.constant(v));
  }

  /** [base], [base+offset]: the base's slot (a register, or a constant) and the offset. */
  long[] address(String s) throws PtxLoadException {
    String a = inside(s);
    String base = a;
    long off = 0;
    int plus = a.indexOf('+');
    if (plus > 0) {
      base = a.substring(0, plus);
      Long o = Registers.immediate(a.substring(plus + 1), 64);
      if (o == null) {
        throw bad("bad address offset in " + s);
      }
      off = o;
    }
    return new long[] {src(base, 64), off};
  }

  String inside(String s) throws PtxLoadException {
    if (!s.startsWith("[") || !s.endsWith("]")) {
      throw bad("expected an address, found " + s);
    }
    return s.substring(1, s.length() - 1).replace(" ", "");
  }

  List<String> vector(String s, int length) throws PtxLoadException {
    if (length == 1 && !s.startsWith("{")) {
      return List.of(s);
    }
    if (!s.startsWith("{") || !s.endsWith("}")) {
      throw bad("expected a vector of " + length + ", found " + s);
    }
    List<String> v = operands(s.substring(1, s.length() - 1));
    if (v.size() != length) {
      throw bad("expected a vector of " + length + ", found " + s);
    }
    return v;
  }

  /** Splits operands on commas outside brackets and braces. */
  static List<String> operands(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i).trim());
        start = i + 1;
      }
    }
    String last = s.substring(start).trim();
    if (!last.isEmpty()) {
      out.add(last);
    }
    return out;
  }
}
