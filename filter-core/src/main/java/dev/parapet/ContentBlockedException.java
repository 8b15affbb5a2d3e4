package dev.parapet;

import static java.util.Objects.requireNonNull;

/**
 * Thrown by {@link SafetyFilter#guard} (or completing its async form) when a text is blocked.
 *
 * <p>A block is an expected outcome, so this exception carries no stack trace. The message names
 * the direction and the categories, never the text.
 */
public final class ContentBlockedException extends ParapetException {
  private static final long serialVersionUID = 1L;

  private final transient Verdict verdict;

  /** Creates the exception for a blocking verdict. */
  public ContentBlockedException(Verdict verdict) {
    super(message(requireNonNull(verdict, "verdict")), null, false);
    this.verdict = verdict;
  }

  /** Returns the verdict that blocked the text. */
  public Verdict verdict() {
    return verdict;
  }

  private static String message(Verdict verdict) {
    var categories =
        verdict.reasons().stream()
            .filter(r -> r.decision() == Decision.BLOCK && !r.shadow())
            .map(Reason::category)
            .distinct()
            .toList();
    return verdict.direction().name().toLowerCase(java.util.Locale.ROOT)
        + " blocked by profile '"
        + verdict.profile()
        + "': "
        + categories;
  }
}
