package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --threads} of 'verify' and 'attest': a count from 1 to 1024; anything else is exit 2
 * with one stderr line naming the option, before a session is read or a prover started.
 */
class ValidatorThreadsOptionTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "--threads {0}")
  @ValueSource(strings = {"0", "-1", "1025", "x", "2.5", ""})
  void verify_badThreads_exit2NamingThreads(String threads) {
    run("verify", "--session", dir.resolve("absent.json").toString(), "--openings", "e30=",
        "--replay-dir", dir.resolve("replay").toString(), "--threads", threads)
        .assertBadInput("--threads");
  }

  @ParameterizedTest(name = "--threads {0}")
  @ValueSource(strings = {"0", "-1", "x"})
  void attest_badThreads_exit2BeforeAnyProverStarts(String threads) throws Exception {
    Path started = dir.resolve("started");
    String prover = script(dir, "prover", "touch '" + started + "'\nexit 3");
    run("attest", "--separate", "--prover", prover, "--gpus", "1", "--model", MODEL, "--dim",
        "64", "--iterations", "1", "--weak-timing", "--replay-dir",
        dir.resolve("replay").toString(), "--threads", threads).assertBadInput("--threads");
    assertFalse(Files.exists(started), "a prover started despite a bad --threads");
  }

  /** Accepted counts get as far as the session, which is missing here. */
  @ParameterizedTest(name = "--threads {0}")
  @ValueSource(strings = {"1", "1024"})
  void verify_threadsInRange_accepted(String threads) {
    run("verify", "--session", dir.resolve("absent.json").toString(), "--openings", "e30=",
        "--replay-dir", dir.resolve("replay").toString(), "--threads", threads)
        .assertBadInput("--session: no such file");
  }
}
