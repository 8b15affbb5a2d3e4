package dev.parapet.classifiers.internal;

import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.ClassifierException;
import dev.parapet.classifiers.ExecutionProvider;
import dev.parapet.classifiers.OnnxOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A tokenizer, an ONNX session and a micro-batcher that together turn texts into one output row per
 * window. Owns and closes all three; waits for calls in flight before closing. Thread-safe.
 * Internal.
 */
public final class WindowedModel implements AutoCloseable {

  private final TokenWindows tokens;
  private final OrtModel model;
  private final MicroBatcher<float[]> batcher;
  private final UsageGuard guard;

  /**
   * Loads the tokenizer and the model.
   *
   * @param textPrefix text every window starts with (see {@link TokenWindows}), or empty
   * @param rows turns one run's output (and its windows) into one row per window
   */
  public WindowedModel(
      String id,
      ModelFiles files,
      String output,
      int maxLength,
      int overlap,
      String textPrefix,
      OnnxOptions options,
      Batching batching,
      MeterRegistry registry,
      BiFunction<OrtModel.Output, List<long[]>, List<float[]>> rows) {
    this.guard = new UsageGuard(id);
    this.tokens =
        TokenWindows.load(
            files.tokenizer(), maxLength, overlap, files.name(ModelFiles.TOKENIZER), textPrefix);
    try {
      this.model = OrtModel.load(files.model(), files.name(ModelFiles.MODEL), options, output);
    } catch (RuntimeException e) {
      tokens.close();
      throw e;
    }
    this.batcher =
        new MicroBatcher<>(
            windows -> rows.apply(model.run(windows), windows),
            batching,
            options.intraOpThreads(),
            registry,
            id);
    if (registry != null) {
      // Which provider a model really runs on, for dashboards: 1 per loaded model.
      io.micrometer.core.instrument.Gauge.builder("parapet.model.loaded", this, m -> 1.0)
          .description("Loaded models, by the execution provider actually in use")
          .tag("model", id)
          .tag("provider", model.provider().name().toLowerCase(java.util.Locale.ROOT))
          .register(registry);
    }
  }

  /** Returns the tokenizer's windows. */
  public TokenWindows tokens() {
    return tokens;
  }

  /** Returns the provider the model runs on. */
  public ExecutionProvider provider() {
    return model.provider();
  }

  /**
   * Runs a probe window holding the tokenizer's largest token id, so a tokenizer that does not
   * match the model fails at load time rather than at the first request.
   *
   * @return the probe's output row
   */
  public float[] probe(String tokenizerName, String modelName) {
    try {
      var window = tokens.probe(tokens.maxTokenId());
      return batcher.submit(List.of(window)).get(0);
    } catch (ClassifierException e) {
      throw new ClassifierException(
          tokenizerName
              + " (largest token id "
              + tokens.maxTokenId()
              + ") does not match "
              + modelName
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** One text's rows, in window order. */
  public record TextRows(List<float[]> rows) {}

  /**
   * Returns each text's window rows; windows of all texts share runs.
   *
   * @throws IllegalStateException if closed
   */
  public List<TextRows> rows(List<String> texts) {
    guard.enter();
    try {
      var windows = new ArrayList<long[]>();
      var counts = new int[texts.size()];
      for (int i = 0; i < texts.size(); i++) {
        var textWindows = tokens.windows(texts.get(i));
        counts[i] = textWindows.size();
        windows.addAll(textWindows);
      }
      var rows = batcher.submit(windows);
      var out = new ArrayList<TextRows>(texts.size());
      int at = 0;
      for (int count : counts) {
        out.add(new TextRows(rows.subList(at, at + count)));
        at += count;
      }
      return out;
    } finally {
      guard.exit();
    }
  }

  /** Waits for calls in flight, then frees the session and the tokenizer; idempotent. */
  @Override
  public void close() {
    if (!guard.close()) {
      return;
    }
    try (tokens) {
      model.close();
    }
  }
}
