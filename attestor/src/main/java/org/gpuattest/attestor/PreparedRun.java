package org.gpuattest.attestor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * A prover between its preparation and the seed (docs/protocol.md §3.2): the devices are
 * chosen and, in the attest conversation, allocated; {@link #run} takes the challenge, checks
 * it is the prepared one, generates every B(g) and runs (B generation is timed work), then
 * signs and keeps the state that {@link Opener} needs. Used once.
 */
public final class PreparedRun implements AutoCloseable {
  private final Prover prover;
  private final Preparation preparation;
  private final List<Integer> chosen;
  private final List<Device> devices;
  private final Path stateRoot;
  private ProverState state;
  private boolean used;

  PreparedRun(Prover prover, Preparation preparation, List<Integer> chosen,
      List<Device> devices, Path stateRoot) {
    this.prover = prover;
    this.preparation = preparation;
    this.chosen = chosen;
    this.devices = devices;
    this.stateRoot = stateRoot;
  }

  /** Takes every device's buffers for n; on failure gives back what was taken. */
  void allocate() throws BackendException {
    try {
      for (Device d : devices) {
        d.allocate(preparation.dim());
      }
    } catch (BackendException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The G devices prepared. */
  public int deviceCount() {
    return devices.size();
  }

  /**
   * Runs the challenge on the prepared devices and commits; the devices are freed after.
   *
   * @throws BadMessageException the challenge is not the prepared one, is expired, badly
   *     signed or not from a trusted validator
   * @throws BackendException a device failed, or a result differs from the CPU reference
   */
  public Commitment run(MessageCodec.Decoded<Challenge> decoded)
      throws BadMessageException, BackendException, IOException {
    if (used) {
      throw new IllegalStateException("a prepared run runs once");
    }
    used = true;
    Challenge c = decoded.value();
    try {
      String difference = preparation.differenceFrom(c);
      if (difference != null) {
        throw new BadMessageException("challenge: not the prepared challenge: " + difference);
      }
      prover.trusted().check(c); // before the timed work (docs/protocol.md §6)
      Prover.checkAcceptable(c, prover.clock().instant());
      return commit(decoded, compute(c));
    } finally {
      close();
    }
  }

  /** The matrix roots of every device, spot-checked against the CPU reference. */
  private List<DeviceRun.Outcome> compute(Challenge c) throws BackendException {
    List<DeviceRun.Outcome> outcomes = DeviceRun.runAll(devices, c, prover.progress(),
        c.expires(), prover.progressEvery());
    byte[][][] roots = roots(outcomes);
    // No wrong result is signed: spot-check against the CPU reference while the devices
    // still hold B(g) (docs/protocol.md §3, "Before the prover signs").
    prover.resultCheck().check(devices, c, roots, prover.progress());
    return outcomes;
  }

  private Commitment commit(MessageCodec.Decoded<Challenge> decoded,
      List<DeviceRun.Outcome> outcomes) throws IOException {
    Challenge c = decoded.value();
    byte[][][] roots = roots(outcomes);
    byte[] challengeDigest = CommitmentDigest.challengeDigest(decoded.bytes());
    List<DeviceReport> reports = new ArrayList<>();
    String backend = prover.backend().name();
    for (int g = 0; g < c.devices(); g++) {
      DeviceRun.Outcome o = outcomes.get(g);
      DeviceIdentity id = devices.get(g).identity();
      reports.add(new DeviceReport(g, id.name(), id.uuid(), id.pciBusId(),
          id.computeCapability(), id.smCount(), id.memoryBytes(), id.driverVersion(),
          backend, Hex.encode(Reference.deviceRoot(roots[g])), o.timing(), o.monitor(),
          devices.get(g).kernel().orElse(null)));
    }
    Commitment commitment = Commitment.sign(challengeDigest, reports, prover.key());
    ProverState.Meta meta = new ProverState.Meta(1, backend, chosen,
        Hex.encode(challengeDigest), commitment.commitmentDigest(),
        reports.stream().map(DeviceReport::uuid).toList());
    state = ProverState.of(meta, decoded, roots);
    Path saved = state.save(stateRoot);
    prover.progress().printf("attestor: committed %s (state in %s)%n",
        commitment.commitmentDigest(), saved);
    prover.progress().flush();
    return commitment;
  }

  private static byte[][][] roots(List<DeviceRun.Outcome> outcomes) {
    byte[][][] roots = new byte[outcomes.size()][][];
    for (int g = 0; g < roots.length; g++) {
      roots[g] = outcomes.get(g).matrixRoots();
    }
    return roots;
  }

  /** The state saved at commit, for opening in the same process; null before. */
  public ProverState state() {
    return state;
  }

  /** Frees every device; safe to call more than once. */
  @Override
  public void close() {
    for (Device d : devices) {
      d.close();
    }
  }
}
