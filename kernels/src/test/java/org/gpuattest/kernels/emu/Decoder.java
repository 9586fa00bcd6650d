package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gpuattest.kernels.emu.LaunchCounts.Kind;

/**
 * Decodes one PTX instruction statement into an {@link Insn}, or refuses it naming the line, as
 * the driver's JIT refuses what it cannot compile. Exactly the instruction forms the shipped
 * kernels use are known (and a few obvious siblings); anything else is refused, so a kernel
 * change that needs a new instruction needs its semantics here first.
 */
final class Decoder {
  private final Registers regs;
  private final Map<String, int[]> params; // name -> {index, size}
  /** Branches and their label, resolved once every label is known. */
  final List<Object[]> branches = new ArrayList<>();

  private final Operands ops;

  Decoder(Registers regs, Map<String, Integer> sharedSymbols, Map<String, int[]> params) {
    this.regs = regs;
    this.params = params;
    this.ops = new Operands(regs, sharedSymbols);
  }

  private int line;
  private String text;

  private PtxLoadException bad(String why) {
    return new PtxLoadException(PtxLoadException.INVALID_PTX, line, why + " in '" + text + "'");
  }

  Insn decode(String statement, int line, int pc) throws PtxLoadException {
    this.line = line;
    this.text = statement;
    ops.at(line, statement);
    String s = statement;
    int guard = -1;
    boolean negated = false;
    if (s.startsWith("@")) {
      int sp = s.indexOf(' ');
      String g = s.substring(1, sp);
      negated = g.startsWith("!");
      guard = regs.slot(regs.register(negated ? g.substring(1) : g, line));
      s = s.substring(sp + 1).trim();
    }
    int sp = s.indexOf(' ');
    String opcode = sp < 0 ? s : s.substring(0, sp);
    List<String> ops = sp < 0 ? List.of() : Operands.operands(s.substring(sp + 1));
    Insn in = decode(opcode, ops, guard, negated);
    if (in.op == Insn.BRA) {
      branches.add(new Object[] {pc, ops.get(0)});
    }
    return in;
  }

  private Insn insn(int op, Kind kind, int guard, boolean neg, int[] dsts, int[] srcs, int a,
      int b, int c, long imm) {
    return new Insn(op, line, text, kind.ordinal(), guard, neg, dsts, srcs, a, b, c, imm);
  }

