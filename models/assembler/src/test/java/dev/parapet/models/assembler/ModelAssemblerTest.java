package dev.parapet.models.assembler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelAssemblerTest {

  private static ModelAssembler.Encoder encoder;

  @TempDir Path dir;

  @BeforeAll
  static void loadEncoder() {
    encoder =
        ModelAssembler.Encoder.fromClasspath(
            "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 128);
  }

  static Head randomHead(int labels, long seed) {
    var random = new Random(seed);
    var weights = new float[labels][384];
    var bias = new float[labels];
    for (int i = 0; i < labels; i++) {
      for (int j = 0; j < 384; j++) {
        weights[i][j] = (float) random.nextGaussian();
      }
      bias[i] = (float) random.nextGaussian();
    }
    return new Head(List.of("a", "b", "c").subList(0, labels), weights, bias, true, true);
  }

  @Test
  void assemble_writesOptimumLayoutWithLogitsOutput() throws Exception {
    var sums = ModelAssembler.assemble(encoder, randomHead(3, 1), dir);

    assertThat(sums).containsOnlyKeys("config.json", "model.onnx", "tokenizer.json");
    var model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
    assertThat(model.getGraph().getOutputList())
        .extracting(o -> o.getName())
        .containsExactly("logits");
    assertThat(
            model
                .getGraph()
                .getOutput(0)
                .getType()
                .getTensorType()
                .getShape()
                .getDim(1)
                .getDimValue())
        .isEqualTo(3);
    var config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
    assertThat(config.get("id2label").get("2").asText()).isEqualTo("c");
    assertThat(config.get("problem_type").asText()).isEqualTo("multi_label_classification");
    assertThat(Files.readString(dir.resolve("SHA256SUMS")))
        .contains(sums.get("model.onnx") + "  model.onnx");
  }

  @Test
  void assemble_sameInputs_giveIdenticalBytes() throws Exception {
    var first = ModelAssembler.assemble(encoder, randomHead(2, 7), dir.resolve("one"));
    var second = ModelAssembler.assemble(encoder, randomHead(2, 7), dir.resolve("two"));

    assertThat(second).isEqualTo(first);
  }

  @Test
  void assemble_headOfWrongWidth_rejected() {
    var narrow = new Head(List.of("a"), new float[][] {{1f, 2f}}, new float[] {0f}, false, true);

    assertThatThrownBy(() -> ModelAssembler.assemble(encoder, narrow, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the head reads 2 features but the encoder emits 384");
  }

  @Test
  void head_writeThenRead_roundTrips() throws Exception {
    var head = randomHead(2, 3);
    head.write(dir.resolve("head.json"));

    var read = Head.read(dir.resolve("head.json"));

    assertThat(read.labels()).isEqualTo(head.labels());
    assertThat(read.weights()).isDeepEqualTo(head.weights());
    assertThat(read.bias()).containsExactly(head.bias());
    assertThat(read.normalize()).isTrue();
  }

  @Test
  void head_invalidShapes_rejected() {
    assertThatThrownBy(
            () -> new Head(List.of("a", "b"), new float[][] {{1f}}, new float[] {0f}, false, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one row per label (2)");
    assertThatThrownBy(
            () ->
                new Head(List.of("a", "a"), new float[][] {{1f}, {1f}}, new float[2], false, true))
        .hasMessageContaining("unique");
  }

  @Test
  void main_textPrefix_goesIntoTheGraphsAndTheViewsConfig() throws Exception {
    var head = dir.resolve("head.json");
    randomHead(3, 5).write(head);
    Files.writeString(dir.resolve("SUMS"), "");
    for (var prefix : List.of("query: ", "")) {
      var out = dir.resolve("out" + prefix.length());
      var args =
          new ArrayList<>(
              List.of(
                  "--encoder-onnx",
                  "all-minilm-l6-v2-q.onnx",
                  "--encoder-tokenizer",
                  "all-minilm-l6-v2-q-tokenizer.json",
                  "--encoder-name",
                  "test",
                  "--max-length",
                  "128",
                  "--head",
                  head.toString(),
                  "--id",
                  "g",
                  "--out",
                  out.toString(),
                  "--expect",
                  dir.resolve("SUMS").toString(),
                  "--mode",
                  "update",
                  "--view",
                  "v=a,b"));
      if (!prefix.isEmpty()) {
        args.addAll(List.of("--text-prefix", prefix));
      }
      Main.main(args.toArray(String[]::new));

      for (var config : List.of(out.resolve("g/config.json"), out.resolve("v/config.json"))) {
        var parapet = new ObjectMapper().readTree(config.toFile()).get("parapet");
        if (prefix.isEmpty()) {
          assertThat(parapet.has("text_prefix")).as(config.toString()).isFalse();
        } else {
          assertThat(parapet.get("text_prefix").asText()).as(config.toString()).isEqualTo(prefix);
        }
      }
    }
  }

  @Test
  void main_rejectsAnUnknownOption() {
    assertThatThrownBy(() -> Main.main(new String[] {"--encoder-patch", "patch.onnx.gz"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option or missing value: --encoder-patch");
    assertThatThrownBy(() -> Main.main(new String[] {"--head"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing value: --head");
  }
}
