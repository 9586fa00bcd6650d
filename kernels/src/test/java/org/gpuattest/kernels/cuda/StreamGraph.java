package org.gpuattest.kernels.cuda;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order a caller imposes on its GPU work, read from the calls it makes: a driver wrapped by
 * {@link #wrap} passes every call on and notes each launch, event record and stream wait with
 * its stream. Work on one stream runs in order; a wait orders what follows it after the
 * record of its event queued last before the wait (cuStreamWaitEvent). {@link #mustPrecede}
 * then says whether a GPU may run two launches in either order or must run one first, for
 * every schedule the streams and events allow.
 */
final class StreamGraph implements InvocationHandler {
  private record Node(String what, Object stream, int after) {}

  private final CudaDriver driver;
  private final List<Node> nodes = new ArrayList<>();
  /** Per stream: its last node. Per event: its last record's node. */
  private final Map<Object, Integer> lastOnStream = new HashMap<>();
  private final Map<Object, Integer> lastRecord = new HashMap<>();
  /** For each node, the nodes it must follow directly. */
  private final List<List<Integer>> preds = new ArrayList<>();
  private final Map<String, Integer> launches = new HashMap<>();

  private StreamGraph(CudaDriver driver) {
    this.driver = driver;
  }

  /** {@code driver}, with every call noted in {@code graph[0]}. */
  static CudaDriver wrap(CudaDriver driver, StreamGraph[] graph) {
    graph[0] = new StreamGraph(driver);
    return (CudaDriver) Proxy.newProxyInstance(CudaDriver.class.getClassLoader(),
        new Class<?>[] {CudaDriver.class}, graph[0]);
  }

  @Override
  public synchronized Object invoke(Object proxy, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    switch (m.getName()) {
      case "launch" -> {
        String entry = ((CudaDriver.Function) args[0]).name();
        int k = launches.merge(entry, 1, Integer::sum) - 1;
        add(entry + "#" + k, args[4], -1);
      }
      case "record" -> lastRecord.put(args[0], add("record", args[1], -1));
      case "waitEvent" -> add("wait", args[0], lastRecord.getOrDefault(args[1], -1));
      default -> { }
    }
    try {
      return m.invoke(driver, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private int add(String what, Object stream, int waitsFor) {
    int id = nodes.size();
    nodes.add(new Node(what, stream, waitsFor));
    List<Integer> p = new ArrayList<>();
    Integer prev = lastOnStream.put(stream, id);
    if (prev != null) {
      p.add(prev);
    }
    if (waitsFor >= 0) {
      p.add(waitsFor);
    }
    preds.add(p);
    return id;
  }

  /** Launches of {@code entry} so far. */
  synchronized int launches(String entry) {
    return launches.getOrDefault(entry, 0);
  }

  /** The node of the {@code k}th launch (from 0) of {@code entry}. */
  private int launch(String entry, int k) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).what.equals(entry + "#" + k)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no launch " + entry + "#" + k);
  }

  /**
   * Whether the {@code k}th launch of {@code first} must end before the {@code l}th of
   * {@code then} starts, in every order the streams and events allow.
   */
  synchronized boolean mustPrecede(String first, int k, String then, int l) {
    int target = launch(first, k);
    boolean[] seen = new boolean[nodes.size()];
    List<Integer> todo = new ArrayList<>(preds.get(launch(then, l)));
    while (!todo.isEmpty()) {
      int x = todo.remove(todo.size() - 1);
      if (x == target) {
        return true;
      }
      if (!seen[x]) {
        seen[x] = true;
        todo.addAll(preds.get(x));
      }
    }
    return false;
  }
}
