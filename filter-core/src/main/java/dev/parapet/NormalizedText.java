package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A text as stages see it after {@link Normalization}, with the way back to the original: every
 * char of {@link #text()} knows the range of original chars it came from, so spans found in the
 * normalised text map to what the user actually wrote.
 *
 * @param original the text as the caller passed it
 * @param text the normalised text
 * @param starts for each char of {@code text}, the first original char it came from; {@code null}
 *     when the text is unchanged
 * @param ends for each char of {@code text}, one past the last original char it came from; {@code
 *     null} when the text is unchanged
 * @param invisible spans of removed invisible chars (category {@value
 *     Normalization#INVISIBLE_TEXT}), in original offsets
 */
public record NormalizedText(
    String original, String text, int[] starts, int[] ends, List<Span> invisible) {

  /** Validates lengths. */
  public NormalizedText {
    requireNonNull(original, "original");
    requireNonNull(text, "text");
    invisible = List.copyOf(invisible);
    if (starts == null || ends == null) {
      if (starts != ends || !original.equals(text)) {
        throw new IllegalArgumentException("only an unchanged text may omit its offset maps");
      }
    } else if (starts.length != text.length() || ends.length != text.length()) {
      throw new IllegalArgumentException("offset maps must have one entry per normalised char");
    }
  }

  /** Returns the text unchanged, each char mapping to itself (no offset maps are allocated). */
  public static NormalizedText identity(String text) {
    return new NormalizedText(text, text, null, null, List.of());
  }

  /** Returns whether normalisation changed nothing. */
  public boolean unchanged() {
    return original.equals(text);
  }

  /** Maps a span of the normalised text to the original text's offsets. */
  public Span toOriginal(Span span) {
    if (span.end() > text.length()) {
      throw new IllegalArgumentException("span ends past the normalised text");
    }
    if (starts == null) {
      return span;
    }
    if (span.start() == span.end()) {
      int at = span.start() < starts.length ? starts[span.start()] : original.length();
      return new Span(at, at, span.category(), span.type(), span.score());
    }
    return new Span(
        starts[span.start()], ends[span.end() - 1], span.category(), span.type(), span.score());
  }
}
