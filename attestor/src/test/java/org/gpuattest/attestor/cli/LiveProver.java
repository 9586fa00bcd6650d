package org.gpuattest.attestor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Ready;

/**
 * One {@code attestor prove --conversation} run in-process on the CPU backend, with a live
 * stdin and a stdout read line by line, as {@code validator attest} talks to it
 * (docs/protocol.md §3.2).
 */
final class LiveProver implements AutoCloseable {
  final PipedOutputStream stdin = new PipedOutputStream();
  final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  final StringWriter err = new StringWriter();
  final CompletableFuture<Integer> code;

  /** @param dir where its state folder goes; {@code extra} options follow the others */
  LiveProver(Path dir, String... extra) throws IOException {
    PipedInputStream in = new PipedInputStream(stdin, 1 << 20);
    PrintWriter out = new PrintWriter(new LineWriter(stdout));
    List<String> args = new java.util.ArrayList<>(List.of("prove", "--conversation",
        "--backend", "cpu", "--state", dir.resolve("state").toString()));
    args.addAll(List.of(extra));
    code = CompletableFuture.supplyAsync(() -> AttestorCli.run(args.toArray(String[]::new),
        in, out, new PrintWriter(err), AttestorCliHarness.NO_GPU,
        AttestorCliHarness.NO_CONFIG));
  }

  void send(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    stdin.flush();
  }

  String answer() throws Exception {
    String line = stdout.poll(60, TimeUnit.SECONDS);
    assertNotNull(line, () -> "no answer; stderr: " + err);
    return line;
  }

  int exit() throws Exception {
    return code.get(60, TimeUnit.SECONDS);
  }

  /** The last stderr line, with no stack trace anywhere. */
  String lastErrLine() {
    String text = err.toString();
    assertFalse(text.contains("\tat "), text);
    List<String> lines = text.strip().lines().toList();
    return lines.get(lines.size() - 1);
  }

  @Override
  public void close() throws IOException {
    stdin.close();
  }

  static String prepare(Challenge c) {
    return "prepare " + MessageCodec.encode(Preparation.of(c));
  }

  /** Prepares {@code c} and returns the ready answer once the prover is ready. */
  static Ready ready(LiveProver p, Challenge c) throws Exception {
    p.send(prepare(c));
    String ready = p.answer();
    assertTrue(ready.startsWith("ready "), ready);
    Ready r = MessageCodec.decode("ready", ready.substring(6), Ready.class).value();
    assertEquals(c.id(), r.challengeId());
    assertEquals(c.devices(), r.devices());
    return r;
  }
}
