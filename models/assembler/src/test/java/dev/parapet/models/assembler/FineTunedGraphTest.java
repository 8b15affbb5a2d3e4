package dev.parapet.models.assembler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class FineTunedGraphTest {

  private static final String TABLE =
      "embeddings.word_embeddings.weight_quantized"; // of the stock all-MiniLM graph

  private static final byte[] STOCK =
      ModelAssembler.Encoder.fromClasspath(
              "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 128)
          .onnx();

  @Test
  void complete_copiesTheStockTableUnderTheGraphsName() throws Exception {
    var graph = FineTunedGraph.read(gzip(graph("encoder.word.weight=" + TABLE, "a,b")));

    var completed = ModelProto.parseFrom(graph.complete(STOCK));

    var copied = initializer(completed, "encoder.word.weight");
    var original = initializer(ModelProto.parseFrom(STOCK), TABLE);
    assertThat(copied.getRawData()).isEqualTo(original.getRawData());
    assertThat(copied.getDimsList()).isEqualTo(original.getDimsList());
    assertThat(graph.labels()).containsExactly("a", "b");
    assertThat(graph.complete(STOCK)).isEqualTo(graph.complete(STOCK));
  }

  @Test
  void complete_tableMissingFromStock_rejectedNamingIt() throws Exception {
    var graph = FineTunedGraph.read(gzip(graph("w=no.such.table", "a")));

    assertThatThrownBy(() -> graph.complete(STOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no initializer 'no.such.table'");
  }

  @Test
  void read_withoutMetadata_rejected() throws Exception {
    var bare = ModelProto.newBuilder().setGraph(GraphProto.newBuilder().setName("g")).build();

    assertThatThrownBy(() -> FineTunedGraph.read(gzip(bare)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parapet.labels");
    assertThatThrownBy(() -> FineTunedGraph.read(bare.toByteArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not gzipped");
  }

  private static ModelProto graph(String tables, String labels) {
    return ModelProto.newBuilder()
        .setGraph(GraphProto.newBuilder().setName("g"))
        .addMetadataProps(
            StringStringEntryProto.newBuilder().setKey("parapet.stock_tables").setValue(tables))
        .addMetadataProps(
            StringStringEntryProto.newBuilder().setKey("parapet.labels").setValue(labels))
        .build();
  }

  private static TensorProto initializer(ModelProto model, String name) {
    return model.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static byte[] gzip(ModelProto model) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(bytes)) {
      out.write(model.toByteArray());
    }
    return bytes.toByteArray();
  }
}
