package dev.parapet;

import static java.util.Objects.requireNonNull;

/**
 * A detected region of a text: UTF-16 offsets {@code [start, end)} into the text as the caller
 * passed it.
 *
 * @param start first char index, inclusive
 * @param end last char index, exclusive
 * @param category the policy category the span counts toward, for example {@code pii}
 * @param type the finer kind within the category, for example {@code email}; used in masks
 * @param score the detector's confidence in {@code [0, 1]}
 */
public record Span(int start, int end, String category, String type, double score) {

  /** Validates the offsets, names and score. */
  public Span {
    requireNonNull(category, "category");
    requireNonNull(type, "type");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(
          "span must satisfy 0 <= start <= end, was [" + start + ", " + end + ")");
    }
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score must be in [0, 1], was " + score);
    }
  }

  /** Returns the span's length in chars. */
  public int length() {
    return end - start;
  }
}
