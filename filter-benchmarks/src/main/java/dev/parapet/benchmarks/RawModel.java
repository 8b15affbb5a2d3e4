package dev.parapet.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The baseline: the shipped {@code guard} graph run by hand, as a user without Parapet would (put
 * the encoder's input prefix before the text, DJL tokenize, build tensors, {@code OrtSession.run},
 * sigmoid), with no Parapet code. {@link #stockMiniLm()} runs the stock int8 all-MiniLM-L6-v2
 * encoder the same way: the yardstick of the model issue's latency budget (the shipped graph may
 * cost at most 2.5 times it per text).
 */
final class RawModel implements AutoCloseable {

  static final String ROOT = "dev/parapet/models/guard/";

  final HuggingFaceTokenizer tokenizer;
  private final String textPrefix;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  /** The shipped guard graph. */
  RawModel() throws IOException, OrtException {
    this(
        resource(ROOT + "model.onnx"),
        resource(ROOT + "tokenizer.json"),
        textPrefix(resource(ROOT + "config.json")));
  }

  /** The stock int8 MiniLM encoder of the langchain4j jar (no pooling, no heads). */
  static RawModel stockMiniLm() throws IOException, OrtException {
    return new RawModel(
        resource("all-minilm-l6-v2-q.onnx"), resource("all-minilm-l6-v2-q-tokenizer.json"), "");
  }

  /** The text the model's encoder expects before every input (e5's "query: "), or "". */
  private static String textPrefix(byte[] configJson) throws IOException {
    return new ObjectMapper().readTree(configJson).path("parapet").path("text_prefix").asText("");
  }

  private RawModel(byte[] model, byte[] tokenizerJson, String textPrefix)
      throws IOException, OrtException {
    this.textPrefix = textPrefix;
    tokenizer =
        HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(tokenizerJson),
            Map.of("padding", "false", "truncation", "false"));
    try (var options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(model, options);
    }
  }

  /** Tokenizes and scores one text with the guard graph; returns the sigmoid of each logit. */
  float[] score(String text) throws OrtException {
    try (var result = run(text)) {
      float[] logits = ((float[][]) result.get(0).getValue())[0];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (1 / (1 + Math.exp(-logits[i])));
      }
      return logits;
    }
  }

  /** Tokenizes and encodes one text with a bare encoder; returns the first token's hidden state. */
  float[] encode(String text) throws OrtException {
    try (var result = run(text)) {
      var hidden = (OnnxTensor) result.get(0);
      float[] first = new float[(int) hidden.getInfo().getShape()[2]];
      hidden.getFloatBuffer().get(first);
      return first;
    }
  }

  private OrtSession.Result run(String text) throws OrtException {
    var encoding = tokenizer.encode(textPrefix + text);
    long[][] ids = {encoding.getIds()};
    long[][] mask = {encoding.getAttentionMask()};
    long[][] types = {encoding.getTypeIds()};
    try (var idsTensor = OnnxTensor.createTensor(env, ids);
        var maskTensor = OnnxTensor.createTensor(env, mask);
        var typesTensor = OnnxTensor.createTensor(env, types)) {
      return session.run(
          Map.of(
              "input_ids", idsTensor, "attention_mask", maskTensor, "token_type_ids", typesTensor));
    }
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = RawModel.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(
            "missing class-path resource " + name + ": is its jar on the class path?");
      }
      return in.readAllBytes();
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
    tokenizer.close();
  }
}
