package dev.parapet.models.assembler;

import static java.util.Objects.requireNonNull;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * A fine-tuned classifier graph as committed: the whole int8 graph (encoder, pooling, heads, output
 * {@code logits}) except the word-piece embedding table, which fine-tuning left as the stock
 * encoder's and the build copies from the stock graph of a Maven jar.
 *
 * <p>The graph's metadata names what to copy and what the graph reports: {@code
 * parapet.stock_tables} ({@code graphName=stockName}, comma-separated) and {@code parapet.labels}
 * (the logits' labels in order, comma-separated). Immutable; {@link #complete(byte[])} gives the
 * same bytes for the same inputs.
 */
public final class FineTunedGraph {

  static final String STOCK_TABLES = "parapet.stock_tables";
  static final String LABELS = "parapet.labels";

  private final ModelProto model;
  private final Map<String, String> metadata;

  private FineTunedGraph(ModelProto model) {
    this.model = model;
    this.metadata =
        model.getMetadataPropsList().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    StringStringEntryProto::getKey, StringStringEntryProto::getValue));
    if (!metadata.containsKey(LABELS) || !metadata.containsKey(STOCK_TABLES)) {
      throw new IllegalArgumentException(
          "the graph's metadata lacks " + LABELS + " or " + STOCK_TABLES);
    }
  }

  /**
   * Reads a gzipped graph.
   *
   * @throws IllegalArgumentException if the bytes are not a gzipped ONNX model with both metadata
   *     entries
   */
  public static FineTunedGraph read(byte[] gzipped) {
    requireNonNull(gzipped, "gzipped");
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return new FineTunedGraph(ModelProto.parseFrom(in.readAllBytes()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("the graph is not an ONNX model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the graph is not gzipped: " + e.getMessage(), e);
    }
  }

  /** The labels of the graph's logits, in order. */
  public List<String> labels() {
    return List.of(metadata.get(LABELS).split(","));
  }

  /**
   * Returns the runnable graph: this one with each stock table copied from {@code stockEncoder}
   * under the name the graph reads it by, appended to the initializers.
   *
   * @throws IllegalArgumentException if the stock graph lacks a table, or the graph has one already
   */
  public byte[] complete(byte[] stockEncoder) {
    requireNonNull(stockEncoder, "stockEncoder");
    ModelProto stock;
    try {
      stock = ModelProto.parseFrom(stockEncoder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "the stock encoder is not an ONNX model: " + e.getMessage(), e);
    }
    var graph = model.getGraph().toBuilder();
    for (var pair : metadata.get(STOCK_TABLES).split(",")) {
      var names = pair.split("=", 2);
      if (names.length != 2) {
        throw new IllegalArgumentException(
            STOCK_TABLES + " entry '" + pair + "' is not graphName=stockName");
      }
      if (graph.getInitializerList().stream().anyMatch(t -> t.getName().equals(names[0]))) {
        throw new IllegalArgumentException("the graph has its own '" + names[0] + "' already");
      }
      TensorProto table =
          stock.getGraph().getInitializerList().stream()
              .filter(t -> t.getName().equals(names[1]))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the stock encoder has no initializer '" + names[1] + "'"));
      graph.addInitializer(table.toBuilder().setName(names[0]));
    }
    return model.toBuilder().setGraph(graph).build().toByteArray();
  }
}
