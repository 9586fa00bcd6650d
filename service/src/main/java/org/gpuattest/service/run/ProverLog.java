package org.gpuattest.service.run;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * Where one attestation's progress and its prover's stderr go: the service's stderr, each line
 * marked with the provider's name, and at most {@link #MAX_LINES} lines per attestation, then
 * one line saying how many more were dropped. A prover that floods its stderr costs the service
 * nothing but those lines (docs/service.md, "Faults").
 */
final class ProverLog extends Writer {
  static final int MAX_LINES = 200;

  private final PrintWriter out;
  private final String mark;
  private final StringBuilder line = new StringBuilder();
  private int lines;
  private long dropped;

  ProverLog(PrintWriter out, String provider) {
    this.out = out;
    this.mark = "validator serve: [" + provider + "] ";
  }

  static PrintWriter to(PrintWriter out, String provider) {
    return new PrintWriter(new ProverLog(out, provider), true);
  }

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      char c = buf[i];
      if (c == '\n') {
        emit();
      } else if (line.length() < 2000) {
        line.append(c);
      }
    }
  }

  private void emit() {
    if (lines < MAX_LINES) {
      synchronized (out) {
        out.println(mark + line);
        out.flush();
      }
      lines++;
    } else {
      dropped++;
    }
    line.setLength(0);
  }

  @Override
  public void flush() {}

  @Override
  public synchronized void close() {
    if (line.length() > 0) {
      emit();
    }
    if (dropped > 0) {
      synchronized (out) {
        out.println(mark + dropped + " more lines of this attestation were not shown");
        out.flush();
      }
      dropped = 0;
    }
  }
}
