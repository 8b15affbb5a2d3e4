package dev.parapet.classifiers.rules;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.parapet.Span;
import java.util.List;
import java.util.function.Predicate;

/** Shared matching: RE2/J candidates, a validity check, and word boundaries. */
final class Matches {

  private Matches() {}

  /**
   * A typed RE2/J pattern and the check its matches must pass. {@code maxLength} bounds a match's
   * length, or is 0 when unbounded.
   */
  record Rule(
      String type,
      Pattern pattern,
      Predicate<String> valid,
      int maxLength,
      Windows windows,
      ThreadLocal<Matcher> matchers) {
    Rule(String type, Pattern pattern, Predicate<String> valid, int maxLength, Windows windows) {
      this(
          type,
          pattern,
          valid,
          maxLength,
          windows,
          ThreadLocal.withInitial(() -> pattern.matcher("")));
    }

    Rule(String type, String regex, Predicate<String> valid) {
      this(type, Pattern.compile(regex), valid, 0, Windows.WHOLE);
    }

    Rule(String type, String regex, Predicate<String> valid, int maxLength, Windows windows) {
      this(type, Pattern.compile(regex), valid, maxLength, windows);
    }
  }

  /**
   * Adds a span for every valid match of a rule that is not glued to letters or digits, looking
   * only in the rule's windows (merged where they overlap).
   */
  static void find(Rule rule, String text, String category, List<Span> out) {
    int[] pending = {-1, -1};
    rule.windows()
        .find(
            text,
            (from, to) -> {
              if (pending[0] >= 0 && from <= pending[1]) {
                pending[1] = Math.max(pending[1], to);
                return;
              }
              if (pending[0] >= 0) {
                findIn(rule, text, pending[0], pending[1], category, out);
              }
              pending[0] = from;
              pending[1] = to;
            });
    if (pending[0] >= 0) {
      findIn(rule, text, pending[0], pending[1], category, out);
    }
  }

  private static void findIn(
      Rule rule, String text, int windowStart, int windowEnd, String category, List<Span> out) {
    var window =
        windowStart == 0 && windowEnd == text.length()
            ? text
            : text.substring(windowStart, windowEnd);
    // One matcher per rule and thread, reset per window: RE2/J's per-matcher set-up costs more than
    // scanning a short window.
    var matcher = rule.matchers().get().reset(window);
    int from = 0;
    while (from <= window.length() && matcher.find(from)) {
      int start = matcher.start() + windowStart;
      int end = matcher.end() + windowStart;
      if (end == start) {
        from = start + 1 - windowStart;
        continue;
      }
      int valid = gluedBefore(text, start) ? -1 : validEnd(rule, text, start, end);
      if (valid > start) {
        out.add(new Span(start, valid, category, rule.type(), 1.0));
        from = valid - windowStart;
      } else {
        // A rejected candidate may hide a valid one inside it ("+1 415 555 2671 4111 ..."): retry
        // one char later. Only for rules of bounded length, so each char is rescanned a bounded
        // number of times and time stays linear; others resume after the candidate.
        from = (rule.maxLength() > 0 ? start + 1 : end) - windowStart;
      }
    }
  }

  /**
   * Returns the end of the longest valid prefix of a candidate that ends at a group separator (the
   * whole candidate first), or -1. Greedy candidates swallow the next number's groups ("two IBANs
   * side by side"); only rules of bounded length are trimmed, so the work stays linear.
   */
  private static int validEnd(Rule rule, String text, int start, int end) {
    if (!gluedAfter(text, end) && rule.valid().test(text.substring(start, end))) {
      return end;
    }
    if (rule.maxLength() == 0) {
      return -1;
    }
    for (int cut = end - 1; cut > start; cut--) {
      char c = text.charAt(cut);
      if ((c == ' ' || c == '-')
          && !glued(text, start, cut)
          && rule.valid().test(text.substring(start, cut))) {
        return cut;
      }
    }
    return -1;
  }

  /**
   * Whether a match continues a word or number on either side: a letter or digit at its edge with
   * another beside it. A match that starts or ends with punctuation ({@code +44 ...}, {@code (020)
   * ...}) is delimited there by it, so {@code info+1-913-544-0823} still holds a phone number.
   */
  static boolean glued(String text, int start, int end) {
    return gluedBefore(text, start) || gluedAfter(text, end);
  }

  /** Whether a match starting here continues a word or number before it. */
  static boolean gluedBefore(String text, int start) {
    return start > 0 && wordChar(text.charAt(start)) && wordChar(text.charAt(start - 1));
  }

  /**
   * A digit, or a letter of a script written with spaces between words (Latin, Greek, Cyrillic):
   * beside Chinese or Japanese, which need no spaces, a value is not glued to a word.
   */
  private static boolean wordChar(char c) {
    if (c < 0x80) {
      return Character.isLetterOrDigit(c);
    }
    if (Character.isDigit(c)) {
      return true;
    }
    if (!Character.isLetter(c)) {
      return false;
    }
    var script = Character.UnicodeScript.of(c);
    return script == Character.UnicodeScript.LATIN
        || script == Character.UnicodeScript.GREEK
        || script == Character.UnicodeScript.CYRILLIC;
  }

  /**
   * Whether a match ending here continues into a word or number after it (a candidate may end
   * inside a word the expression's ASCII word boundary does not see, such as before an accented
   * letter).
   */
  static boolean gluedAfter(String text, int end) {
    return end > 0
        && end < text.length()
        && wordChar(text.charAt(end - 1))
        && wordChar(text.charAt(end));
  }

  /** Removes spaces and dashes. */
  static String compact(String text) {
    var out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '-') {
        out.append(c);
      }
    }
    return out.toString();
  }
}
