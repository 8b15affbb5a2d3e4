package dev.parapet.models.assembler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EncoderPatchTest {

  private static final String QUANTISED =
      "embeddings.token_type_embeddings.weight_quantized"; // uint8 [2, 384]
  private static final String BIAS = "encoder.layer.0.attention.self.query.bias"; // float [384]

  private static byte[] stock;

  @BeforeAll
  static void loadStockEncoder() {
    stock =
        ModelAssembler.Encoder.fromClasspath(
                "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 128)
            .onnx();
  }

  @Test
  void applyTo_addsEachTensorToItsInitializer_andLeavesTheRestAlone() throws Exception {
    var change = new byte[2 * 384];
    change[0] = 3;
    change[767] = -2;
    var floatChange = new float[384];
    floatChange[5] = 0.25f;
    var patch =
        EncoderPatch.read(
            gzip(
                tensor(QUANTISED, DataType.INT8, List.of(2L, 384L), change),
                tensor(BIAS, DataType.FLOAT, List.of(384L), floats(floatChange))));

    var patched = ModelProto.parseFrom(patch.applyTo(stock));
    var before = ModelProto.parseFrom(stock);

    var oldValues = initializer(before, QUANTISED).getRawData().toByteArray();
    var newValues = initializer(patched, QUANTISED).getRawData().toByteArray();
    assertThat(newValues[0] & 0xFF).isEqualTo((oldValues[0] & 0xFF) + 3);
    assertThat(newValues[767] & 0xFF).isEqualTo((oldValues[767] & 0xFF) - 2);
    assertThat(newValues[1]).isEqualTo(oldValues[1]);
    var oldBias = values(initializer(before, BIAS));
    var newBias = values(initializer(patched, BIAS));
    assertThat(newBias[5]).isEqualTo(oldBias[5] + 0.25f);
    assertThat(newBias[6]).isEqualTo(oldBias[6]);
    assertThat(patched.getGraph().getNodeList()).isEqualTo(before.getGraph().getNodeList());
    var untouched = "embeddings.word_embeddings.weight_quantized";
    assertThat(initializer(patched, untouched)).isEqualTo(initializer(before, untouched));
  }

  @Test
  void applyTo_isDeterministic() {
    var patch =
        EncoderPatch.read(
            gzip(tensor(BIAS, DataType.FLOAT, List.of(384L), floats(new float[384]))));

    assertThat(patch.applyTo(stock)).isEqualTo(patch.applyTo(stock));
  }

  @Test
  void patchedEncoder_carriesThePatchedGraphAndSaysSo() throws IOException {
    var encoder =
        ModelAssembler.Encoder.fromClasspath(
            "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 128);
    var floatChange = new float[384];
    floatChange[0] = 1f;
    var patch =
        EncoderPatch.read(gzip(tensor(BIAS, DataType.FLOAT, List.of(384L), floats(floatChange))));

    var patched = encoder.patched(patch, "fine-tuned, patch test");

    assertThat(patched.description()).isEqualTo(encoder.description() + "; fine-tuned, patch test");
    assertThat(values(initializer(ModelProto.parseFrom(patched.onnx()), BIAS))[0])
        .isEqualTo(values(initializer(ModelProto.parseFrom(stock), BIAS))[0] + 1f);
    assertThat(patch.size()).isEqualTo(1);
  }

  @Test
  void applyTo_rejectsATensorTheEncoderLacks() {
    var patch =
        EncoderPatch.read(
            gzip(tensor("no.such.weight", DataType.FLOAT, List.of(1L), floats(new float[1]))));

    assertThatThrownBy(() -> patch.applyTo(stock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no.such.weight");
  }

  @Test
  void applyTo_rejectsAnotherShape() {
    var patch =
        EncoderPatch.read(
            gzip(tensor(BIAS, DataType.FLOAT, List.of(383L), floats(new float[383]))));

    assertThatThrownBy(() -> patch.applyTo(stock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shape");
  }

  @Test
  void applyTo_rejectsValuesThatDoNotFillTheShape() {
    var patch =
        EncoderPatch.read(
            gzip(tensor(BIAS, DataType.FLOAT, List.of(384L), floats(new float[383]))));

    assertThatThrownBy(() -> patch.applyTo(stock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1532 bytes of values, the encoder's 1536");
  }

  @Test
  void applyTo_rejectsAQuantisedValueOutOfRange() throws IOException {
    var stockValues =
        initializer(ModelProto.parseFrom(stock), QUANTISED).getRawData().toByteArray();
    int top = 0;
    for (int i = 1; i < stockValues.length; i++) {
      top = (stockValues[i] & 0xFF) > (stockValues[top] & 0xFF) ? i : top;
    }
    var change = new byte[2 * 384];
    change[top] = (byte) (256 - (stockValues[top] & 0xFF)); // the largest value, moved to 256
    var patch =
        EncoderPatch.read(gzip(tensor(QUANTISED, DataType.INT8, List.of(2L, 384L), change)));

    assertThatThrownBy(() -> patch.applyTo(stock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside UINT8");
  }

  @Test
  void applyTo_rejectsAFloatChangeOfQuantisedValues() {
    var patch =
        EncoderPatch.read(
            gzip(tensor(QUANTISED, DataType.FLOAT, List.of(2L, 384L), floats(new float[768]))));

    assertThatThrownBy(() -> patch.applyTo(stock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot change a UINT8");
  }

  @Test
  void read_rejectsBytesThatAreNotAGzippedModel() {
    assertThatThrownBy(() -> EncoderPatch.read(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not gzipped");
  }

  @Test
  void read_rejectsOtherTensorTypes() {
    var patch = gzip(tensor(BIAS, DataType.INT64, List.of(1L), new byte[8]));

    assertThatThrownBy(() -> EncoderPatch.read(patch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INT64");
  }

  private static TensorProto tensor(String name, DataType type, List<Long> dims, byte[] raw) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(type.getNumber())
        .addAllDims(dims)
        .setRawData(ByteString.copyFrom(raw))
        .build();
  }

  private static byte[] gzip(TensorProto... tensors) {
    var model =
        ModelProto.newBuilder()
            .setGraph(GraphProto.newBuilder().setName("patch").addAllInitializer(List.of(tensors)))
            .build();
    var bytes = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(bytes)) {
      model.writeTo(out);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] floats(float[] values) {
    var buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      buffer.putFloat(value);
    }
    return buffer.array();
  }

  private static float[] values(TensorProto tensor) {
    var buffer =
        tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    var values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  private static TensorProto initializer(ModelProto model, String name) {
    return model.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
