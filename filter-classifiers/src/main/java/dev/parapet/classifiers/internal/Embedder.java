package dev.parapet.classifiers.internal;

import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.ExecutionProvider;
import dev.parapet.classifiers.OnnxOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * A sentence encoder: mean-pooled, L2-normalised {@code last_hidden_state} of each window.
 * Thread-safe; owns its session and tokenizer. Internal.
 */
public final class Embedder implements AutoCloseable {

  private final WindowedModel model;

  /** Loads an encoder whose graph outputs {@code last_hidden_state [batch, sequence, hidden]}. */
  public Embedder(
      String id,
      ModelFiles files,
      int maxLength,
      OnnxOptions options,
      Batching batching,
      MeterRegistry registry) {
    this(id, files, maxLength, "", options, batching, registry);
  }

  /**
   * The same, with a text prefix every window starts with (e5's {@code "query: "}; see
   * TokenWindows).
   */
  public Embedder(
      String id,
      ModelFiles files,
      int maxLength,
      String textPrefix,
      OnnxOptions options,
      Batching batching,
      MeterRegistry registry) {
    this.model =
        new WindowedModel(
            id,
            files,
            "last_hidden_state",
            maxLength,
            32,
            textPrefix,
            options,
            batching,
            registry,
            Embedder::pool);
    try {
      model.probe(files.name(ModelFiles.TOKENIZER), files.name(ModelFiles.MODEL));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Returns, per text, one unit vector per window. */
  public List<List<float[]>> embed(List<String> texts) {
    var out = new ArrayList<List<float[]>>(texts.size());
    for (var text : model.rows(texts)) {
      out.add(text.rows());
    }
    return out;
  }

  /** Returns the provider the encoder runs on. */
  public ExecutionProvider provider() {
    return model.provider();
  }

  @Override
  public void close() {
    model.close();
  }

  /** Mean of the real tokens' hidden states, normalised to unit length. */
  private static List<float[]> pool(OrtModel.Output output, List<long[]> windows) {
    int batch = (int) output.shape()[0];
    int length = (int) output.shape()[1];
    int hidden = (int) output.shape()[2];
    var data = output.data();
    var rows = new ArrayList<float[]>(batch);
    for (int b = 0; b < batch; b++) {
      int tokens = windows.get(b).length;
      var sum = new double[hidden];
      for (int t = 0; t < tokens; t++) {
        int base = (b * length + t) * hidden;
        for (int h = 0; h < hidden; h++) {
          sum[h] += data[base + h];
        }
      }
      double norm = 0;
      for (int h = 0; h < hidden; h++) {
        sum[h] /= tokens;
        norm += sum[h] * sum[h];
      }
      norm = Math.max(Math.sqrt(norm), 1e-12);
      var row = new float[hidden];
      for (int h = 0; h < hidden; h++) {
        row[h] = (float) (sum[h] / norm);
      }
      rows.add(row);
    }
    return rows;
  }
}
