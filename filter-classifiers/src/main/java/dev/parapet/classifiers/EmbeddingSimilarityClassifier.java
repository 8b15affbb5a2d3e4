package dev.parapet.classifiers;

import static java.util.Objects.requireNonNull;

import dev.parapet.classifiers.internal.Embedder;
import dev.parapet.classifiers.internal.ModelFiles;
import dev.parapet.spi.Classifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Custom topics without training: a text's score for a topic is its highest cosine similarity to
 * the topic's example phrases (clipped to {@code [0, 1]}), as embedded by a sentence encoder.
 *
 * <p>This is how a deployer adds a context-specific category in minutes:
 *
 * <pre>{@code
 * var topics = EmbeddingSimilarityClassifier.builder()
 *     .encoderFromClasspath("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json")
 *     .topic("competitor_pricing", List.of("what does Acme charge", "Acme's price list"))
 *     .build();
 * }</pre>
 *
 * Cosine similarities of related sentences under MiniLM-class encoders typically lie between 0.5
 * and 0.8: set thresholds from the examples with {@code bin/parapet eval} on your own data. Long
 * texts are embedded in overlapping windows; each topic takes the best window. Thread-safe; owns
 * its encoder and closes it in {@link #close()} (idempotent; use after close throws {@link
 * IllegalStateException}).
 */
public final class EmbeddingSimilarityClassifier implements Classifier, AutoCloseable {

  private final String id;
  private final String version;
  private final Embedder embedder;
  private final Map<String, List<float[]>> topics;

  private EmbeddingSimilarityClassifier(Builder builder) {
    if (builder.files == null) {
      throw new IllegalStateException(
          "an encoder is required: call encoder(...) or encoderFromClasspath(...)");
    }
    if (builder.examples.isEmpty()) {
      throw new IllegalStateException("at least one topic is required");
    }
    this.id = builder.id;
    this.embedder =
        new Embedder(
            id,
            builder.files,
            builder.maxLength,
            builder.textPrefix,
            builder.options,
            builder.batching,
            builder.registry);
    try {
      var embedded = new LinkedHashMap<String, List<float[]>>();
      for (var topic : builder.examples.entrySet()) {
        var vectors = new ArrayList<float[]>();
        for (var windows : embedder.embed(topic.getValue())) {
          vectors.addAll(windows);
        }
        embedded.put(topic.getKey(), List.copyOf(vectors));
      }
      this.topics = Map.copyOf(embedded);
    } catch (RuntimeException e) {
      embedder.close();
      throw e;
    }
    this.version =
        OnnxTextClassifier.sha256(builder.files.model()).substring(0, 32)
            + "+"
            + OnnxTextClassifier.sha256(
                    ((builder.textPrefix.isEmpty() ? "" : builder.textPrefix + "\n")
                            + builder.examples)
                        .getBytes(StandardCharsets.UTF_8))
                .substring(0, 16);
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return id;
  }

  /** Returns a hash of the encoder and of the topics' examples. */
  @Override
  public String version() {
    return version;
  }

  @Override
  public Set<String> categories() {
    return topics.keySet();
  }

  /** Returns the execution provider the encoder actually runs on. */
  public ExecutionProvider executionProvider() {
    return embedder.provider();
  }

  @Override
  public List<Map<String, Double>> classify(List<String> texts) {
    requireNonNull(texts, "texts");
    var out = new ArrayList<Map<String, Double>>(texts.size());
    for (var windows : embedder.embed(texts)) {
      var scores = new HashMap<String, Double>();
      for (var topic : topics.entrySet()) {
        double best = 0.0;
        for (var window : windows) {
          for (var example : topic.getValue()) {
            best = Math.max(best, dot(window, example));
          }
        }
        scores.put(topic.getKey(), Math.min(1.0, best));
      }
      out.add(scores);
    }
    return out;
  }

  @Override
  public void close() {
    embedder.close();
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** Builds an {@link EmbeddingSimilarityClassifier}. Not thread-safe. */
  public static final class Builder {
    private String id = "topics";
    private ModelFiles files;
    private int maxLength = 128;
    private String textPrefix = "";
    private OnnxOptions options = OnnxOptions.defaults();
    private Batching batching = Batching.defaults();
    private MeterRegistry registry;
    private final Map<String, List<String>> examples = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the stage id; default {@code topics}. */
    public Builder id(String id) {
      requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank");
      }
      this.id = id;
      return this;
    }

    /** Uses the encoder in a directory holding {@code model.onnx} and {@code tokenizer.json}. */
    public Builder encoder(Path directory) {
      this.files = ModelFiles.fromDirectory(requireNonNull(directory, "directory"), false);
      return this;
    }

    /**
     * Uses an encoder stored as classpath resources, such as those the langchain4j embedding jars
     * ship ({@code all-minilm-l6-v2-q.onnx}, {@code all-minilm-l6-v2-q-tokenizer.json}).
     */
    public Builder encoderFromClasspath(String onnxResource, String tokenizerResource) {
      var loader = EmbeddingSimilarityClassifier.class.getClassLoader();
      this.files =
          new ModelFiles(
              "classpath:" + onnxResource,
              resource(loader, requireNonNull(onnxResource, "onnxResource")),
              resource(loader, requireNonNull(tokenizerResource, "tokenizerResource")),
              null);
      return this;
    }

    /**
     * Sets the text the encoder expects before every input (e5's {@code "query: "}); it starts
     * every window, the topics' examples' as well as the checked texts'. Default none.
     */
    public Builder textPrefix(String textPrefix) {
      this.textPrefix = requireNonNull(textPrefix, "textPrefix");
      return this;
    }

    /** Sets the window in tokens, special tokens included; default 128. */
    public Builder maxLength(int maxLength) {
      if (maxLength < 4) {
        throw new IllegalArgumentException("maxLength must be >= 4, was " + maxLength);
      }
      this.maxLength = maxLength;
      return this;
    }

    /** Adds a topic: a category name and example phrases of it. */
    public Builder topic(String category, List<String> phrases) {
      requireNonNull(category, "category");
      requireNonNull(phrases, "phrases");
      if (category.isBlank()) {
        throw new IllegalArgumentException("category must not be blank");
      }
      if (phrases.isEmpty() || phrases.stream().anyMatch(p -> p == null || p.isBlank())) {
        throw new IllegalArgumentException(
            "topic '" + category + "' needs non-blank example phrases");
      }
      examples.put(category, List.copyOf(phrases));
      return this;
    }

    /** Sets the ONNX Runtime session options. */
    public Builder options(OnnxOptions options) {
      this.options = requireNonNull(options, "options");
      return this;
    }

    /** Sets micro-batching. */
    public Builder batching(Batching batching) {
      this.batching = requireNonNull(batching, "batching");
      return this;
    }

    /** Registers batching metrics on this registry. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Loads the encoder and embeds the examples.
     *
     * @throws IllegalStateException if no encoder or topic was given
     * @throws ClassifierException if the encoder cannot load
     */
    public EmbeddingSimilarityClassifier build() {
      return new EmbeddingSimilarityClassifier(this);
    }

    private static byte[] resource(ClassLoader loader, String name) {
      try (InputStream in = loader.getResourceAsStream(name)) {
        if (in == null) {
          throw new ClassifierException("missing model file classpath:" + name);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read classpath resource " + name, e);
      }
    }
  }
}
