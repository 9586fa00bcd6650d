package org.gpuattest.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;

/**
 * One device running one job of canonical-v1 as device g: generate B(g) once, then for each
 * iteration t generate A(g, t), multiply, hash the rows and return r(g, t). Used by one thread
 * at a time.
 */
public interface Device extends AutoCloseable {
  DeviceIdentity identity();

  /**
   * Takes what a job at size n holds on the device (context, modules, buffers) and nothing
   * that needs the seed: the attest conversation calls it before the seed exists, so a
   * device's fixed start-up costs stay outside the validator's clock (docs/protocol.md §3.2).
   * Optional: {@link #prepare} allocates itself when this was not called (default: nothing).
   */
  default void allocate(int n) throws BackendException {}

  /**
   * Generates B(g), allocating first unless {@link #allocate} was called with the same n;
   * called before the start barrier, so not timed as work.
   */
  void prepare(PhiloxKey key, int g, int n) throws BackendException;

  /** Computes C(g, t) and returns r(g, t). */
  IterationResult iterate(int t) throws BackendException;

  /**
   * Computes iterations {@code first .. first + count - 1} in order and returns their results.
   * A GPU queues them and waits once, so its host overhead is per batch, not per iteration.
   */
  default List<IterationResult> iterate(int first, int count) throws BackendException {
    List<IterationResult> out = new ArrayList<>(count);
    for (int t = first; t < first + count; t++) {
      out.add(iterate(t));
    }
    return out;
  }

  /**
   * Keeps C(g, t) resident for the iterations {@code first .. first + count - 1} as {@link
   * #iterate} computes them, for the memory phase (docs/protocol.md §2.2), taking the memory
   * for them now; called after {@link #allocate}, before the seed, so a device that cannot hold
   * them refuses before the prover says ready. A later {@link #prepare} keeps the same ones.
   * The default refuses: a device must say how it keeps products.
   *
   * @throws BackendException the device cannot hold them, naming it and the bytes
   */
  default void keep(int first, int count) throws BackendException {
    throw new BackendException(identity().name() + ": this device cannot keep products for"
        + " the memory phase");
  }

  /**
   * One pass of the memory phase over the kept products (docs/protocol.md §2.2): v is the
   * pass's vector under {@code passKey} ({@code Operands.memoryVector}, made where the device
   * likes: a GPU makes it itself), y(t) = C(g, t) x v for each kept t, every element the
   * ascending FMA chain from +0.0 over its row; returns each y(t)'s vector root s(g, t) (MTH
   * over its n element leaves), in kept order, and the memory root m(g) over them.
   *
   * @throws BackendException no products are kept, one of them was not computed, or the
   *     device failed
   */
  default MemoryPassResult memoryPass(PhiloxKey passKey) throws BackendException {
    throw new BackendException(identity().name() + ": this device has no memory phase");
  }

  /**
   * y = C(g, t) x v for one iteration, v the pass's vector under {@code passKey} and C(g, t)
   * computed anew after {@link #prepare}: what a memory opening is built from
   * (docs/protocol.md §2.2), as {@link #rowLeaves} is for a row.
   */
  default double[] memoryProduct(int t, PhiloxKey passKey) throws BackendException {
    throw new BackendException(identity().name() + ": this device has no memory phase");
  }

  /** The n row leaf hashes of C(g, t), recomputed; what openings are built from. */
  byte[][] rowLeaves(int t) throws BackendException;

  /** Block counts per SM and busy fraction over all iterations since prepare. */
  SmMonitor monitor();

  /**
   * The product kernel this device runs and why, as the commitment reports it
   * (docs/protocol.md §4.2); known once {@link #allocate} or {@link #prepare} has run. Empty
   * for the CPU backend, whose report need not carry it.
   */
  default Optional<KernelChoice> kernel() {
    return Optional.empty();
  }

  /** Frees what allocate and prepare allocated. */
  @Override
  void close();
}
