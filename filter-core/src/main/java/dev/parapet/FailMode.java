package dev.parapet;

/**
 * What a stage's failure (an exception, an invalid result, or a missed deadline) does to the
 * verdict.
 *
 * <p>Neither mode allows silently: a failure always appears in the verdict's reasons and in the
 * {@code parapet.stage.failures} counter.
 */
public enum FailMode {
  /** The text is blocked: nothing passes that could not be checked. The default. */
  CLOSED,
  /** The text passes, flagged: availability over safety, for stages that are not essential. */
  OPEN
}
