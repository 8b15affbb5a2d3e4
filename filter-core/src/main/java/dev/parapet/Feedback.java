package dev.parapet;

import static java.util.Objects.requireNonNull;

/**
 * A user's report that a verdict was wrong, for the feedback loop.
 *
 * @param kind whether the text was wrongly acted on or wrongly let through
 * @param category the category concerned
 * @param direction the side of the call
 * @param requestId the request id of the check, from its {@link Context}, or {@code null}
 * @param text the text concerned, or {@code null}; it goes to the feedback sink only, never to
 *     metrics or logs
 */
public record Feedback(
    Kind kind, String category, Direction direction, String requestId, String text) {

  /** The kind of error reported. */
  public enum Kind {
    /** The filter acted on a text that was fine. */
    FALSE_POSITIVE,
    /** The filter let through a text it should have acted on. */
    FALSE_NEGATIVE
  }

  /** Validates the fields. */
  public Feedback {
    requireNonNull(kind, "kind");
    requireNonNull(category, "category");
    requireNonNull(direction, "direction");
  }
}
