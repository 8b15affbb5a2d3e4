package dev.parapet;

/**
 * Where a guarded stream cuts its windows and what released text it checks again in front of one:
 * pure functions of the text, no threads or clocks, so every rule is unit-tested on its own.
 */
final class StreamWindows {

  private StreamWindows() {}

  /**
   * Where the next window of pending text ends, or 0 for "wait for more": after its first sentence
   * within {@code windowChars}; when that many chars are pending without a sentence end, after the
   * last space of the window's second half, else at the limit; when {@code force} (the hold-back
   * time is up, or the input ended), at the limit even without a boundary. Never splits a surrogate
   * pair.
   */
  static int cut(CharSequence pending, int windowChars, boolean force) {
    int limit = Math.min(pending.length(), windowChars);
    int cut = sentenceEnd(pending, limit);
    if (cut <= 0 && pending.length() >= windowChars) {
      cut = spaceCut(pending, windowChars);
    }
    if (cut <= 0 && force) {
      cut = limit;
    }
    if (cut > 0 && Character.isHighSurrogate(pending.charAt(cut - 1))) {
      cut--; // its low half is on the way
    }
    return Math.max(cut, 0);
  }

  /**
   * The released text checked again in front of a window: the unfinished sentence the last window
   * ended in (at most {@code contextChars} of it, from a word start), or nothing after a sentence
   * end. Whole sentences are left out on purpose: in a pooled classifier they would dilute the new
   * text.
   */
  static String tail(CharSequence checked, int contextChars) {
    int length = checked.length();
    int from = Math.max(0, length - contextChars);
    int sentence = lastSentenceEnd(checked, from);
    if (sentence >= 0) {
      from = sentence;
    } else if (from > 0) {
      from = wordStart(checked, from);
    }
    if (from < length && Character.isLowSurrogate(checked.charAt(from))) {
      from++;
    }
    return checked.subSequence(from, length).toString();
  }

  /** The last {@code room} chars of the text, or fewer, from a word start (never half a pair). */
  static String lastPart(CharSequence checked, int room) {
    int from = Math.max(0, checked.length() - Math.max(0, room));
    if (from > 0) {
      from = wordStart(checked, from);
      if (from < checked.length() && Character.isLowSurrogate(checked.charAt(from))) {
        from++;
      }
    }
    return checked.subSequence(from, checked.length()).toString();
  }

  /** Just after the first white space within 24 chars of {@code from}, else {@code from}. */
  private static int wordStart(CharSequence text, int from) {
    for (int i = from; i < text.length() && i < from + 24; i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i + 1;
      }
    }
    return from;
  }

  /** Where the text after the last sentence end in {@code text[from, length)} starts, or -1. */
  static int lastSentenceEnd(CharSequence text, int from) {
    for (int i = text.length() - 1; i >= Math.max(from, 1); i--) {
      if (text.charAt(i - 1) == '\n') {
        return i;
      }
      if (Character.isWhitespace(text.charAt(i))) {
        int j = i - 1;
        while (j > from && isClosing(text.charAt(j))) {
          j--;
        }
        if (isSentenceEnd(text.charAt(j))) {
          return i + 1;
        }
      }
    }
    return -1;
  }

  /**
   * The end of the first sentence in {@code text[0, limit)}, or 0: one sentence per window keeps a
   * harmful sentence from being diluted by benign ones in a pooled classifier.
   */
  static int sentenceEnd(CharSequence text, int limit) {
    for (int i = 1; i < limit; i++) {
      char c = text.charAt(i - 1);
      if (c == '\n') {
        return i;
      }
      if (Character.isWhitespace(text.charAt(i))) {
        int j = i - 1;
        while (j > 0 && isClosing(text.charAt(j))) {
          j--;
        }
        if (isSentenceEnd(text.charAt(j))) {
          return i + 1;
        }
      }
    }
    return limit > 0 && text.charAt(limit - 1) == '\n' ? limit : 0;
  }

  /** Where to cut a full window: after its last space in the second half, else at the limit. */
  static int spaceCut(CharSequence text, int limit) {
    for (int i = limit - 1; i >= limit / 2; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i + 1;
      }
    }
    return limit;
  }

  private static boolean isSentenceEnd(char c) {
    return c == '.' || c == '!' || c == '?' || c == '\u3002' || c == '\uFF01' || c == '\uFF1F';
  }

  private static boolean isClosing(char c) {
    return c == '"'
        || c == '\''
        || c == ')'
        || c == ']'
        || c == '\u201D'
        || c == '\u2019'
        || c == '*';
  }
}
