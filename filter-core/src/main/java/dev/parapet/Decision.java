package dev.parapet;

/**
 * What the filter does with a text, in increasing severity: {@code ALLOW < FLAG < REDACT < BLOCK}.
 *
 * <p>When several categories or stages disagree, the most severe decision wins.
 */
public enum Decision {
  /** The text passes unchanged. */
  ALLOW,
  /** The text passes unchanged and the verdict is recorded for review. */
  FLAG,
  /** The text passes with the offending spans masked. */
  REDACT,
  /** The text does not pass. */
  BLOCK;

  /** Returns the more severe of this decision and {@code other}. */
  public Decision max(Decision other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** Returns whether this decision is at least as severe as {@code other}. */
  public boolean atLeast(Decision other) {
    return ordinal() >= other.ordinal();
  }
}
