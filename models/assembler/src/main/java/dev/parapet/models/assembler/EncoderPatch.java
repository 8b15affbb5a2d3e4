package dev.parapet.models.assembler;

import static java.util.Objects.requireNonNull;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A fine-tuned encoder, stored as its difference from a stock int8 encoder: a gzipped ONNX model
 * whose graph holds only initializers, each named as the stock initializer it changes and added to
 * it element-wise. An {@code int8} tensor changes the quantised values of an {@code int8} or {@code
 * uint8} initializer; a {@code float} tensor changes a {@code float} initializer (biases, layer
 * norms). Nodes and quantisation scales are never changed, so the patched encoder runs the stock
 * operators at the stock speed. {@code models/training/export.py} writes such patches.
 *
 * <p>Deterministic: integer additions, and float additions in IEEE single precision as numpy does.
 */
public final class EncoderPatch {

  private final Map<String, TensorProto> tensors;

  private EncoderPatch(Map<String, TensorProto> tensors) {
    this.tensors = tensors;
  }

  /**
   * Reads a gzipped patch.
   *
   * @throws IllegalArgumentException if the bytes are not a gzipped ONNX model holding only {@code
   *     int8} and {@code float} initializers
   */
  public static EncoderPatch read(byte[] gzipped) {
    requireNonNull(gzipped, "gzipped");
    ModelProto model;
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      model = ModelProto.parseFrom(in.readAllBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("the patch is not an ONNX model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the patch is not gzipped: " + e.getMessage(), e);
    }
    if (model.getGraph().getNodeCount() > 0) {
      throw new IllegalArgumentException("a patch holds initializers only, this one has nodes");
    }
    var tensors = new HashMap<String, TensorProto>();
    for (var tensor : model.getGraph().getInitializerList()) {
      int type = tensor.getDataType();
      if (type != DataType.INT8_VALUE && type != DataType.FLOAT_VALUE) {
        throw new IllegalArgumentException(
            "patch tensor '"
                + tensor.getName()
                + "' is "
                + DataType.forNumber(type)
                + ", not INT8 or FLOAT");
      }
      if (tensors.put(tensor.getName(), tensor) != null) {
        throw new IllegalArgumentException("patch tensor '" + tensor.getName() + "' appears twice");
      }
    }
    return new EncoderPatch(Map.copyOf(tensors));
  }

  /** Reads a gzipped patch file; see {@link #read(byte[])}. */
  public static EncoderPatch read(Path file) throws IOException {
    return read(Files.readAllBytes(requireNonNull(file, "file")));
  }

  /** The number of initializers this patch changes. */
  public int size() {
    return tensors.size();
  }

  /**
   * Returns the encoder graph with this patch added to its initializers.
   *
   * @throws IllegalArgumentException if a patch tensor names no initializer of the encoder, differs
   *     from it in shape or kind, or moves a quantised value out of its type's range
   */
  public byte[] applyTo(byte[] encoder) {
    requireNonNull(encoder, "encoder");
    ModelProto model;
    try {
      model = ModelProto.parseFrom(encoder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("the encoder is not an ONNX model: " + e.getMessage(), e);
    }
    GraphProto.Builder graph = model.getGraph().toBuilder();
    var applied = new HashSet<String>();
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      var base = graph.getInitializer(i);
      var delta = tensors.get(base.getName());
      if (delta != null) {
        graph.setInitializer(i, add(base, delta));
        applied.add(base.getName());
      }
    }
    if (applied.size() != tensors.size()) {
      var unknown = new HashSet<>(tensors.keySet());
      unknown.removeAll(applied);
      throw new IllegalArgumentException(
          "patch tensors name no initializer of the encoder: " + unknown);
    }
    return model.toBuilder().setGraph(graph).build().toByteArray();
  }

  private static TensorProto add(TensorProto base, TensorProto delta) {
    String name = base.getName();
    if (!base.getDimsList().equals(delta.getDimsList())) {
      throw new IllegalArgumentException(
          "patch tensor '"
              + name
              + "' has shape "
              + delta.getDimsList()
              + ", the encoder's "
              + base.getDimsList());
    }
    int type = base.getDataType();
    boolean quantised = type == DataType.INT8_VALUE || type == DataType.UINT8_VALUE;
    boolean compatible =
        delta.getDataType() == DataType.INT8_VALUE ? quantised : type == DataType.FLOAT_VALUE;
    if (!compatible) {
      throw new IllegalArgumentException(
          "patch tensor '"
              + name
              + "' is "
              + DataType.forNumber(delta.getDataType())
              + ", which cannot change a "
              + DataType.forNumber(type)
              + " initializer");
    }
    byte[] sum = raw(base).clone();
    byte[] change = raw(delta);
    if (sum.length != change.length) { // both kinds pair elements of one width
      throw new IllegalArgumentException(
          "patch tensor '"
              + name
              + "' holds "
              + change.length
              + " bytes of values, the encoder's "
              + sum.length);
    }
    if (quantised) {
      int low = type == DataType.INT8_VALUE ? Byte.MIN_VALUE : 0;
      int high = type == DataType.INT8_VALUE ? Byte.MAX_VALUE : 255;
      for (int i = 0; i < sum.length; i++) {
        int value = (type == DataType.INT8_VALUE ? sum[i] : sum[i] & 0xFF) + change[i];
        if (value < low || value > high) {
          throw new IllegalArgumentException(
              "patch moves "
                  + name
                  + "["
                  + i
                  + "] to "
                  + value
                  + ", outside "
                  + DataType.forNumber(type));
        }
        sum[i] = (byte) value;
      }
    } else {
      var sums = ByteBuffer.wrap(sum).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      var changes = ByteBuffer.wrap(change).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (int i = 0; i < sums.limit(); i++) {
        sums.put(i, sums.get(i) + changes.get(i));
      }
    }
    return base.toBuilder()
        .clearFloatData()
        .clearInt32Data()
        .setRawData(ByteString.copyFrom(sum))
        .build();
  }

  /**
   * A tensor's values as little-endian bytes, from raw_data or the typed field ONNX allows instead.
   */
  private static byte[] raw(TensorProto tensor) {
    if (!tensor.getRawData().isEmpty()) {
      return tensor.getRawData().toByteArray();
    }
    if (tensor.getDataType() == DataType.FLOAT_VALUE) {
      var buffer =
          ByteBuffer.allocate(tensor.getFloatDataCount() * Float.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN);
      tensor.getFloatDataList().forEach(buffer::putFloat);
      return buffer.array();
    }
    // int8 and uint8 values travel in int32_data, one per element.
    var bytes = new byte[tensor.getInt32DataCount()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) tensor.getInt32Data(i);
    }
    return bytes;
  }
}
