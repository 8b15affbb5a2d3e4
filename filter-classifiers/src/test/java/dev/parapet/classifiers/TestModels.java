package dev.parapet.classifiers;

import dev.parapet.classifiers.internal.Embedder;
import dev.parapet.classifiers.internal.ModelFiles;
import dev.parapet.models.assembler.Head;
import dev.parapet.models.assembler.ModelAssembler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real models for tests, built once per test JVM from the int8 all-MiniLM-L6-v2 of the langchain4j
 * jar: the encoder fused with a linear head whose rows are the mean embeddings of anchor sentences,
 * in the Optimum layout. Scores are {@code sigmoid(SCALE * (cosine - THRESHOLD))}.
 */
final class TestModels {

  static final String ENCODER = "all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";
  static final String ENCODER_FP32 = "all-minilm-l6-v2.onnx";
  static final String TOKENIZER_FP32 = "all-minilm-l6-v2-tokenizer.json";
  static final float SCALE = 20f;
  static final float THRESHOLD = 0.45f;

  private static final List<String> COOKING =
      List.of(
          "a recipe for baking bread at home",
          "how long should I roast the vegetables in the oven");

  private static Path threatModel;
  private static Path threatModelFp32;

  private TestModels() {}

  /** Reads a fixture file's lines, without comments. */
  static List<String> fixture(String name) {
    try (InputStream in = TestModels.class.getResourceAsStream("/fixtures/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The encoder's files, as the langchain4j jar ships them. */
  static ModelFiles encoderFiles() {
    var loader = TestModels.class.getClassLoader();
    try (var onnx = loader.getResourceAsStream(ENCODER);
        var tokenizer = loader.getResourceAsStream(TOKENIZER)) {
      return new ModelFiles(
          "classpath:" + ENCODER, onnx.readAllBytes(), tokenizer.readAllBytes(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A multi-label model with labels {@code threat} and {@code cooking}. */
  static synchronized Path threatModel() {
    if (threatModel == null) {
      threatModel = build("threat-model", true);
    }
    return threatModel;
  }

  /** The same heads on the fp32 encoder, whose scores do not depend on batch composition. */
  static synchronized Path threatModelFp32() {
    if (threatModelFp32 == null) {
      threatModelFp32 = build("threat-model-fp32", true, ENCODER_FP32, TOKENIZER_FP32);
    }
    return threatModelFp32;
  }

  /** The same heads as one softmax (single-label) model, in a fresh directory. */
  static Path softmaxModel() {
    return build("softmax-model", false);
  }

  /** Copies the threat model's files into a new directory, for tests that break one. */
  static Path copyOfThreatModel(Path target) throws IOException {
    Files.createDirectories(target);
    for (var name : List.of("model.onnx", "tokenizer.json", "config.json")) {
      Files.copy(threatModel().resolve(name), target.resolve(name));
    }
    return target;
  }

  private static Path build(String name, boolean multiLabel) {
    return build(name, multiLabel, ENCODER, TOKENIZER);
  }

  private static Path build(String name, boolean multiLabel, String onnx, String tokenizer) {
    try {
      var directory = Files.createTempDirectory(name);
      directory.toFile().deleteOnExit();
      float[][] weights;
      try (var embedder =
          new Embedder(
              "anchors", encoderFiles(), 128, OnnxOptions.defaults(), Batching.off(), null)) {
        weights =
            new float[][] {anchor(embedder, fixture("harmful.txt")), anchor(embedder, COOKING)};
      }
      var bias = new float[] {-SCALE * THRESHOLD, -SCALE * THRESHOLD};
      var head = new Head(List.of("threat", "cooking"), weights, bias, true, multiLabel);
      var encoder = ModelAssembler.Encoder.fromClasspath(onnx, tokenizer, 128);
      ModelAssembler.assemble(encoder, head, directory);
      for (var file : directory.toFile().listFiles()) {
        file.deleteOnExit();
      }
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static float[] anchor(Embedder embedder, List<String> sentences) {
    var sum = new float[384];
    var vectors = new ArrayList<float[]>();
    embedder.embed(sentences).forEach(vectors::addAll);
    for (var vector : vectors) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += vector[i];
      }
    }
    double norm = 0;
    for (float v : sum) {
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < sum.length; i++) {
      sum[i] = (float) (SCALE * sum[i] / norm);
    }
    return sum;
  }
}
