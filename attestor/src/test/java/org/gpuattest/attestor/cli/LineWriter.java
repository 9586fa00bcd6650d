package org.gpuattest.attestor.cli;

import java.io.Writer;
import java.util.concurrent.BlockingQueue;

/** Collects what is printed into whole lines, for tests that talk with a conversation. */
final class LineWriter extends Writer {
  private final BlockingQueue<String> lines;
  private final StringBuilder line = new StringBuilder();

  LineWriter(BlockingQueue<String> lines) {
    this.lines = lines;
  }

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (buf[i] == '\n') {
        lines.add(line.toString());
        line.setLength(0);
      } else if (buf[i] != '\r') {
        line.append(buf[i]);
      }
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
