package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The filter's decision on one text, with the scores, spans and reasons that led to it.
 *
 * <p>Immutable. Never contains the text that was checked unless the decision released it: {@link
 * #text()} is the text as released (unchanged, redacted, or the refusal on a block).
 *
 * @param decision the enforced decision
 * @param shadowDecision the decision had every shadow stage and profile been enforced; equal to
 *     {@code decision} when nothing runs in shadow mode
 * @param direction the side of the call the text was on
 * @param profile the name of the policy profile applied
 * @param scores the highest score per category over all stages that ran, shadow stages included
 * @param spans the spans detected, sorted by start offset
 * @param reasons the causes of every decision above {@link Decision#ALLOW}
 * @param stages what each stage of that direction did, in stage order (cheapest first; the order
 *     they ran unless the profile runs them in parallel)
 * @param text the text as released: the input unchanged for ALLOW and FLAG, masked for REDACT, the
 *     configured refusal (empty if none) for BLOCK
 */
public record Verdict(
    Decision decision,
    Decision shadowDecision,
    Direction direction,
    String profile,
    Map<String, Double> scores,
    List<Span> spans,
    List<Reason> reasons,
    List<StageReport> stages,
    String text) {

  /** Validates and copies the fields. */
  public Verdict {
    requireNonNull(decision, "decision");
    requireNonNull(shadowDecision, "shadowDecision");
    requireNonNull(direction, "direction");
    requireNonNull(profile, "profile");
    scores = Map.copyOf(scores);
    spans = List.copyOf(spans);
    reasons = List.copyOf(reasons);
    stages = List.copyOf(stages);
    requireNonNull(text, "text");
  }

  /** Returns whether the text was blocked. */
  public boolean blocked() {
    return decision == Decision.BLOCK;
  }

  /** Returns the score of a category, or {@code 0.0} if no stage scored it. */
  public double score(String category) {
    return scores.getOrDefault(category, 0.0);
  }
}
