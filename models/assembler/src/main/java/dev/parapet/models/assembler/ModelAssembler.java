package dev.parapet.models.assembler;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an Optimum-format text-classification model directory from an encoder and a trained head:
 * {@code model.onnx} (encoder, pooling and head fused into one graph, output {@code logits}),
 * {@code tokenizer.json}, {@code config.json} ({@code id2label}, {@code problem_type}) and {@code
 * SHA256SUMS}.
 *
 * <p>Deterministic: the same inputs give byte-identical files, so builds can verify checksums.
 *
 * <pre>{@code
 * ModelAssembler.assemble(Encoder.fromClasspath("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 128),
 *     Head.read(Path.of("head.json")), Path.of("target/model"));
 * }</pre>
 */
public final class ModelAssembler {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelAssembler() {}

  /**
   * A pre-trained encoder: its ONNX graph (output {@code last_hidden_state}), its tokenizer, and
   * the token window it was trained with.
   *
   * @param onnx the encoder graph
   * @param tokenizer the {@code tokenizer.json} bytes
   * @param maxLength the window in tokens, special tokens included
   * @param description names the encoder in {@code config.json}, for example its Maven coordinates
   * @param textPrefix text the encoder expects before every input (e5's {@code "query: "}), written
   *     to {@code config.json} as {@code parapet.text_prefix} when not empty
   */
  public record Encoder(
      byte[] onnx, byte[] tokenizer, int maxLength, String description, String textPrefix) {

    /** Validates the fields. */
    public Encoder {
      requireNonNull(onnx, "onnx");
      requireNonNull(tokenizer, "tokenizer");
      requireNonNull(description, "description");
      requireNonNull(textPrefix, "textPrefix");
      if (maxLength < 2) {
        throw new IllegalArgumentException("maxLength must be >= 2, was " + maxLength);
      }
    }

    /** An encoder that takes its input as it is (no text prefix). */
    public Encoder(byte[] onnx, byte[] tokenizer, int maxLength, String description) {
      this(onnx, tokenizer, maxLength, description, "");
    }

    /** Reads an encoder from classpath resources, such as those of a langchain4j embedding jar. */
    public static Encoder fromClasspath(
        String onnxResource, String tokenizerResource, int maxLength) {
      return new Encoder(
          resource(onnxResource),
          resource(tokenizerResource),
          maxLength,
          "classpath:" + onnxResource);
    }

    /**
     * Returns this encoder with a fine-tuning patch applied to its graph.
     *
     * @param patch the patch, made for this encoder's graph
     * @param note appended to the description, for example where the patch comes from
     */
    public Encoder patched(EncoderPatch patch, String note) {
      requireNonNull(patch, "patch");
      return new Encoder(
          patch.applyTo(onnx), tokenizer, maxLength, description + "; " + note, textPrefix);
    }

    private static byte[] resource(String name) {
      try (InputStream in = ModelAssembler.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalArgumentException("no classpath resource '" + name + "'");
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read classpath resource " + name, e);
      }
    }
  }

  /**
   * Fuses encoder and head and writes the model directory, replacing files of the same names.
   *
   * @return the SHA-256 of each file written, by file name
   */
  public static Map<String, String> assemble(Encoder encoder, Head head, Path directory)
      throws IOException {
    requireNonNull(encoder, "encoder");
    requireNonNull(head, "head");
    requireNonNull(directory, "directory");
    var files = new LinkedHashMap<String, byte[]>();
    files.put(
        "config.json",
        config(
            encoder,
            head.labels(),
            head.multiLabel(),
            head.normalize(),
            "ParapetEncoderWithLinearHead"));
    files.put("model.onnx", GraphFusion.fuse(encoder.onnx(), head));
    files.put("tokenizer.json", encoder.tokenizer());
    return write(files, directory);
  }

  /**
   * Completes a fine-tuned graph from the encoder's stock tables and writes the model directory.
   *
   * @param encoder the stock encoder the graph was fine-tuned from (its tables and tokenizer)
   * @return the SHA-256 of each file written, by file name
   */
  public static Map<String, String> assemble(Encoder encoder, FineTunedGraph graph, Path directory)
      throws IOException {
    requireNonNull(encoder, "encoder");
    requireNonNull(graph, "graph");
    requireNonNull(directory, "directory");
    var files = new LinkedHashMap<String, byte[]>();
    files.put(
        "config.json", config(encoder, graph.labels(), true, false, "ParapetFineTunedEncoder"));
    files.put("model.onnx", graph.complete(encoder.onnx()));
    files.put("tokenizer.json", encoder.tokenizer());
    return write(files, directory);
  }

  private static Map<String, String> write(Map<String, byte[]> files, Path directory)
      throws IOException {
    Files.createDirectories(directory);
    var sums = new LinkedHashMap<String, String>();
    var listing = new StringBuilder();
    for (var file : files.entrySet()) {
      Files.write(directory.resolve(file.getKey()), file.getValue());
      var sum = sha256(file.getValue());
      sums.put(file.getKey(), sum);
      listing.append(sum).append("  ").append(file.getKey()).append('\n');
    }
    Files.writeString(directory.resolve("SHA256SUMS"), listing, StandardCharsets.UTF_8);
    return sums;
  }

  private static byte[] config(
      Encoder encoder,
      java.util.List<String> labels,
      boolean multiLabel,
      boolean normalize,
      String architecture)
      throws IOException {
    var root = MAPPER.createObjectNode();
    root.putArray("architectures").add(architecture);
    root.put(
        "problem_type", multiLabel ? "multi_label_classification" : "single_label_classification");
    var id2label = root.putObject("id2label");
    var label2id = root.putObject("label2id");
    for (int i = 0; i < labels.size(); i++) {
      id2label.put(Integer.toString(i), labels.get(i));
      label2id.put(labels.get(i), i);
    }
    root.put("max_length", encoder.maxLength());
    var parapet = root.putObject("parapet");
    parapet.put("encoder", encoder.description());
    parapet.put("encoder_sha256", sha256(encoder.onnx()));
    parapet.put("pooling", "mean");
    parapet.put("normalize", normalize);
    if (!encoder.textPrefix().isEmpty()) {
      parapet.put("text_prefix", encoder.textPrefix());
    }
    return (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Returns the lowercase hex SHA-256 of some bytes. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