  private Insn decode(String opcode, List<String> o, int g, boolean n) throws PtxLoadException {
    switch (opcode) {
      case "add.s32", "add.u32" -> {
        return alu(Insn.ADD32, 32, 2, o, g, n);
      }
      case "sub.s32", "sub.u32" -> {
        return alu(Insn.SUB32, 32, 2, o, g, n);
      }
      case "mul.lo.s32", "mul.lo.u32" -> {
        return alu(Insn.MUL_LO32, 32, 2, o, g, n);
      }
      case "mad.lo.s32", "mad.lo.u32" -> {
        return alu(Insn.MAD_LO32, 32, 3, o, g, n);
      }
      case "mul.wide.u32" -> {
        return alu(Insn.MUL_WIDE_U32, 32, 2, o, g, n);
      }
      case "mul.wide.s32" -> {
        return alu(Insn.MUL_WIDE_S32, 32, 2, o, g, n);
      }
      case "add.s64", "add.u64" -> {
        return alu(Insn.ADD64, 64, 2, o, g, n);
      }
      case "sub.s64", "sub.u64" -> {
        return alu(Insn.SUB64, 64, 2, o, g, n);
      }
      case "mul.lo.s64", "mul.lo.u64" -> {
        return alu(Insn.MUL_LO64, 64, 2, o, g, n);
      }
      case "mad.lo.s64", "mad.lo.u64" -> {
        return alu(Insn.MAD_LO64, 64, 3, o, g, n);
      }
      case "shl.b32" -> {
        return alu(Insn.SHL32, 32, 2, o, g, n);
      }
      case "shr.u32", "shr.b32" -> {
        return alu(Insn.SHR_U32, 32, 2, o, g, n);
      }
      case "shr.s32" -> {
        return alu(Insn.SHR_S32, 32, 2, o, g, n);
      }
      case "shl.b64" -> {
        return alu(Insn.SHL64, 64, 2, o, g, n);
      }
      case "shr.u64", "shr.b64" -> {
        return alu(Insn.SHR_U64, 64, 2, o, g, n);
      }
      case "shr.s64" -> {
        return alu(Insn.SHR_S64, 64, 2, o, g, n);
      }
      case "shf.l.wrap.b32" -> {
        return alu(Insn.SHF_L_WRAP, 32, 3, o, g, n);
      }
      case "shf.r.wrap.b32" -> {
        return alu(Insn.SHF_R_WRAP, 32, 3, o, g, n);
      }
      case "and.b32", "and.b64", "and.pred" -> {
        return alu(Insn.AND, width(opcode), 2, o, g, n);
      }
      case "or.b32", "or.b64", "or.pred" -> {
        return alu(Insn.OR, width(opcode), 2, o, g, n);
      }
      case "xor.b32", "xor.b64", "xor.pred" -> {
        return alu(Insn.XOR, width(opcode), 2, o, g, n);
      }
      case "not.b32", "not.b64" -> {
        return alu(Insn.NOT, width(opcode), 1, o, g, n);
      }
      case "prmt.b32" -> {
        return alu(Insn.PRMT, 32, 3, o, g, n);
      }
      case "bfi.b32" -> {
        return alu(Insn.BFI32, 32, 4, o, g, n);
      }
      case "bfi.b64" -> {
        // bfi.b64 d, a, b, c, d: a and b are 64-bit, the position and length 32-bit.
        count(o, 5);
        return insn(Insn.BFI64, Kind.INTEGER, g, n, new int[] {ops.dst(o.get(0))},
            new int[] {ops.src(o.get(1), 64), ops.src(o.get(2), 64), ops.src(o.get(3), 32),
                ops.src(o.get(4), 32)}, 0, 0, 0, 0);
      }
      case "selp.b32", "selp.u32", "selp.s32", "selp.b64", "selp.u64", "selp.s64",
          "selp.f64" -> {
        count(o, 4);
        int w = width(opcode);
        return insn(Insn.SELP, Kind.INTEGER, g, n, new int[] {ops.dst(o.get(0))},
            new int[] {ops.src(o.get(1), w), ops.src(o.get(2), w), ops.predicate(o.get(3))}, 0, 0, 0, 0);
      }
      case "fma.rn.f64" -> {
        return fp(Insn.FMA_F64, Kind.FP64_FMA, 3, o, g, n);
      }
      case "mul.rn.f64" -> {
        return fp(Insn.MUL_F64, Kind.FP64_OTHER, 2, o, g, n);
      }
      case "add.rn.f64" -> {
        return fp(Insn.ADD_F64, Kind.FP64_OTHER, 2, o, g, n);
      }
      case "sub.rn.f64" -> {
        return fp(Insn.SUB_F64, Kind.FP64_OTHER, 2, o, g, n);
      }
      case "cvt.s64.s32" -> {
        return alu(Insn.MOV, 32, 1, o, g, n); // the slot already holds it sign-extended
      }
      case "cvt.u64.u32" -> {
        return alu(Insn.CVT_ZEXT32, 32, 1, o, g, n);
      }
      case "cvt.u32.u64", "cvt.s32.s64", "cvt.u32.s64", "cvt.s32.u64" -> {
        return alu(Insn.CVT_TRUNC32, 64, 1, o, g, n);
      }
      case "cvt.rn.f64.u64" -> {
        return fp(Insn.CVT_F64_U64, Kind.FP64_OTHER, 1, o, g, n);
      }
      case "cvt.rn.f64.s64" -> {
        return fp(Insn.CVT_F64_S64, Kind.FP64_OTHER, 1, o, g, n);
      }
      case "cvta.to.global.u64" -> {
        return alu(Insn.MOV, 64, 1, o, g, n); // generic and global addresses coincide here
      }
      case "atom.global.add.u64" -> {
        count(o, 3);
        long[] addr = ops.address(o.get(1));
        return insn(Insn.ATOM_ADD_U64, Kind.ATOMIC, g, n, new int[] {ops.dst(o.get(0))},
            new int[] {(int) addr[0], ops.src(o.get(2), 64)}, 8, 1, 0, addr[1]);
      }
      case "cp.async.cg.shared.global", "cp.async.ca.shared.global" -> {
        count(o, 3);
        long[] sh = ops.address(o.get(0));
        long[] gl = ops.address(o.get(1));
        Long size = Registers.immediate(o.get(2), 32);
        boolean cg = opcode.contains(".cg.");
        if (size == null || (cg ? size != 16 : size != 4 && size != 8 && size != 16)) {
          throw bad("cp.async copies 4, 8 or 16 bytes (.cg: 16)");
        }
        return insn(Insn.CP_ASYNC, Kind.CP_ASYNC, g, n, new int[0],
            new int[] {(int) sh[0], (int) gl[0]}, size.intValue(), Math.toIntExact(gl[1]), 0,
            sh[1]);
      }
      case "cp.async.commit_group" -> {
        count(o, 0);
        return insn(Insn.CP_COMMIT, Kind.CP_ASYNC, g, n, new int[0], new int[0], 0, 0, 0, 0);
      }
      case "cp.async.wait_group" -> {
        count(o, 1);
        Long k = Registers.immediate(o.get(0), 32);
        if (k == null || k < 0) {
          throw bad("cp.async.wait_group takes an integer constant");
        }
        return insn(Insn.CP_WAIT, Kind.CP_ASYNC, g, n, new int[0], new int[0], 0, 0, 0, k);
      }
      case "bar.sync", "barrier.sync.aligned" -> {
        count(o, 1);
        Long id = Registers.immediate(o.get(0), 32);
        if (id == null || id < 0 || id > 15) {
          throw bad("bar.sync takes a barrier number 0..15");
        }
        return insn(Insn.BAR, Kind.BARRIER, g, n, new int[0], new int[0], id.intValue(), 0, 0,
            0);
      }
      case "mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64" -> {
        count(o, 4);
        List<String> d = ops.vector(o.get(0), 2);
        List<String> a = ops.vector(o.get(1), 1);
        List<String> b = ops.vector(o.get(2), 1);
        List<String> c = ops.vector(o.get(3), 2);
        return insn(Insn.MMA_M8N8K4_F64, Kind.DMMA, g, n,
            new int[] {ops.dst(d.get(0)), ops.dst(d.get(1))},
            new int[] {ops.src(a.get(0), 64), ops.src(b.get(0), 64), ops.src(c.get(0), 64),
                ops.src(c.get(1), 64)}, 0, 0, 0, 0);
      }
      case "bra", "bra.uni" -> {
        count(o, 1);
        return insn(Insn.BRA, Kind.CONTROL, g, n, new int[0], new int[0], 0, 0, 0, -1);
      }
      case "ret", "exit" -> {
        count(o, 0);
        return insn(Insn.EXIT, Kind.CONTROL, g, n, new int[0], new int[0], 0, 0, 0, 0);
      }
      default -> {
        return decodeFamily(opcode, o, g, n);
      }
    }
  }

