package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.AttestorCliHarness.random;
import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.gpuattest.attestor.cli.AttestorCliHarness.runWithStdin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attestor prove} and {@code attestor open} on the exact CPU backend at n = 64, T = 2,
 * G = 2: a valid challenge gives one base64 commitment line and one state folder named by its
 * digest, and an opening request is answered; bad base64, expired or badly signed challenges,
 * bad keys, bad --devices and out-of-range samples are exit 2 with one stderr line naming the
 * field; a missing CUDA backend is exit 3.
 */
class AttestorProveOpenCliTest {
  @TempDir Path dir;
  private Path state;
  private Path key;
  private Ed25519PrivateKey proverKey;

  @BeforeEach
  void writeKey() throws IOException {
    state = dir.resolve("state");
    key = dir.resolve("prover.pem");
    proverKey = Ed25519PrivateKey.generate(new SecureRandom());
    Files.writeString(key, proverKey.toPem());
  }

  /** prove --backend cpu with a key, so that stderr carries no "no --signing-key" warning. */
  private Result prove(String challengeText, String... extra) {
    List<String> args = new ArrayList<>(List.of("prove", "--backend", "cpu", "--challenge",
        challengeText, "--state", state.toString(), "--signing-key", key.toString()));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private static Challenge small() {
    return challenge(64, 2, 2, 8);
  }

  private List<Path> stateEntries() throws IOException {
    if (!Files.exists(state)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(state)) {
      return s.toList();
    }
  }

  /** Proves {@code c} and checks the commitment and the state folder. */
  private Commitment proveOk(Challenge c) throws Exception {
    String text = MessageCodec.encode(c);
    Result r = prove(text).assertOk();
    assertEquals(1, r.out().lines().count(), r.describe());
    assertTrue(r.out().endsWith("\n"), r.describe());
    Commitment commitment =
        MessageCodec.decode("commitment", r.out().strip(), Commitment.class).value();
    byte[] challengeBytes = MessageCodec.base64("challenge", text);
    assertEquals(Hex.encode(CommitmentDigest.challengeDigest(challengeBytes)),
        commitment.challengeDigest());
    assertEquals(c.devices(), commitment.devices().size());
    for (int g = 0; g < c.devices(); g++) {
      DeviceReport d = commitment.devices().get(g);
      assertEquals(g, d.index());
      assertEquals(DeviceReport.CPU, d.backend());
      assertEquals(Hex.encode(Reference.deviceRoot(
          Reference.matrixRoots(c.philoxKey(), g, c.dim(), c.iterations()))), d.root(),
          "R(" + g + ") is canonical-v1's");
    }
    assertEquals(proverKey.publicKey().toPem(), commitment.proverPublicKey());
    assertEquals(List.of(state.resolve(commitment.commitmentDigest())), stateEntries(),
        "one state folder, named by the commitment digest, and nothing half-written");
    assertTrue(Files.isDirectory(state.resolve(commitment.commitmentDigest())));
    return commitment;
  }

  private static String request(Commitment c, Sample... samples) {
    return MessageCodec.encode(new OpeningRequest(1, c.challengeDigest(), c.commitmentDigest(),
        List.of(samples)));
  }

  private Result open(String requestText) {
    return run("open", "--request", requestText, "--state", state.toString());
  }

  @Test
  void proveThenOpen_smallChallenge_commitsAndOpensThreeRows() throws Exception {
    Challenge c = small();
    Commitment commitment = proveOk(c);
    Sample[] samples = {new Sample(0, 0, 5), new Sample(1, 1, 63), new Sample(0, 1, 0)};
    Result r = open(request(commitment, samples)).assertOk();
    assertEquals(1, r.out().lines().count(), r.describe());
    assertEquals("", r.err());
    Openings o = MessageCodec.decode("openings", r.out().strip(), Openings.class).value();
    assertEquals(commitment.commitmentDigest(), o.commitmentDigest());
    assertEquals(commitment.challengeDigest(), o.challengeDigest());
    assertEquals(3, o.openings().size());
    for (int i = 0; i < samples.length; i++) {
      Opening op = o.openings().get(i);
      assertEquals(samples[i], op.sample(), "openings are in the request's order");
      assertEquals(Hex.encode(Reference.matrixRoots(c.philoxKey(), op.device(), 64, 2)
          [op.iteration()]), op.matrixRoot());
    }
  }

  @Test
  void proveThenOpen_messagesFromStdinAndFile_accepted() throws Exception {
    Challenge c = small();
    Path file = dir.resolve("challenge.b64");
    Files.writeString(file, MessageCodec.encode(c) + "\n");
    Result r = run("prove", "--backend", "cpu", "--challenge", "@" + file, "--state",
        state.toString(), "--signing-key", key.toString()).assertOk();
    Commitment commitment =
        MessageCodec.decode("commitment", r.out().strip(), Commitment.class).value();
    r = runWithStdin(request(commitment, new Sample(1, 0, 7)) + "\n", "open", "--request", "-",
        "--state", state.toString()).assertOk();
    assertEquals(1, MessageCodec.decode("openings", r.out().strip(), Openings.class).value()
        .openings().size());
  }

  @Test
  void open_sampleOutOfRange_exit2NamingSampleField() throws Exception {
    Commitment c = proveOk(small());
    Sample ok = new Sample(0, 0, 0);
    open(request(c, ok, new Sample(0, 0, 64))).assertBadInput("samples[1].row");
    open(request(c, ok, new Sample(2, 0, 0))).assertBadInput("samples[1].device");
    open(request(c, ok, new Sample(0, 5, 0))).assertBadInput("samples[1].iteration");
    open(request(c, new Sample(0, 2, 0))).assertBadInput("samples[0].iteration");
  }

  @Test
  void open_negativeSample_exit2NamingSamples() throws Exception {
    Commitment c = proveOk(small());
    String json = Json.writeString(new OpeningRequest(1, c.challengeDigest(),
        c.commitmentDigest(), List.of(new Sample(0, 0, 3))));
    String bad = json.replaceFirst("\"row\" ?: ?3", "\"row\" : -3");
    open(b64(bad)).assertBadInput("samples");
  }

  @Test
  void open_unknownCommitment_exit2() throws Exception {
    Commitment c = proveOk(small());
    String unknown = Hex.encode(random(32));
    open(MessageCodec.encode(new OpeningRequest(1, c.challengeDigest(), unknown,
        List.of(new Sample(0, 0, 0))))).assertBadInput(unknown);
  }

  /**
   * A state folder the prover may not search: "permission denied", its own store's fault
   * (exit 3), where it used to say there was no state for the commitment. Skipped where this
   * JVM searches any folder (root; InputFilesTest says how to run it there).
   */
  @Test
  void open_unsearchableStateFolder_exit3PermissionDenied() throws Exception {
    Commitment c = proveOk(small());
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("---------"));
    try {
      assumeFalse(Files.isExecutable(state), "this JVM searches folders of mode 000 (root)");
      open(request(c, new Sample(0, 0, 0))).assertFailure(ExitCodes.RUNTIME,
          "cannot read the prover state folder " + state + ": permission denied");
    } finally {
      Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void open_otherChallengeDigest_exit2NamingChallengeDigest() throws Exception {
    Commitment c = proveOk(small());
    open(MessageCodec.encode(new OpeningRequest(1, Hex.encode(random(32)),
        c.commitmentDigest(), List.of(new Sample(0, 0, 0))))).assertBadInput("challengeDigest");
  }

  @Test
  void open_malformedRequest_exit2NamingRequest() {
    open("!!!").assertBadInput("request");
    open(b64("{\"version\": 1,")).assertBadInput("request");
    open(b64("{\"version\": 2, \"challengeDigest\": \"00\"}")).assertBadInput("version");
    open("A".repeat(MessageCodec.MAX_TEXT_CHARS + 1)).assertBadInput("request");
    open("@" + dir.resolve("absent.b64")).assertBadInput("request");
  }

  @Test
  void prove_badBase64_exit2OneLine() throws IOException {
    prove("not base64!").assertBadInput("challenge");
    prove(b64("{\"version\": 1")).assertBadInput("challenge");
    prove("A".repeat(MessageCodec.MAX_TEXT_CHARS + 1)).assertBadInput("challenge");
    assertEquals(List.of(), stateEntries());
  }

  @Test
  void prove_hostileSizes_exit2NamingField() throws IOException {
    String json = Json.writeString(small());
    String[][] edits = {
        {"\"dim\" ?: ?64", "\"dim\" : 2147483584", "dim"},
        {"\"dim\" ?: ?64", "\"dim\" : 100", "dim"},
        {"\"iterations\" ?: ?2", "\"iterations\" : 1048577", "iterations"},
        {"\"devices\" ?: ?2", "\"devices\" : 65", "devices"},
        {"\"devices\" ?: ?2", "\"devices\" : 0", "devices"},
        {"\"samples\" ?: ?8", "\"samples\" : -1", "samples"}};
    for (String[] e : edits) {
      String bad = json.replaceFirst(e[0], e[1]);
      assertTrue(!bad.equals(json), e[0]);
      prove(b64(bad)).assertBadInput(e[2]);
    }
    assertEquals(List.of(), stateEntries());
  }

  @Test
  void prove_expiredChallenge_exit2NamingExpiry() throws IOException {
    Instant now = Instant.now();
    Challenge c = challenge(64, 2, 2, 8, now.minusSeconds(600), now.minusSeconds(300));
    prove(MessageCodec.encode(c)).assertBadInput("expire");
    assertEquals(List.of(), stateEntries());
  }

  @Test
  void prove_expiredChallengeWithoutKey_exit2OneLine() {
    Instant now = Instant.now();
    Challenge c = challenge(64, 2, 2, 8, now.minusSeconds(600), now.minusSeconds(300));
    run("prove", "--backend", "cpu", "--challenge", MessageCodec.encode(c), "--state",
        state.toString()).assertBadInput("expire");
  }

  @Test
  void prove_tamperedSignature_exit2NamingSignature() throws IOException {
    Challenge signed = small().signedBy(Ed25519PrivateKey.generate(new SecureRandom()));
    byte[] sig = Base64.getDecoder().decode(signed.signature());
    sig[7] ^= 0x01;
    Challenge tampered = new Challenge(1, signed.id(), signed.seed(), signed.dim(),
        signed.iterations(), signed.devices(), signed.model(), signed.issuedAt(),
        signed.expiresAt(), signed.samples(), signed.validatorPublicKey(),
        Base64.getEncoder().encodeToString(sig));
    prove(MessageCodec.encode(tampered)).assertBadInput("signature");
    assertEquals(List.of(), stateEntries());
  }

  @Test
  void prove_fieldChangedAfterSigning_exit2NamingSignature() throws IOException {
    Challenge signed = small().signedBy(Ed25519PrivateKey.generate(new SecureRandom()));
    Challenge changed = new Challenge(1, signed.id(), signed.seed(), signed.dim(),
        signed.iterations(), signed.devices(), signed.model(), signed.issuedAt(),
        signed.expiresAt(), signed.samples() + 1, signed.validatorPublicKey(),
        signed.signature());
    prove(MessageCodec.encode(changed)).assertBadInput("signature");
    assertEquals(List.of(), stateEntries());
  }

  @Test
  void prove_validSignature_accepted() throws Exception {
    proveOk(small().signedBy(Ed25519PrivateKey.generate(new SecureRandom())));
  }

  @Test
  void prove_cudaBackend_exit3OneLine() {
    run("prove", "--backend", "cuda", "--challenge", MessageCodec.encode(small()),
        "--state", state.toString(), "--signing-key", key.toString())
        .assertFailure(ExitCodes.RUNTIME, "cuda");
  }

  @Test
  void prove_badDevices_exit2NamingDevices() throws IOException {
    String c = MessageCodec.encode(small());
    prove(c, "--devices", "0").assertBadInput("--devices");
    prove(c, "--devices", "0,1,2").assertBadInput("--devices");
    prove(c, "--devices", "0,x").assertBadInput("--devices");
    assertEquals(List.of(), stateEntries());
  }

  @Test
  void prove_sameDeviceTwice_commitsOneUuidTwiceAndSaysSo() throws Exception {
    Result r = prove(MessageCodec.encode(small()), "--devices", "0,0").assertOk();
    assertTrue(r.err().contains("device 0 is listed twice"), r.describe());
    Commitment c = MessageCodec.decode("commitment", r.out().strip(), Commitment.class).value();
    assertEquals(c.devices().get(0).uuid(), c.devices().get(1).uuid());
    assertTrue(!c.devices().get(0).root().equals(c.devices().get(1).root()),
        "each g computed its own B(g)");
    // Before the subcommand too, as 'validator attest --prover "attestor --devices 0,0"' puts it.
    Result root = run("--devices", "0,0", "prove", "--backend", "cpu", "--challenge",
        MessageCodec.encode(small()), "--state", state.toString(), "--signing-key",
        key.toString()).assertOk();
    Commitment viaRoot =
        MessageCodec.decode("commitment", root.out().strip(), Commitment.class).value();
    assertEquals(viaRoot.devices().get(0).uuid(), viaRoot.devices().get(1).uuid());
  }

  @Test
  void prove_keyNotPem_exit2NamingKey() throws IOException {
    Files.writeString(key, "this is not a PEM key\n");
    prove(MessageCodec.encode(small())).assertBadInput("--signing-key");
    Files.writeString(key, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    prove(MessageCodec.encode(small())).assertBadInput("--signing-key");
    Files.delete(key);
    prove(MessageCodec.encode(small())).assertBadInput("--signing-key");
    assertEquals(List.of(), stateEntries());
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
