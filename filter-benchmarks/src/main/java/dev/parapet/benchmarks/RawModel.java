package dev.parapet.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The baseline: the shipped {@code guard} graph run by hand, as a user without Parapet would (DJL
 * tokenize, build tensors, {@code OrtSession.run}, sigmoid), with no Parapet code.
 */
final class RawModel implements AutoCloseable {

  static final String ROOT = "dev/parapet/models/guard/";

  final HuggingFaceTokenizer tokenizer;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  RawModel() throws IOException, OrtException {
    tokenizer =
        HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(resource("tokenizer.json")),
            Map.of("padding", "false", "truncation", "false"));
    try (var options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(resource("model.onnx"), options);
    }
  }

  /** Tokenizes and scores one text; returns the sigmoid of each logit. */
  float[] score(String text) throws OrtException {
    var encoding = tokenizer.encode(text);
    long[][] ids = {encoding.getIds()};
    long[][] mask = {encoding.getAttentionMask()};
    long[][] types = {encoding.getTypeIds()};
    try (var idsTensor = OnnxTensor.createTensor(env, ids);
        var maskTensor = OnnxTensor.createTensor(env, mask);
        var typesTensor = OnnxTensor.createTensor(env, types);
        var result =
            session.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor, "token_type_ids", typesTensor))) {
      float[] logits = ((float[][]) result.get(0).getValue())[0];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (1 / (1 + Math.exp(-logits[i])));
      }
      return logits;
    }
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = RawModel.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IOException("missing " + ROOT + name + ": is parapet-model-guard on the classpath?");
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