  /** mov, setp, ld and st, whose many type suffixes are parsed rather than listed. */
  private Insn decodeFamily(String opcode, List<String> o, int g, boolean n)
      throws PtxLoadException {
    String[] p = opcode.split("\\.");
    switch (p[0]) {
      case "mov" -> {
        if (p.length != 2) {
          break;
        }
        count(o, 2);
        int w = ops.typeWidth(p[1]);
        String from = o.get(1);
        Integer sr = Operands.special(from);
        if (sr != null) {
          return insn(Insn.SPECIAL, Kind.INTEGER, g, n, new int[] {ops.dst(o.get(0))}, new int[0],
              sr, 0, 0, 0);
        }
        return insn(Insn.MOV, Kind.INTEGER, g, n, new int[] {ops.dst(o.get(0))},
            new int[] {ops.src(from, w)}, 0, 0, 0, 0);
      }
      case "setp" -> {
        if (p.length != 3) {
          break;
        }
        count(o, 3);
        int cmp = compare(p[1]);
        int type = switch (p[2]) {
          case "s32" -> Insn.TYPE_S32;
          case "u32", "b32" -> Insn.TYPE_U32;
          case "s64" -> Insn.TYPE_S64;
          case "u64", "b64" -> Insn.TYPE_U64;
          default -> throw bad("unsupported setp type ." + p[2]);
        };
        if (p[2].startsWith("b") && cmp != Insn.CMP_EQ && cmp != Insn.CMP_NE) {
          throw bad("setp on .b types compares eq or ne only");
        }
        int w = type <= Insn.TYPE_U32 ? 32 : 64;
        return insn(Insn.SETP, Kind.INTEGER, g, n, new int[] {ops.predicateDst(o.get(0))},
            new int[] {ops.src(o.get(1), w), ops.src(o.get(2), w)}, cmp, type, 0, 0);
      }
      case "ld", "st" -> {
        return memory(p, o, g, n);
      }
      default -> {
      }
    }
    throw bad("unsupported instruction '" + opcode + "'");
  }

