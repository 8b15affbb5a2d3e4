package dev.parapet.classifiers;

import java.nio.file.Path;
import java.util.List;

/**
 * Child-process main for {@link NoNetworkTest}: loads a model directory and classifies two texts.
 */
public final class NetworkProbe {

  private NetworkProbe() {}

  public static void main(String[] args) {
    try (var classifier = OnnxTextClassifier.load(Path.of(args[0]))) {
      var scores = classifier.classify(List.of("hello there", "a second text"));
      System.out.println("classified " + scores.size() + " texts");
    }
  }
}
