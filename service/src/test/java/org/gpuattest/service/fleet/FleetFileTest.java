package org.gpuattest.service.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.validator.GpuProfiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet file: testdata/examples/service/fleet.json against its schema and the reader, and a
 * file with many bad entries refused whole, each on its own line, including challenges the CLI
 * would refuse (an unknown model, weak timing).
 */
class FleetFileTest {
  static final Path TESTDATA = Path.of("..", "testdata");
  static final String MODEL = "NVIDIA H100 80GB HBM3";

  @TempDir Path dir;

  private final FleetFile reader = new FleetFile(GpuProfiles.bundled(), new SecureRandom(),
      Clock.systemUTC());

  static JsonSchema schema() throws Exception {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
        Files.readString(TESTDATA.resolve("schemas/fleet-file.schema.json")), InputFormat.JSON);
  }

  @Test
  void example_validatesAndReads() throws Exception {
    String text = Files.readString(TESTDATA.resolve("examples/service/fleet.json"));
    Set<ValidationMessage> errors = schema().validate(text, InputFormat.JSON);
    assertEquals(Set.of(), errors);
    Path copy = dir.resolve("fleet.json");
    Files.writeString(copy, text);
    Files.writeString(dir.resolve("acme-a100.pub.pem"),
        Ed25519PrivateKey.generate(new SecureRandom()).publicKey().toPem());
    Fleet f = reader.read(copy);
    assertEquals(List.of("lab-7", "acme-a100", "old-a100"), f.providers().stream()
        .map(Provider::name).toList());
    assertEquals(List.of(true, true, false), f.providers().stream().map(Provider::memory)
        .toList(), "the memory phase unless noMemory");
    Provider acme = f.providers().get(1);
    assertTrue(acme.proverKey().isPresent(), "the key, relative to the file's folder");
    assertEquals(Duration.ofSeconds(120), acme.prepareTimeout());
    assertEquals(2048, f.providers().get(0).challenge().dim(), "the default dim");
  }

  /** The README's demo fleet: valid, two CPU provers, each challenge one 'attest' accepts. */
  @Test
  void demoFleet_validatesAndReads() throws Exception {
    Path file = TESTDATA.resolve("examples/service/demo-fleet.json");
    assertEquals(Set.of(), schema().validate(Files.readString(file), InputFormat.JSON));
    Fleet f = reader.read(file);
    assertEquals(List.of("demo-a", "demo-b"), f.providers().stream().map(Provider::name)
        .toList());
    assertTrue(f.providers().stream().allMatch(Provider::allowCpu));
  }

  @Test
  void read_manyBadEntries_eachOnItsOwnLineAndNothingAccepted() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"version\": 1, \"providers\": ["
        + entry("ok", "") + ","
        + entry("ok", "") + ","
        + entry("typo", ", \"Samples\": 3") + ","
        + entry("unknown-model", "").replace(MODEL, "NVIDIA Z9") + ","
        + entry("weak", ", \"dim\": 64, \"iterations\": 1") + ","
        + entry("often", "").replace("\"intervalSeconds\": 60", "\"intervalSeconds\": 0") + ","
        + "{\"name\": \"no-prover\", \"gpus\": 1, \"model\": \"" + MODEL + "\","
        + " \"intervalSeconds\": 60},"
        + entry("bad name!", "") + "]}");
    BadMessageException e = assertThrows(BadMessageException.class, () -> reader.read(file));
    List<String> p = e.problems();
    assertEquals(7, p.size(), String.join("\n", p));
    String f = file.toString();
    assertEquals(f + ": providers[1] (ok): the name is also at providers[0]; name each provider"
        + " once", p.get(0));
    assertEquals(f + ": providers[2] (typo): unknown field 'Samples' (did you mean"
        + " 'samples'?)", p.get(1));
    assertTrue(p.get(2).startsWith(f + ": providers[3] (unknown-model): model: unknown GPU"
        + " model 'NVIDIA Z9'"), p.get(2));
    assertTrue(p.get(3).startsWith(f + ": providers[4] (weak): iterations: "), p.get(3));
    assertEquals(f + ": providers[5] (often): intervalSeconds must be in [1, 604800], got 0",
        p.get(4));
    assertEquals(f + ": providers[6] (no-prover): prover is required", p.get(5));
    assertTrue(p.get(6).startsWith(f + ": providers[7] (bad name!): name: a provider label"),
        p.get(6));
  }

  @Test
  void read_allowCpu_smallChallengeAccepted() throws Exception {
    Path file = dir.resolve("demo.json");
    Files.writeString(file, "{\"version\": 1, \"providers\": [" + entry("cpu",
        ", \"dim\": 64, \"iterations\": 1, \"allowCpu\": true") + "]}");
    Provider p = reader.read(file).providers().get(0);
    assertTrue(p.allowCpu());
    assertEquals(64, p.challenge().dim());
  }

  /**
   * The memory phase is asked for as 'validator attest' asks for it: a challenge too short to
   * keep the model's memory is refused, naming noMemory (attest names --no-memory), and the
   * same challenge without the phase is accepted.
   */
  @Test
  void read_memoryPhaseTooShort_refusedNamingNoMemory_acceptedWithIt() throws Exception {
    Path file = dir.resolve("memory.json");
    String big = ", \"dim\": 8192, \"seconds\": 10";
    Files.writeString(file, "{\"version\": 1, \"providers\": [" + entry("big", big) + "]}");
    BadMessageException e = assertThrows(BadMessageException.class, () -> reader.read(file));
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).startsWith(file + ": providers[0] (big): seconds: keeping"
        + " 0.85 of the 80 GiB of a " + MODEL + " at dim 8192 takes "), e.getMessage());
    assertTrue(e.problems().get(0).endsWith(", or give noMemory"), e.getMessage());
    Files.writeString(file, "{\"version\": 1, \"providers\": [" + entry("big",
        big + ", \"noMemory\": true") + "]}");
    assertEquals(false, reader.read(file).providers().get(0).memory());
  }

  @Test
  void read_notJsonOrMissing_oneLine() throws Exception {
    Path file = dir.resolve("x.json");
    Files.writeString(file, "[1, 2]", StandardCharsets.UTF_8);
    BadMessageException e = assertThrows(BadMessageException.class, () -> reader.read(file));
    assertEquals(file + ": expected an object", e.getMessage());
    BadMessageException missing = assertThrows(BadMessageException.class,
        () -> reader.read(dir.resolve("none.json")));
    assertEquals(1, missing.problems().size());
  }

  static String entry(String name, String extra) {
    return "{\"name\": \"" + name + "\", \"prover\": \"ssh gpu /opt/attestor\", \"gpus\": 1,"
        + " \"model\": \"" + MODEL + "\", \"intervalSeconds\": 60" + extra + "}";
  }
}
