package org.gpuattest.kernels;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;

/**
 * One device running one job of canonical-v1 as device g: generate B(g) once, then for each
 * iteration t generate A(g, t), multiply, hash the rows and return r(g, t). Used by one thread
 * at a time.
 */
public interface Device extends AutoCloseable {
  DeviceIdentity identity();

  /** Allocates and generates B(g); called before the start barrier, so not timed as work. */
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

  /** The n row leaf hashes of C(g, t), recomputed; what openings are built from. */
  byte[][] rowLeaves(int t) throws BackendException;

  /** Block counts per SM and busy fraction over all iterations since prepare. */
  SmMonitor monitor();

  /** Frees what prepare allocated. */
  @Override
  void close();
}
