package dev.parapet.classifiers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.classifiers.ClassifierException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a classifier needs from {@code config.json}: labels in logit order, whether scores are
 * sigmoids (multi-label) or one softmax, and the token window. Internal.
 *
 * @param labels label names, index = logit position
 * @param multiLabel sigmoid per label when true, softmax over labels when false
 * @param maxLength the window in tokens, or 0 when the file does not say
 * @param view the labels a label view reports ({@code parapet.categories}), or empty for all
 * @param textPrefix text the encoder expects before every input ({@code parapet.text_prefix}, for
 *     instance e5's {@code "query: "}), or empty
 */
public record ModelConfig(
    List<String> labels, boolean multiLabel, int maxLength, List<String> view, String textPrefix) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Parses a config file; {@code name} names it in errors. */
  public static ModelConfig parse(byte[] json, String name) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new ClassifierException(name + " is not valid JSON: " + e.getMessage(), e);
    }
    var id2label = root.path("id2label");
    if (!id2label.isObject() || id2label.isEmpty()) {
      throw new ClassifierException(name + " has no id2label");
    }
    var labels = new ArrayList<String>();
    for (int i = 0; i < id2label.size(); i++) {
      var label = id2label.get(Integer.toString(i));
      if (label == null || !label.isTextual()) {
        throw new ClassifierException(
            name + ": id2label must map 0.." + (id2label.size() - 1) + " to names; missing " + i);
      }
      labels.add(label.textValue());
    }
    var problem = root.path("problem_type").asText("");
    boolean multiLabel =
        switch (problem) {
          case "multi_label_classification" -> true;
          case "single_label_classification" -> false;
          // Hugging Face's own default: one label is a sigmoid, several are one softmax.
          case "" -> labels.size() == 1;
          default ->
              throw new ClassifierException(
                  name + ": problem_type '" + problem + "' is not a classification type");
        };
    int maxLength = root.path("max_length").asInt(0);
    if (maxLength == 0) {
      maxLength = root.path("max_position_embeddings").asInt(0);
    }
    var view = new ArrayList<String>();
    for (var category : root.path("parapet").path("categories")) {
      if (!labels.contains(category.asText())) {
        throw new ClassifierException(
            name + ": view category '" + category.asText() + "' is not in id2label");
      }
      view.add(category.asText());
    }
    var prefix = root.path("parapet").path("text_prefix");
    if (!prefix.isMissingNode() && !prefix.isTextual()) {
      throw new ClassifierException(name + ": parapet.text_prefix must be a string");
    }
    return new ModelConfig(
        List.copyOf(labels), multiLabel, maxLength, List.copyOf(view), prefix.asText(""));
  }

  /** Returns the graph directory a label view's config names ({@code parapet.view_of}), or null. */
  public static String viewOf(byte[] json, String name) {
    try {
      var graph = MAPPER.readTree(json).path("parapet").path("view_of");
      if (graph.isMissingNode()) {
        return null;
      }
      var value = graph.asText();
      if (value.isBlank() || value.contains("/") || value.contains("\\") || value.equals("..")) {
        throw new ClassifierException(name + ": parapet.view_of must name a sibling directory");
      }
      return value;
    } catch (IOException e) {
      throw new ClassifierException(name + " is not valid JSON: " + e.getMessage(), e);
    }
  }
}