  private Insn memory(String[] p, List<String> o, int g, boolean n) throws PtxLoadException {
    boolean load = p[0].equals("ld");
    if (p.length < 3) {
      throw bad("unsupported instruction");
    }
    String space = p[1];
    int i = 2;
    if (load && space.equals("global") && p[i].equals("nc")) {
      i++;
    }
    int vec = 1;
    if (p[i].equals("v2") || p[i].equals("v4")) {
      vec = p[i].charAt(1) - '0';
      i++;
    }
    if (i != p.length - 1) {
      throw bad("unsupported " + p[0] + " qualifiers");
    }
    int size = ops.typeWidth(p[i]) / 8;
    if (size < 4) {
      throw bad("unsupported " + p[0] + " type ." + p[i]);
    }
    count(o, 2);
    String value = load ? o.get(0) : o.get(1);
    String where = load ? o.get(1) : o.get(0);
    if (space.equals("param")) {
      if (!load || vec != 1) {
        throw bad("only scalar ld.param is supported");
      }
      String a = ops.inside(where);
      String name = a;
      long off = 0;
      int plus = a.indexOf('+');
      if (plus > 0) {
        name = a.substring(0, plus);
        off = Registers.immediate(a.substring(plus + 1), 64);
      }
      int[] param = params.get(name);
      if (param == null) {
        throw bad("unknown parameter " + name);
      }
      return insn(Insn.LD_PARAM, Kind.PARAM, g, n, new int[] {ops.dst(value)}, new int[0],
          param[0], size, param[1], off);
    }
    int op = switch (space) {
      case "global" -> load ? Insn.LD_GLOBAL : Insn.ST_GLOBAL;
      case "shared" -> load ? Insn.LD_SHARED : Insn.ST_SHARED;
      default -> throw bad("unsupported state space ." + space);
    };
    Kind kind = switch (op) {
      case Insn.LD_GLOBAL -> Kind.GLOBAL_LOAD;
      case Insn.ST_GLOBAL -> Kind.GLOBAL_STORE;
      case Insn.LD_SHARED -> Kind.SHARED_LOAD;
      default -> Kind.SHARED_STORE;
    };
    long[] addr = ops.address(where);
    List<String> values = ops.vector(value, vec);
    int[] regsOf = new int[vec];
    for (int k = 0; k < vec; k++) {
      regsOf[k] = load ? ops.dst(values.get(k)) : ops.src(values.get(k), size * 8);
    }
    int[] srcs;
    int[] dsts;
    if (load) {
      dsts = regsOf;
      srcs = new int[] {(int) addr[0]};
    } else {
      dsts = new int[0];
      srcs = new int[vec + 1];
      srcs[0] = (int) addr[0];
      System.arraycopy(regsOf, 0, srcs, 1, vec);
    }
    return insn(op, kind, g, n, dsts, srcs, size, vec, 0, addr[1]);
  }

  private Insn alu(int op, int width, int sources, List<String> o, int g, boolean n)
      throws PtxLoadException {
    count(o, sources + 1);
    int[] srcs = new int[sources];
    for (int i = 0; i < sources; i++) {
      srcs[i] = ops.src(o.get(i + 1), width);
    }
    return insn(op, Kind.INTEGER, g, n, new int[] {ops.dst(o.get(0))}, srcs, 0, 0, 0, 0);
  }

  private Insn fp(int op, Kind kind, int sources, List<String> o, int g, boolean n)
      throws PtxLoadException {
    count(o, sources + 1);
    int[] srcs = new int[sources];
    for (int i = 0; i < sources; i++) {
      srcs[i] = ops.src(o.get(i + 1), 64);
    }
    return insn(op, kind, g, n, new int[] {ops.dst(o.get(0))}, srcs, 0, 0, 0, 0);
  }

  private void count(List<String> o, int expected) throws PtxLoadException {
    if (o.size() != expected) {
      throw bad("expected " + expected + " operands, found " + o.size());
    }
  }

  private int width(String opcode) throws PtxLoadException {
    return ops.typeWidth(opcode.substring(opcode.lastIndexOf('.') + 1));
  }

  private int compare(String c) throws PtxLoadException {
    return switch (c) {
      case "eq" -> Insn.CMP_EQ;
      case "ne" -> Insn.CMP_NE;
      case "lt" -> Insn.CMP_LT;
      case "le" -> Insn.CMP_LE;
      case "gt" -> Insn.CMP_GT;
      case "ge" -> Insn.CMP_GE;
      case "lo" -> Insn.CMP_LO;
      case "ls" -> Insn.CMP_LS;
      case "hi" -> Insn.CMP_HI;
      case "hs" -> Insn.CMP_HS;
      default -> throw bad("unsupported comparison ." + c);
    };
  }

}
