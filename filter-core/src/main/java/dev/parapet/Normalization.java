package dev.parapet;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Map;

/**
 * What the filter does to a text before any stage sees it, so that look-alike and invisible
 * characters cannot smuggle text past the stages.
 *
 * <p>{@link #standard()}, the default, in this order: removes zero-width, bidirectional-control and
 * Unicode tag characters (and reports them as spans of category {@value #INVISIBLE_TEXT}); applies
 * NFKC per character cluster (a base character and its combining marks), which folds full-width,
 * mathematical and other compatibility forms; folds common Cyrillic and Greek homoglyphs of Latin
 * letters. Each output char maps back to the original chars it came from (see {@link
 * NormalizedText}), so spans and redactions apply to what the user wrote. Linear in the text's length.
 * Thread-safe.
 */
public final class Normalization {

  /** The category of removed invisible characters. */
  public static final String INVISIBLE_TEXT = "invisible_text";

  private static final Normalization STANDARD = new Normalization(true);
  private static final Normalization NONE = new Normalization(false);

  /** Cyrillic and Greek letters that render like Latin ones. */
  private static final Map<Character, Character> HOMOGLYPHS =
      Map.ofEntries(
          Map.entry('а', 'a'), Map.entry('е', 'e'), Map.entry('о', 'o'), Map.entry('р', 'p'),
          Map.entry('с', 'c'), Map.entry('у', 'y'), Map.entry('х', 'x'), Map.entry('і', 'i'),
          Map.entry('ј', 'j'), Map.entry('ѕ', 's'), Map.entry('ԁ', 'd'), Map.entry('һ', 'h'),
          Map.entry('ԛ', 'q'), Map.entry('ԝ', 'w'), Map.entry('А', 'A'), Map.entry('В', 'B'),
          Map.entry('Е', 'E'), Map.entry('К', 'K'), Map.entry('М', 'M'), Map.entry('Н', 'H'),
          Map.entry('О', 'O'), Map.entry('Р', 'P'), Map.entry('С', 'C'), Map.entry('Т', 'T'),
          Map.entry('Х', 'X'), Map.entry('У', 'Y'), Map.entry('І', 'I'), Map.entry('Ј', 'J'),
          Map.entry('Ѕ', 'S'), Map.entry('ο', 'o'), Map.entry('α', 'a'), Map.entry('ν', 'v'),
          Map.entry('τ', 't'), Map.entry('ι', 'i'), Map.entry('κ', 'k'), Map.entry('ρ', 'p'),
          Map.entry('Α', 'A'), Map.entry('Β', 'B'), Map.entry('Ε', 'E'), Map.entry('Ζ', 'Z'),
          Map.entry('Η', 'H'), Map.entry('Ι', 'I'), Map.entry('Κ', 'K'), Map.entry('Μ', 'M'),
          Map.entry('Ν', 'N'), Map.entry('Ο', 'O'), Map.entry('Ρ', 'P'), Map.entry('Τ', 'T'),
          Map.entry('Υ', 'Y'), Map.entry('Χ', 'X'));

  private final boolean enabled;

  private Normalization(boolean enabled) {
    this.enabled = enabled;
  }

  /** Returns the standard normalisation. */
  public static Normalization standard() {
    return STANDARD;
  }

  /** Returns no normalisation: stages see the text exactly as passed. */
  public static Normalization none() {
    return NONE;
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

  /** Normalises a text. */
  public NormalizedText apply(String original) {
    if (!enabled || isPlain(original)) {
      return NormalizedText.identity(original);
    }
    int n = original.length();
    var out = new StringBuilder(n);
    var starts = new int[n + 16];
    var ends = new int[n + 16];
    var invisible = new ArrayList<Span>();
    int i = 0;
    while (i < n) {
      int cp = original.codePointAt(i);
      if (invisible(cp)) {
        int start = i;
        while (i < n && invisible(original.codePointAt(i))) {
          i += Character.charCount(original.codePointAt(i));
        }
        invisible.add(new Span(start, i, INVISIBLE_TEXT, "invisible", 1.0));
        continue;
      }
      // A cluster: one code point and the combining marks after it.
      int start = i;
      i += Character.charCount(cp);
      while (i < n && combining(original.codePointAt(i))) {
        i += Character.charCount(original.codePointAt(i));
      }
      var cluster = original.substring(start, i);
      var folded = Normalizer.normalize(cluster, Normalizer.Form.NFKC);
      for (int k = 0; k < folded.length(); k++) {
        char c = folded.charAt(k);
        var homoglyph = HOMOGLYPHS.get(c);
        if (out.length() == starts.length) {
          starts = java.util.Arrays.copyOf(starts, starts.length * 2);
          ends = java.util.Arrays.copyOf(ends, ends.length * 2);
        }
        starts[out.length()] = start;
        ends[out.length()] = i;
        out.append(homoglyph != null ? homoglyph : c);
      }
    }
    int length = out.length();
    return new NormalizedText(
        original, out.toString(), java.util.Arrays.copyOf(starts, length), java.util.Arrays.copyOf(ends, length), invisible);
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
    return enabled ? "Normalization[standard]" : "Normalization[none]";
  }
}
