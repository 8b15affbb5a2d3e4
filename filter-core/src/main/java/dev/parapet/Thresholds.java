package dev.parapet;

/**
 * The score thresholds of one category: a score at or above a threshold calls for that decision.
 *
 * <p>An unset threshold is {@link Double#NaN}. Set thresholds must be in {@code [0, 1]} and ordered
 * {@code flag <= redact <= block}, so that a higher score never lowers the decision.
 *
 * @param flag the FLAG threshold, or NaN
 * @param redact the REDACT threshold, or NaN
 * @param block the BLOCK threshold, or NaN
 */
public record Thresholds(double flag, double redact, double block) {

  /** No threshold set: every score is ALLOW. */
  public static final Thresholds NONE = new Thresholds(Double.NaN, Double.NaN, Double.NaN);

  /** Validates range and order. */
  public Thresholds {
    check("flag", flag);
    check("redact", redact);
    check("block", block);
    requireOrdered("flag", flag, "redact", redact);
    requireOrdered("flag", flag, "block", block);
    requireOrdered("redact", redact, "block", block);
  }

  /** Returns the decision for a score in {@code [0, 1]}. */
  public Decision decide(double score) {
    if (score >= block) {
      return Decision.BLOCK;
    }
    if (score >= redact) {
      return Decision.REDACT;
    }
    if (score >= flag) {
      return Decision.FLAG;
    }
    return Decision.ALLOW;
  }

  /**
   * Returns a copy with the threshold of {@code decision} set; ALLOW is not a threshold, and NaN
   * (which would silently unset it) is rejected.
   */
  public Thresholds with(Decision decision, double threshold) {
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException(
          decision.name().toLowerCase(java.util.Locale.ROOT)
              + " threshold must be in [0, 1], was NaN");
    }
    return switch (decision) {
      case FLAG -> new Thresholds(threshold, redact, block);
      case REDACT -> new Thresholds(flag, threshold, block);
      case BLOCK -> new Thresholds(flag, redact, threshold);
      case ALLOW -> throw new IllegalArgumentException("ALLOW has no threshold");
    };
  }

  private static void check(String name, double value) {
    if (!Double.isNaN(value) && !(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " threshold must be in [0, 1], was " + value);
    }
  }

  private static void requireOrdered(String lowName, double low, String highName, double high) {
    if (low > high) {
      throw new IllegalArgumentException(
          lowName
              + " threshold ("
              + low
              + ") must not exceed "
              + highName
              + " threshold ("
              + high
              + ")");
    }
  }
}
