package dev.parapet.classifiers;

import static java.util.Objects.requireNonNull;

import dev.parapet.classifiers.internal.ModelConfig;
import dev.parapet.classifiers.internal.ModelFiles;
import dev.parapet.classifiers.internal.OrtModel;
import dev.parapet.classifiers.internal.WindowedModel;
import dev.parapet.spi.Classifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face text classifier exported in the Optimum layout, run on ONNX Runtime.
 *
 * <p>Loads {@code model.onnx} (inputs {@code input_ids}, {@code attention_mask}, optional {@code
 * token_type_ids}; output {@code logits}), {@code tokenizer.json} and {@code config.json} ({@code
 * id2label}; {@code problem_type} multi-label gives a sigmoid per label, single-label one softmax)
 * from a directory or a classpath root, with no download. Texts longer than the model's window are
 * scored in overlapping windows and each category takes its highest window score, so harmful text
 * after a long benign head is still caught.
 *
 * <pre>{@code
 * try (var toxicity = OnnxTextClassifier.load(Path.of("models/toxic-bert-onnx"))) {
 *   SafetyFilter filter = SafetyFilter.builder().outputStage(toxicity).policy(policy).build();
 * }
 * }</pre>
 *
 * <p>Thread-safe: one session serves all threads, and concurrent calls are micro-batched (see
 * {@link Batching}). Owns its session and tokenizer: {@link #close()} waits for calls in flight,
 * then frees them; it is idempotent, and calls after it throw {@link IllegalStateException}. Every
 * load error (missing or corrupt file, a tokenizer that does not match the model, {@code id2label}
 * not matching the logits) throws {@link ClassifierException} naming the file, at load time.
 */
public final class OnnxTextClassifier implements Classifier, AutoCloseable {

  /** The window used when neither the builder nor {@code config.json} gives one. */
  public static final int DEFAULT_MAX_LENGTH = 512;

  private final String id;
  private final String version;
  private final List<String> labels;
  private final String[] categoryOfLabel;
  private final Set<String> categories;
  private final boolean multiLabel;
  private final Batching batching;
  private final WindowedModel model;

  private OnnxTextClassifier(Builder builder) {
    var files = builder.files();
    var configName = files.name(ModelFiles.CONFIG);
    var config = ModelConfig.parse(files.config(), configName);
    this.id = builder.id != null ? builder.id : defaultId(files.location());
    this.labels = config.labels();
    this.multiLabel = config.multiLabel();
    this.categoryOfLabel = new String[labels.size()];
    var categorySet = new LinkedHashSet<String>();
    for (int i = 0; i < labels.size(); i++) {
      var label = labels.get(i);
      if (builder.ignored.contains(label)
          || !(config.view().isEmpty() || config.view().contains(label))) {
        continue;
      }
      categoryOfLabel[i] = builder.labelMap.getOrDefault(label, label);
      categorySet.add(categoryOfLabel[i]);
    }
    for (var label : builder.labelMap.keySet()) {
      if (!labels.contains(label)) {
        throw new IllegalArgumentException(
            "label '" + label + "' is not in " + configName + ": " + labels);
      }
    }
    this.categories = Set.copyOf(categorySet);
    this.version = sha256(files.model()) + "+" + sha256(files.config()).substring(0, 16);
    this.batching =
        builder.batching != null
            ? builder.batching
            : dynamicallyQuantised(files.model()) ? Batching.off() : Batching.defaults();
    int maxLength =
        builder.maxLength > 0
            ? builder.maxLength
            : config.maxLength() > 0 ? config.maxLength() : graphMaxLength(files, configName);
    this.model =
        new WindowedModel(
            id,
            files,
            "logits",
            Math.min(maxLength, DEFAULT_MAX_LENGTH),
            builder.overlap,
            config.textPrefix(),
            builder.options,
            batching,
            builder.registry,
            OnnxTextClassifier::logitRows);
    try {
      var probe = model.probe(files.name(ModelFiles.TOKENIZER), files.name(ModelFiles.MODEL));
      if (probe.length != labels.size()) {
        throw new ClassifierException(
            configName
                + " maps "
                + labels.size()
                + " labels in id2label but "
                + files.name(ModelFiles.MODEL)
                + " emits "
                + probe.length
                + " logits");
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** A label view's window is its graph's, unless the view states one; otherwise the default. */
  private static int graphMaxLength(ModelFiles files, String configName) {
    if (files.graphConfig() == null || files.graphConfig() == files.config()) {
      return DEFAULT_MAX_LENGTH;
    }
    int graph = ModelConfig.parse(files.graphConfig(), configName + " (its graph's)").maxLength();
    return graph > 0 ? graph : DEFAULT_MAX_LENGTH;
  }

  /** Loads a model directory with default settings. */
  public static OnnxTextClassifier load(Path directory) {
    return builder(directory).build();
  }

  /** Loads a model from a classpath root such as {@code dev/parapet/models/content-safety}. */
  public static OnnxTextClassifier fromClasspath(String root) {
    return builder(root).build();
  }

  /** Returns a builder for a model directory. */
  public static Builder builder(Path directory) {
    return new Builder(requireNonNull(directory, "directory"), null);
  }

  /** Returns a builder for a model under a classpath root. */
  public static Builder builder(String classpathRoot) {
    return new Builder(null, requireNonNull(classpathRoot, "classpathRoot"));
  }

  @Override
  public String id() {
    return id;
  }

  /** Returns the SHA-256 of {@code model.onnx}, with a prefix of the configuration's. */
  @Override
  public String version() {
    return version;
  }

  @Override
  public Set<String> categories() {
    return categories;
  }

  /** Returns the model's labels in logit order, as {@code config.json} names them. */
  public List<String> labels() {
    return labels;
  }

  /** Returns the micro-batching settings in force. */
  public Batching batching() {
    return batching;
  }

  /** Returns the execution provider the model actually runs on. */
  public ExecutionProvider executionProvider() {
    return model.provider();
  }

  /**
   * Scores texts: per category, the highest score over the text's windows.
   *
   * @throws IllegalStateException if closed
   * @throws ClassifierException if inference fails or the batch queue is full
   */
  @Override
  public List<Map<String, Double>> classify(List<String> texts) {
    requireNonNull(texts, "texts");
    var results = new ArrayList<Map<String, Double>>(texts.size());
    for (var text : model.rows(texts)) {
      var best = new double[labels.size()];
      for (var logits : text.rows()) {
        var scores = activate(logits);
        for (int i = 0; i < best.length; i++) {
          best[i] = Math.max(best[i], scores[i]);
        }
      }
      var map = new HashMap<String, Double>();
      for (int i = 0; i < best.length; i++) {
        if (categoryOfLabel[i] != null) {
          map.merge(categoryOfLabel[i], best[i], Math::max);
        }
      }
      results.add(map);
    }
    return results;
  }

  /** Waits for calls in flight, then frees the session and tokenizer. Idempotent. */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "OnnxTextClassifier[" + id + ", " + labels + ", " + executionProvider() + "]";
  }

  private double[] activate(float[] logits) {
    var scores = new double[logits.length];
    if (multiLabel) {
      for (int i = 0; i < logits.length; i++) {
        scores[i] = 1.0 / (1.0 + Math.exp(-logits[i]));
      }
      return scores;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float logit : logits) {
      max = Math.max(max, logit);
    }
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      scores[i] = Math.exp(logits[i] - max);
      sum += scores[i];
    }
    for (int i = 0; i < logits.length; i++) {
      scores[i] /= sum;
    }
    return scores;
  }

  private static List<float[]> logitRows(OrtModel.Output output, List<long[]> windows) {
    int rows = (int) output.shape()[0];
    int width = (int) output.shape()[1];
    var out = new ArrayList<float[]>(rows);
    for (int r = 0; r < rows; r++) {
      var row = new float[width];
      System.arraycopy(output.data(), r * width, row, 0, width);
      out.add(row);
    }
    return out;
  }

  /**
   * Whether the graph quantises activations dynamically (one scale per run): then a batch-mate's
   * activations change a text's scores, so such a model batches only when asked to.
   */
  static boolean dynamicallyQuantised(byte[] model) {
    var needle = "DynamicQuantizeLinear".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + needle.length <= model.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (model[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static String defaultId(String location) {
    var trimmed = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
    int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf(':'));
    return trimmed.substring(slash + 1);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Builds an {@link OnnxTextClassifier}. Not thread-safe. */
  public static final class Builder {
    private final Path directory;
    private final String classpathRoot;
    private ClassLoader loader = OnnxTextClassifier.class.getClassLoader();
    private String id;
    private final Map<String, String> labelMap = new LinkedHashMap<>();
    private final Set<String> ignored = new LinkedHashSet<>();
    private OnnxOptions options = OnnxOptions.defaults();
    private Batching batching;
    private int maxLength;
    private int overlap = 32;
    private MeterRegistry registry;

    private Builder(Path directory, String classpathRoot) {
      this.directory = directory;
      this.classpathRoot = classpathRoot;
    }

    /** Sets the stage id; default: the directory's or classpath root's last name. */
    public Builder id(String id) {
      requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank");
      }
      this.id = id;
      return this;
    }

    /** Reports a model label under another category name, for example {@code toxic -> toxicity}. */
    public Builder label(String label, String category) {
      requireNonNull(label, "label");
      requireNonNull(category, "category");
      if (category.isBlank()) {
        throw new IllegalArgumentException("category must not be blank");
      }
      labelMap.put(label, category);
      return this;
    }

    /** Drops a label from the scores, such as the {@code neutral} class of a softmax model. */
    public Builder ignoreLabel(String label) {
      ignored.add(requireNonNull(label, "label"));
      return this;
    }

    /** Sets the ONNX Runtime session options. */
    public Builder options(OnnxOptions options) {
      this.options = requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets micro-batching; {@link Batching#off()} turns it off. Default: {@link
     * Batching#defaults()}, except for dynamically quantised (int8) graphs, where batch-mates shift
     * a text's scores: those batch only when this is set.
     */
    public Builder batching(Batching batching) {
      this.batching = requireNonNull(batching, "batching");
      return this;
    }

    /** Sets the window in tokens, special tokens included; default from {@code config.json}. */
    public Builder maxLength(int maxLength) {
      if (maxLength < 4) {
        throw new IllegalArgumentException("maxLength must be >= 4, was " + maxLength);
      }
      this.maxLength = maxLength;
      return this;
    }

    /** Sets how many tokens consecutive windows of a long text share; default 32. */
    public Builder windowOverlap(int overlap) {
      if (overlap < 0) {
        throw new IllegalArgumentException("overlap must be >= 0, was " + overlap);
      }
      this.overlap = overlap;
      return this;
    }

    /** Registers batching metrics ({@code parapet.batch.*}, tag {@code model}) on this registry. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /** Sets the class loader for a classpath root; default: this library's. */
    public Builder classLoader(ClassLoader loader) {
      this.loader = requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Loads the model.
     *
     * @throws ClassifierException naming the file, if a file is missing, corrupt or inconsistent
     */
    public OnnxTextClassifier build() {
      return new OnnxTextClassifier(this);
    }

    private ModelFiles files() {
      return directory != null
          ? ModelFiles.fromDirectory(directory, true)
          : ModelFiles.fromClasspath(classpathRoot, loader, true);
    }
  }
}
