package org.gpuattest.attestor.cli;

import java.io.Writer;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/** Collects what is printed into whole lines, for tests that talk with a conversation. */
final class LineWriter extends Writer {
  private final Consumer<String> onLine;
  private final StringBuilder line = new StringBuilder();

  /** Each whole line to {@code onLine}, on the writer's thread, as it ends. */
  LineWriter(Consumer<String> onLine) {
    this.onLine = onLine;
  }

  LineWriter(BlockingQueue<String> lines) {
    this((Consumer<String>) lines::add);
  }

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (buf[i] == '\n') {
        onLine.accept(line.toString());
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
