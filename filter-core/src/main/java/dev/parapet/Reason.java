package dev.parapet;

import static java.util.Objects.requireNonNull;

/**
 * One cause of a verdict's decision: a category whose score crossed a threshold, or a stage
 * failure.
 *
 * @param category a score category, or one of the reserved codes {@link #STAGE_ERROR}, {@link
 *     #STAGE_TIMEOUT}, {@link #TEXT_TOO_LONG}, {@link #TEXT_UNCHECKED}, {@link
 *     #UNLOCATED_REDACTION}
 * @param decision the decision this cause calls for
 * @param score the category's score, or {@code 1.0} for reserved codes
 * @param stage the id of the stage that produced it, or {@code null} for the filter itself
 * @param shadow whether it was computed in shadow mode, recorded but not enforced
 */
public record Reason(
    String category, Decision decision, double score, String stage, boolean shadow) {

  /** A stage threw or returned an invalid result; its fail mode chose the decision. */
  public static final String STAGE_ERROR = "stage_error";

  /** A stage passed its deadline; its fail mode chose the decision. */
  public static final String STAGE_TIMEOUT = "stage_timeout";

  /** The text was longer than the filter's maximum and was rejected unchecked. */
  public static final String TEXT_TOO_LONG = "text_too_long";

  /**
   * A stage scored only the first part of the text, its {@link Stage.Builder#maxChars budget}: the
   * rest is unchecked by that stage. At least {@link Decision#FLAG}; the profile's thresholds for
   * this code may ask for more.
   */
  public static final String TEXT_UNCHECKED = "text_unchecked";

  /**
   * A category called for {@link Decision#REDACT} but no stage located it in the text, so it cannot
   * be masked: the text is blocked instead.
   */
  public static final String UNLOCATED_REDACTION = "unlocated_redaction";

  /** Validates the fields. */
  public Reason {
    requireNonNull(category, "category");
    requireNonNull(decision, "decision");
  }
}
