package dev.parapet;

import static java.util.Objects.requireNonNull;

/**
 * What one stage did during a check.
 *
 * @param stage the stage id
 * @param outcome how the stage ended
 * @param cached whether its scores came from the verdict cache
 * @param shadow whether the stage runs in shadow mode
 */
public record StageReport(String stage, Outcome outcome, boolean cached, boolean shadow) {

  /** How a stage ended. */
  public enum Outcome {
    /** It returned valid scores. */
    SUCCESS,
    /** It threw or returned an invalid result. */
    ERROR,
    /** It passed its deadline. */
    TIMEOUT,
    /** It did not run because an earlier stage already blocked the text. */
    SKIPPED
  }

  /** Validates the fields. */
  public StageReport {
    requireNonNull(stage, "stage");
    requireNonNull(outcome, "outcome");
  }
}
