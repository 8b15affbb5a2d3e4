package dev.parapet.models.assembler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;

/**
 * Appends mean pooling, optional L2 normalisation and a linear head to an encoder graph whose
 * output is {@code last_hidden_state [batch, sequence, hidden]}, leaving one output, {@code logits
 * [batch, labels]}: the interface of a Hugging Face Optimum text-classification export.
 *
 * <p>The result depends only on its inputs, so the same encoder and head always give the same
 * bytes.
 */
final class GraphFusion {

  static final String HIDDEN_STATE = "last_hidden_state";
  static final String ATTENTION_MASK = "attention_mask";
  static final String LOGITS = "logits";
  private static final String PREFIX = "parapet/";
  private static final float EPSILON = 1e-9f;

  private GraphFusion() {}

  static byte[] fuse(byte[] encoder, Head head) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(encoder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("the encoder is not an ONNX model: " + e.getMessage(), e);
    }
    var graph = model.getGraph();
    requireOutput(graph, HIDDEN_STATE);
    requireInput(graph, ATTENTION_MASK);
    long opset =
        model.getOpsetImportList().stream()
            .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
            .mapToLong(o -> o.getVersion())
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("the encoder declares no ONNX opset"));
    int hidden = hiddenWidth(graph);
    if (hidden > 0 && hidden != head.hidden()) {
      throw new IllegalArgumentException(
          "the head reads " + head.hidden() + " features but the encoder emits " + hidden);
    }

    var g = graph.toBuilder().clearOutput();
    var ops = new Ops(g, opset);
    var maskFloat =
        ops.node(
            "Cast",
            List.of(ATTENTION_MASK),
            "mask_float",
            intAttr("to", TensorProto.DataType.FLOAT_VALUE));
    var mask3 = ops.unsqueeze(maskFloat, 2, "mask_3d");
    var masked = ops.node("Mul", List.of(HIDDEN_STATE, mask3), "masked");
    var summed = ops.reduce("ReduceSum", masked, 1, false, "summed");
    var count = ops.reduce("ReduceSum", mask3, 1, false, "count");
    var epsilon = ops.constant("epsilon", new float[] {EPSILON}, new long[] {1});
    var safeCount = ops.node("Max", List.of(count, epsilon), "count_safe");
    var features = ops.node("Div", List.of(summed, safeCount), "mean_pooled");
    if (head.normalize()) {
      var norm = ops.reduce("ReduceL2", features, 1, true, "norm");
      var safeNorm = ops.node("Max", List.of(norm, epsilon), "norm_safe");
      features = ops.node("Div", List.of(features, safeNorm), "normalized");
    }
    int labels = head.labels().size();
    var flat = new float[labels * head.hidden()];
    for (int i = 0; i < labels; i++) {
      System.arraycopy(head.weights()[i], 0, flat, i * head.hidden(), head.hidden());
    }
    var weights = ops.constant("head_weights", flat, new long[] {labels, head.hidden()});
    var bias = ops.constant("head_bias", head.bias(), new long[] {labels});
    g.addNode(
        NodeProto.newBuilder()
            .setOpType("Gemm")
            .setName(PREFIX + "head")
            .addInput(features)
            .addInput(weights)
            .addInput(bias)
            .addOutput(LOGITS)
            .addAttribute(intAttr("transB", 1)));
    g.addOutput(
        ValueInfoProto.newBuilder()
            .setName(LOGITS)
            .setType(
                TypeProto.newBuilder()
                    .setTensorType(
                        TypeProto.Tensor.newBuilder()
                            .setElemType(TensorProto.DataType.FLOAT_VALUE)
                            .setShape(
                                TensorShapeProto.newBuilder()
                                    .addDim(
                                        TensorShapeProto.Dimension.newBuilder()
                                            .setDimParam("batch_size"))
                                    .addDim(
                                        TensorShapeProto.Dimension.newBuilder()
                                            .setDimValue(labels))))));
    return model.toBuilder().setGraph(g).build().toByteArray();
  }

  private static int hiddenWidth(GraphProto graph) {
    for (var output : graph.getOutputList()) {
      if (output.getName().equals(HIDDEN_STATE)) {
        var dims = output.getType().getTensorType().getShape().getDimList();
        if (dims.size() == 3 && dims.get(2).hasDimValue()) {
          return (int) dims.get(2).getDimValue();
        }
      }
    }
    return -1;
  }

  private static void requireOutput(GraphProto graph, String name) {
    if (graph.getOutputList().stream().noneMatch(o -> o.getName().equals(name))) {
      throw new IllegalArgumentException("the encoder has no output '" + name + "'");
    }
  }

  private static void requireInput(GraphProto graph, String name) {
    if (graph.getInputList().stream().noneMatch(o -> o.getName().equals(name))) {
      throw new IllegalArgumentException("the encoder has no input '" + name + "'");
    }
  }

  private static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  /** Adds nodes in the form the graph's opset expects (axes as attributes before opset 13). */
  private static final class Ops {
    private final GraphProto.Builder graph;
    private final long opset;

    Ops(GraphProto.Builder graph, long opset) {
      this.graph = graph;
      this.opset = opset;
    }

    String node(String op, List<String> inputs, String output, AttributeProto... attributes) {
      var name = PREFIX + output;
      var node =
          NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(name);
      for (var attribute : attributes) {
        node.addAttribute(attribute);
      }
      graph.addNode(node);
      return name;
    }

    String unsqueeze(String input, long axis, String output) {
      if (opset < 13) {
        return node("Unsqueeze", List.of(input), output, intsAttr("axes", axis));
      }
      return node("Unsqueeze", List.of(input, axes(output, axis)), output);
    }

    String reduce(String op, String input, long axis, boolean keepDims, String output) {
      var keep = intAttr("keepdims", keepDims ? 1 : 0);
      boolean axesAsInput = op.equals("ReduceSum") ? opset >= 13 : opset >= 18;
      if (!axesAsInput) {
        return node(op, List.of(input), output, intsAttr("axes", axis), keep);
      }
      return node(op, List.of(input, axes(output, axis)), output, keep);
    }

    String constant(String name, float[] values, long[] dims) {
      var tensor =
          TensorProto.newBuilder()
              .setName(PREFIX + name)
              .setDataType(TensorProto.DataType.FLOAT_VALUE);
      for (long dim : dims) {
        tensor.addDims(dim);
      }
      var bytes =
          java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        bytes.putFloat(v);
      }
      tensor.setRawData(com.google.protobuf.ByteString.copyFrom(bytes.array()));
      graph.addInitializer(tensor);
      return PREFIX + name;
    }

    private String axes(String owner, long axis) {
      var tensor =
          TensorProto.newBuilder()
              .setName(PREFIX + owner + "_axes")
              .setDataType(TensorProto.DataType.INT64_VALUE)
              .addDims(1)
              .addInt64Data(axis);
      graph.addInitializer(tensor);
      return PREFIX + owner + "_axes";
    }

    private static AttributeProto intsAttr(String name, long value) {
      return AttributeProto.newBuilder()
          .setName(name)
          .setType(AttributeProto.AttributeType.INTS)
          .addInts(value)
          .build();
    }
  }
}
