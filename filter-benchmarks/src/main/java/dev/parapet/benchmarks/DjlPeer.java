package dev.parapet.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shipped {@code guard} graph run through DJL's ONNX Runtime engine ({@code Criteria}, {@code
 * ZooModel}, {@code Predictor}) as a DJL user would, with one intra-op thread.
 *
 * <p>The translator is a minimal one written here (DJL tokenize, sigmoid of the logits in Java):
 * DJL's own Hugging Face {@code TextClassificationTranslator} cannot run on this engine offline, as
 * its output step needs {@code NDArray.argSort}, which neither ONNX Runtime's NDArray nor the
 * bundled Rust engine implements (see RESULTS.md). This translator does strictly less work than
 * DJL's would.
 */
final class DjlPeer implements AutoCloseable {

  private final Path dir;
  private final ZooModel<String, float[]> model;
  private final Predictor<String, float[]> predictor;

  DjlPeer() throws Exception {
    dir = Files.createTempDirectory("parapet-djl-peer");
    Files.write(dir.resolve("model.onnx"), RawModel.resource(RawModel.ROOT + "model.onnx"));
    var tokenizer =
        HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(RawModel.resource(RawModel.ROOT + "tokenizer.json")),
            Map.of("padding", "false", "truncation", "false"));
    model =
        Criteria.builder()
            .setTypes(String.class, float[].class)
            .optModelPath(dir)
            .optEngine("OnnxRuntime")
            .optOption("interOpNumThreads", "1")
            .optOption("intraOpNumThreads", "1")
            .optOption("optLevel", "ALL_OPT")
            .optTranslator(new SigmoidTranslator(tokenizer))
            .build()
            .loadModel();
    predictor = model.newPredictor();
  }

  float[] score(String text) throws Exception {
    return predictor.predict(text);
  }

  @Override
  public void close() throws Exception {
    predictor.close();
    model.close();
    try (var files = Files.list(dir)) {
      for (var file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(dir);
  }

  /** Tokenize with DJL; the three BERT inputs by name; sigmoid of the logits. */
  private static final class SigmoidTranslator implements Translator<String, float[]> {
    private final HuggingFaceTokenizer tokenizer;

    SigmoidTranslator(HuggingFaceTokenizer tokenizer) {
      this.tokenizer = tokenizer;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, String input) {
      var encoding = tokenizer.encode(input);
      var manager = ctx.getNDManager();
      var ids = manager.create(encoding.getIds());
      ids.setName("input_ids");
      var mask = manager.create(encoding.getAttentionMask());
      mask.setName("attention_mask");
      var types = manager.create(encoding.getTypeIds());
      types.setName("token_type_ids");
      return new NDList(ids, mask, types);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      float[] logits = list.get(0).toFloatArray();
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (1 / (1 + Math.exp(-logits[i])));
      }
      return logits;
    }

    @Override
    public Batchifier getBatchifier() {
      return Batchifier.STACK;
    }
  }
}
