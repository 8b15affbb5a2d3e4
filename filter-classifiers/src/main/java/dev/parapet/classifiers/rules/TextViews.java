package dev.parapet.classifiers.rules;

import java.text.Normalizer;

/**
 * Views of a text for phrase matching, each char mapping back to the text's offsets: the folded
 * view (lower case, diacritics removed, runs of white space as one space) and the de-obfuscated
 * view (also leetspeak digits and symbols as letters inside words, and spaced-out letters such as
 * "k i l l" joined).
 */
final class TextViews {

  /** A view and, per char, the index in the source text it came from. */
  record View(String text, int[] source) {
    int start(int index) {
      return source[index];
    }
  }

  private TextViews() {}

  /** Lower case, no diacritics, single spaces; one char of the source per char of the view. */
  static View folded(String text) {
    var out = new StringBuilder(text.length());
    var map = new int[text.length()];
    int n = 0;
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        if (!space && n > 0) {
          out.append(' ');
          map[n++] = i;
        }
        space = true;
        continue;
      }
      space = false;
      out.append(fold(c));
      map[n++] = i;
    }
    return new View(out.toString(), java.util.Arrays.copyOf(map, n));
  }

  /** The folded view with leetspeak mapped and spaced-out letters joined. */
  static View deobfuscated(View folded) {
    var text = folded.text();
    var out = new StringBuilder(text.length());
    var map = new int[text.length()];
    int n = 0;
    int i = 0;
    while (i < text.length()) {
      // Spaced-out letters: three or more single letters, each followed by one separator.
      int run = spacedRun(text, i);
      if (run >= 3) {
        for (int k = 0; k < run; k++) {
          int at = i + 2 * k;
          out.append(text.charAt(at));
          map[n++] = folded.start(at);
        }
        i += 2 * run - 1;
        continue;
      }
      char c = text.charAt(i);
      char mapped = leet(c);
      boolean inWord = mapped != c && (letterAt(text, i - 1) || letterAt(text, i + 1));
      out.append(inWord ? mapped : c);
      map[n++] = folded.start(i);
      i++;
    }
    return new View(out.toString(), java.util.Arrays.copyOf(map, n));
  }

  private static int spacedRun(String text, int i) {
    if ((i > 0 && Character.isLetter(text.charAt(i - 1)))) {
      return 0;
    }
    int count = 0;
    int at = i;
    while (at < text.length() && Character.isLetter(leet(text.charAt(at)))) {
      boolean end = at + 1 >= text.length();
      char next = end ? ' ' : text.charAt(at + 1);
      if (!end && !separator(next)) {
        break; // part of a longer word
      }
      count++;
      if (end || at + 2 >= text.length() || !Character.isLetter(leet(text.charAt(at + 2)))) {
        break;
      }
      at += 2;
    }
    return count;
  }

  private static boolean separator(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*';
  }

  private static boolean letterAt(String text, int i) {
    return i >= 0 && i < text.length() && Character.isLetter(text.charAt(i));
  }

  private static char leet(char c) {
    return switch (c) {
      case '4', '@' -> 'a';
      case '3' -> 'e';
      case '1', '!' -> 'i';
      case '0' -> 'o';
      case '5', '$' -> 's';
      case '7' -> 't';
      default -> c;
    };
  }

  /** Lower case without diacritics, one char for one char. */
  static char fold(char c) {
    if (c < 0x80) {
      return Character.toLowerCase(c);
    }
    return Folds.TABLE[c];
  }

  /** Folds of every BMP char, computed once. */
  private static final class Folds {
    static final char[] TABLE = build();

    private static char[] build() {
      var table = new char[65536];
      for (int c = 0; c < table.length; c++) {
        char lower = Character.toLowerCase((char) c);
        if (Character.isSurrogate((char) c) || lower < 0x80) {
          table[c] = lower;
          continue;
        }
        var decomposed = Normalizer.normalize(String.valueOf(lower), Normalizer.Form.NFD);
        table[c] = decomposed.isEmpty() ? lower : decomposed.charAt(0);
      }
      return table;
    }
  }
}
