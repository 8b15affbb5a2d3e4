package dev.parapet;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the filter does to a text before any stage sees it, so that look-alike and invisible
 * characters cannot smuggle text past the stages.
 *
 * <p>{@link #standard()}, the default, in this order: removes zero-width, bidirectional-control and
 * Unicode tag characters (and reports them as spans of category {@value #INVISIBLE_TEXT}); the
 * ASCII that a run of tag characters hides is added after the visible text, on a line of its own,
 * so stages score the instruction it carries; applies NFKC per character cluster (a base character
 * and its combining marks), which folds full-width, mathematical and other compatibility forms;
 * folds letters that Unicode's confusables data (the UTS #39 skeleton, as ICU4J's {@code
 * SpoofChecker} computes it) takes for Latin ones, such as Cyrillic and Greek homoglyphs and Latin
 * small capitals. Stages see no joiner; a zero-width joiner or non-joiner between non-ASCII
 * characters (emoji sequences, Indic and Persian scripts) is neither reported nor removed on
 * release. Each output char maps back to the original chars it came from (see {@link
 * NormalizedText}), so spans and redactions apply to what the user wrote. Linear in the text's
 * length; the output is at most 54 chars per input char (NFKC's largest expansion, 18, times the 3
 * letters a look-alike folds to at most).
 *
 * <p>The standard normalisation also removes invisible characters from the text the filter releases
 * (unless the verdict blocks); {@link #keepingInvisibleText()} releases them as written.
 * Thread-safe.
 */
public final class Normalization {

  /** The category of removed invisible characters. */
  public static final String INVISIBLE_TEXT = "invisible_text";

  /**
   * The most combining marks normalised with their base character (UAX #15's stream-safe limit).
   */
  private static final int MAX_MARKS = 30;

  private static final Normalization STANDARD = new Normalization(true, true);
  private static final Normalization KEEPING = new Normalization(true, false);
  private static final Normalization NONE = new Normalization(false, false);

  private final boolean enabled;
  private final boolean removeOnRelease;

  private Normalization(boolean enabled, boolean removeOnRelease) {
    this.enabled = enabled;
    this.removeOnRelease = removeOnRelease;
  }

  /** Returns the standard normalisation, which also removes invisible characters on release. */
  public static Normalization standard() {
    return STANDARD;
  }

  /** Returns no normalisation: stages see the text exactly as passed. */
  public static Normalization none() {
    return NONE;
  }

  /**
   * Returns this normalisation, but releasing invisible characters as written (they are still
   * reported and still hidden from the stages).
   */
  public Normalization keepingInvisibleText() {
    return enabled ? KEEPING : NONE;
  }

  /** Returns whether invisible characters are removed from released text. */
  public boolean removesInvisibleText() {
    return removeOnRelease;
  }

  /** Returns whether a code point is invisible: zero-width, bidi control or a Unicode tag. */
  public static boolean invisible(int codePoint) {
    return (codePoint >= 0x200B && codePoint <= 0x200F) // zero-width space/joiners, LRM, RLM
        || (codePoint >= 0x202A && codePoint <= 0x202E) // bidi embeddings and overrides
        || (codePoint >= 0x2060 && codePoint <= 0x2064) // word joiner, invisible operators
        || (codePoint >= 0x2066 && codePoint <= 0x2069) // bidi isolates
        || codePoint == 0xFEFF // zero-width no-break space
        || codePoint == 0x180E // Mongolian vowel separator
        || (codePoint >= 0xE0000 && codePoint <= 0xE007F); // tag characters
  }

  /**
   * Returns whether the code point at {@code index} is invisible in its place: as {@link
   * #invisible(int)}, except a zero-width joiner or non-joiner whose neighbours (those it has) are
   * all visible and non-ASCII: it joins emoji or letters of scripts that need it. Stages never see
   * joiners either way; this decides what is reported and removed on release.
   */
  static boolean invisibleAt(CharSequence text, int index) {
    int cp = Character.codePointAt(text, index);
    if (!invisible(cp)) {
      return false;
    }
    if (cp != 0x200C && cp != 0x200D) {
      return true;
    }
    int after = index + 1;
    boolean hasBefore = index > 0;
    boolean hasAfter = after < text.length();
    return (!hasBefore && !hasAfter)
        || (hasBefore && joinsNothing(Character.codePointBefore(text, index)))
        || (hasAfter && joinsNothing(Character.codePointAt(text, after)));
  }

  private static boolean joinsNothing(int neighbour) {
    return neighbour < 0x80 || invisible(neighbour);
  }

  /**
   * Returns the text without its invisible characters from offset {@code from} on (the chars before
   * it unchanged); the same text when it has none.
   */
  static String removeInvisible(String text, int from) {
    StringBuilder out = null;
    int i = from;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (invisibleAt(text, i)) {
        if (out == null) {
          out = new StringBuilder(text.length()).append(text, 0, i);
        }
      } else if (out != null) {
        out.append(text, i, next);
      }
      i = next;
    }
    return out == null ? text : out.toString();
  }

  /** Normalises a text. */
  public NormalizedText apply(String original) {
    return apply(original, Integer.MAX_VALUE);
  }

  /**
   * Normalises a text, or returns {@code null} as soon as the normalised text would be longer than
   * {@code maxLength}, so a limit bounds the work and the memory, not only the result.
   */
  NormalizedText apply(String original, int maxLength) {
    if (!enabled || isPlain(original)) {
      return original.length() > maxLength ? null : NormalizedText.identity(original);
    }
    var out = new Output(Math.min(original.length(), maxLength));
    var invisible = new ArrayList<Span>();
    var payloads = new ArrayList<Payload>(); // tag runs, decoded after the visible text
    var decoded = new StringBuilder();
    int n = original.length();
    int i = 0;
    while (i < n) {
      if (out.length() > maxLength) {
        return null;
      }
      int cp = original.codePointAt(i);
      if (invisible(cp)) {
        int runStart = i;
        int reported = -1;
        int payloadStart = decoded.length();
        while (i < n && invisible(original.codePointAt(i))) {
          int hidden = original.codePointAt(i);
          if (invisibleAt(original, i)) {
            reported = reported < 0 ? i : reported;
          } else if (reported >= 0) {
            invisible.add(new Span(reported, i, INVISIBLE_TEXT, "invisible", 1.0));
            reported = -1;
          }
          if (hidden >= 0xE0020 && hidden <= 0xE007E) {
            decoded.append((char) (hidden - 0xE0000)); // a tag character spells its ASCII twin
          }
          i += Character.charCount(hidden);
        }
        if (reported >= 0) {
          invisible.add(new Span(reported, i, INVISIBLE_TEXT, "invisible", 1.0));
        }
        if (decoded.length() > payloadStart) {
          payloads.add(new Payload(runStart, i, decoded.substring(payloadStart)));
        }
        continue;
      }
      // A cluster: one code point and the combining marks after it, at most MAX_MARKS of them (as
      // in
      // Unicode's stream-safe text format): NFKC reorders a cluster's marks in quadratic time.
      int start = i;
      i += Character.charCount(cp);
      for (int marks = 0;
          i < n && marks < MAX_MARKS && combining(original.codePointAt(i));
          marks++) {
        i += Character.charCount(original.codePointAt(i));
      }
      var folded = Normalizer.normalize(original.substring(start, i), Normalizer.Form.NFKC);
      for (int k = 0; k < folded.length(); ) {
        int c = folded.codePointAt(k);
        k += Character.charCount(c);
        var latin = Confusables.latin(c);
        if (latin != null) {
          out.append(latin, start, i);
        } else {
          out.appendCodePoint(c, start, i);
        }
      }
    }
    // Hidden instructions are scored as text of their own, after the visible text (inline, a tag
    // inside a word would split the word the stages see), each mapped back to its run.
    for (var payload : payloads) {
      out.append("\n" + payload.text(), payload.start(), payload.end());
    }
    return out.length() > maxLength ? null : out.toText(original, invisible);
  }

  /** The ASCII a run of tag characters hides, and the run's original range. */
  private record Payload(int start, int end, String text) {}

  /** The normalised text being built, with each char's range of original chars. */
  private static final class Output {
    private final StringBuilder text;
    private int[] starts;
    private int[] ends;

    int length() {
      return text.length();
    }

    Output(int capacity) {
      text = new StringBuilder(capacity);
      starts = new int[capacity + 16];
      ends = new int[capacity + 16];
    }

    void append(String chars, int start, int end) {
      for (int k = 0; k < chars.length(); k++) {
        put(chars.charAt(k), start, end);
      }
    }

    void appendCodePoint(int codePoint, int start, int end) {
      if (Character.isBmpCodePoint(codePoint)) {
        put((char) codePoint, start, end);
      } else {
        put(Character.highSurrogate(codePoint), start, end);
        put(Character.lowSurrogate(codePoint), start, end);
      }
    }

    private void put(char c, int start, int end) {
      int at = text.length();
      if (at == starts.length) {
        starts = Arrays.copyOf(starts, at * 2);
        ends = Arrays.copyOf(ends, at * 2);
      }
      starts[at] = start;
      ends[at] = end;
      text.append(c);
    }

    NormalizedText toText(String original, List<Span> invisible) {
      int length = text.length();
      return new NormalizedText(
          original,
          text.toString(),
          Arrays.copyOf(starts, length),
          Arrays.copyOf(ends, length),
          invisible);
    }
  }

  /** Printable ASCII and common white space need no work. */
  private static boolean isPlain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x7F || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
        return false;
      }
    }
    return true;
  }

  private static boolean combining(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  @Override
  public String toString() {
    return !enabled
        ? "Normalization[none]"
        : removeOnRelease
            ? "Normalization[standard]"
            : "Normalization[standard, keeping invisible text]";
  }
}
