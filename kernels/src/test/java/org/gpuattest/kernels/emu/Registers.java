package org.gpuattest.kernels.emu;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An entry's register file layout: every declared register a slot, then one constant slot per
 * distinct immediate (and symbol address), so that every operand the interpreter reads is a
 * slot (PTX ISA 9.0 §5.3 state spaces: .reg; §4.5 constants). A 32-bit value sits in its
 * slot sign-extended; a predicate is 0 or 1; an f64 is its raw bits.
 */
final class Registers {
  private final Map<String, Integer> slots = new HashMap<>();
  private final Map<String, Integer> widths = new HashMap<>();
  private final Map<Long, Integer> constantSlots = new HashMap<>();
  private final List<Long> constants = new ArrayList<>();
  private int registers;
  private boolean sealed;

  /** Declares {@code %name<count>} (or one register when count is 0) of a width in bits. */
  void declare(String name, int count, int width, int line) throws PtxLoadException {
    if (sealed) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX, line,
          "register declaration after the first instruction");
    }
    if (count == 0) {
      add(name, width, line);
    }
    for (int i = 0; i < count; i++) {
      add(name + i, width, line);
    }
  }

  private void add(String name, int width, int line) throws PtxLoadException {
    if (slots.putIfAbsent(name, registers) != null) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX, line,
          "duplicate register " + name);
    }
    widths.put(name, width);
    registers++;
  }

  /** The slot of a declared register. */
  int register(String name, int line) throws PtxLoadException {
    sealed = true;
    Integer s = slots.get(name);
    if (s == null) {
      throw new PtxLoadException(PtxLoadException.INVALID_PTX, line,
          "unknown register " + name);
    }
    return s;
  }

  int width(String name) {
    return widths.getOrDefault(name, 0);
  }

  boolean isRegister(String name) {
    return slots.containsKey(name);
  }

  /** The constant slot holding {@code value} (added once); slots follow the registers. */
  int constant(long value) {
    sealed = true;
    return constantSlots.computeIfAbsent(value, v -> {
      constants.add(v);
      return -constants.size(); // resolved to registers + index by slot()
    });
  }

  /** Resolves a slot number from {@link #constant} (negative) or {@link #register}. */
  int slot(int raw) {
    return raw >= 0 ? raw : registers + (-raw - 1);
  }

  int registerCount() {
    return registers;
  }

  long[] constantValues() {
    long[] v = new long[constants.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = constants.get(i);
    }
    return v;
  }

  /**
   * Parses an immediate as PTX writes them (§4.5.1 integer constants, decimal, hex, octal;
   * §4.5.2 floating-point constants 0dXXXXXXXXXXXXXXXX), kept as the slot form of an operand of
   * {@code width} bits: 32-bit values sign-extended.
   */
  static Long immediate(String s, int width) {
    String t = s;
    if (t.matches("0[dD][0-9a-fA-F]{16}")) {
      return Long.parseUnsignedLong(t.substring(2), 16);
    }
    if (t.matches("0[fF][0-9a-fA-F]{8}")) {
      return null; // f32 constants: no f32 instruction is emulated
    }
    boolean negative = t.startsWith("-");
    if (negative) {
      t = t.substring(1);
    }
    if (t.endsWith("U")) {
      t = t.substring(0, t.length() - 1);
    }
    BigInteger v;
    if (t.matches("0[xX][0-9a-fA-F]+")) {
      v = new BigInteger(t.substring(2), 16);
    } else if (t.matches("[0-9]+")) {
      v = new BigInteger(t);
    } else {
      return null;
    }
    if (negative) {
      v = v.negate();
    }
    long bits = v.longValue();
    return width == 32 ? (long) (int) bits : bits;
  }
}
