package dev.parapet.models.assembler;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A linear classification head on an encoder's mean-pooled (optionally L2-normalised) output:
 * {@code logits = W . features + b}, one row of {@code W} per label.
 *
 * @param labels the label names, one per logit
 * @param weights {@code [labels][hidden]}
 * @param bias {@code [labels]}
 * @param normalize whether the pooled vector is L2-normalised before the head
 * @param multiLabel whether scores are independent sigmoids (else one softmax over the labels)
 */
public record Head(
    List<String> labels, float[][] weights, float[] bias, boolean normalize, boolean multiLabel) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Validates shapes and names. */
  public Head {
    labels = List.copyOf(labels);
    requireNonNull(weights, "weights");
    requireNonNull(bias, "bias");
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("a head needs at least one label");
    }
    if (Set.copyOf(labels).size() != labels.size()) {
      throw new IllegalArgumentException("labels must be unique, were " + labels);
    }
    if (weights.length != labels.size() || bias.length != labels.size()) {
      throw new IllegalArgumentException(
          "weights and bias need one row per label ("
              + labels.size()
              + "), were "
              + weights.length
              + " and "
              + bias.length);
    }
    int hidden = weights[0].length;
    for (var row : weights) {
      if (row.length != hidden || hidden == 0) {
        throw new IllegalArgumentException("every weight row must have the same, non-zero length");
      }
      for (float w : row) {
        if (!Float.isFinite(w)) {
          throw new IllegalArgumentException("weights must be finite");
        }
      }
    }
  }

  /** Returns the width of the features the head reads. */
  public int hidden() {
    return weights[0].length;
  }

  /**
   * Reads a head from JSON: {@code {"labels": [...], "weights": [[...]], "bias": [...],
   * "normalize": bool, "multiLabel": bool}}.
   */
  public static Head read(Path file) throws IOException {
    var root = MAPPER.readTree(Files.readString(file));
    var labels = new ArrayList<String>();
    root.required("labels").forEach(n -> labels.add(n.textValue()));
    var weightRows = root.required("weights");
    var weights = new float[weightRows.size()][];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = floats(weightRows.get(i));
    }
    return new Head(
        labels,
        weights,
        floats(root.required("bias")),
        root.path("normalize").asBoolean(false),
        root.path("multiLabel").asBoolean(true));
  }

  /** Writes the head as JSON, readable by {@link #read}. */
  public void write(Path file) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    var labelArray = root.putArray("labels");
    labels.forEach(labelArray::add);
    root.put("normalize", normalize);
    root.put("multiLabel", multiLabel);
    var rows = root.putArray("weights");
    for (var row : weights) {
      var array = rows.addArray();
      for (float w : row) {
        array.add(w);
      }
    }
    var biasArray = root.putArray("bias");
    for (float b : bias) {
      biasArray.add(b);
    }
    Files.writeString(file, MAPPER.writeValueAsString(root));
  }

  private static float[] floats(JsonNode array) {
    var values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).floatValue();
    }
    return values;
  }
}
