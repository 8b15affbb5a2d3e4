package dev.parapet.internal;

import dev.parapet.Span;
import java.util.List;
import java.util.Map;

/**
 * One stage's result on one text: scores per category and, for detectors, spans. What the verdict
 * cache stores: scores, never decisions, so a policy change applies at once. Internal.
 *
 * @param scores category to score in {@code [0, 1]}
 * @param spans detected spans with offsets into the text the stage saw
 */
public record StageScores(Map<String, Double> scores, List<Span> spans) {

  /** Copies the fields. */
  public StageScores {
    scores = Map.copyOf(scores);
    spans = List.copyOf(spans);
  }
}
