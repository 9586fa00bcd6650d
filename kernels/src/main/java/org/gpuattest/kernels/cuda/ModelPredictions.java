package org.gpuattest.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the performance model predicts for a product kernel and the whole prove loop with it,
 * per GPU model and n (docs/benchmarks.md, "Performance model"), for 'attestor bench' to set
 * beside what it measures. Predictions, not measurements: the model runs in the kernels tests
 * (PerformanceModelTest writes nothing; it fails when {@code model-predictions.tsv}, this
 * class's resource, differs from what the model computes).
 */
public final class ModelPredictions {
  /** Predicted microseconds of the product alone and of one iteration of the loop with it. */
  public record Prediction(double productMicros, double loopMicros) {}

  static final String RESOURCE = "model-predictions.tsv";
  private static final Map<String, Prediction> TABLE = load();

  private ModelPredictions() {}

  /** The prediction for {@code entry} (a product kernel) at n on the GPU the driver names so. */
  public static Optional<Prediction> find(String model, String entry, int n) {
    return Optional.ofNullable(TABLE.get(model + "\t" + entry + "\t" + n));
  }

  private static Map<String, Prediction> load() {
    Map<String, Prediction> m = new HashMap<>();
    try (InputStream in = ModelPredictions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the kernels jar lacks " + RESOURCE);
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        m.put(f[0] + "\t" + f[1] + "\t" + f[2],
            new Prediction(Double.parseDouble(f[3]), Double.parseDouble(f[4])));
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading " + RESOURCE + ": " + e.getMessage(), e);
    }
    return Map.copyOf(m);
  }
}
