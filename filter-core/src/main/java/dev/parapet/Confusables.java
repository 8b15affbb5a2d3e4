package dev.parapet;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.SpoofChecker;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Latin letters a non-ASCII letter is confusable with, from Unicode's confusables data: the UTS
 * #39 skeleton as ICU4J computes it, where each char of the skeleton is an ASCII letter or a Latin
 * small capital (read as its letter, as is a small capital itself). The letter's case carries over
 * (Cyrillic {@code І} is {@code I}, not the skeleton's {@code l}). Digits, punctuation and symbols
 * are never folded. The Basic Multilingual Plane is tabulated on first use (about 0.1 s, once per
 * JVM); letters of other planes are looked up and the first few thousand remembered. Thread-safe.
 */
final class Confusables {

  private static final String NONE = "";
  private static final String SMALL_CAPITAL = "LATIN LETTER SMALL CAPITAL ";
  private static final SpoofChecker CHECKER = new SpoofChecker.Builder().build();
  private static final String[] BMP = tabulate();
  private static final int MAX_CACHED = 4_096;
  private static final ConcurrentHashMap<Integer, String> OTHER_PLANES = new ConcurrentHashMap<>();

  private Confusables() {}

  /**
   * Returns the ASCII letters a code point reads as, or {@code null} if it is not a confusable
   * letter.
   */
  static String latin(int codePoint) {
    if (codePoint < 0x80) {
      return null;
    }
    if (codePoint < BMP.length) {
      return BMP[codePoint];
    }
    if (!Character.isLetter(codePoint)) {
      return null;
    }
    var latin = OTHER_PLANES.get(codePoint);
    if (latin == null) {
      latin = compute(codePoint);
      if (OTHER_PLANES.size() < MAX_CACHED) { // letters outside the BMP are few; never unbounded
        OTHER_PLANES.put(codePoint, latin);
      }
    }
    return latin.isEmpty() ? null : latin;
  }

  private static String[] tabulate() {
    var table = new String[0x10000];
    for (int cp = 0x80; cp < table.length; cp++) {
      String latin = compute(cp);
      table[cp] = latin.isEmpty() ? null : latin;
    }
    return table;
  }

  private static String compute(int codePoint) {
    if (!Character.isLetter(codePoint)) {
      return NONE;
    }
    char capital = smallCapital(codePoint); // before the skeleton, which reads ᴍ as a turned w
    if (capital != 0) {
      return String.valueOf(capital);
    }
    var skeleton =
        CHECKER.getSkeleton(SpoofChecker.ANY_CASE, new String(Character.toChars(codePoint)));
    var latin = new StringBuilder(2);
    for (int i = 0; i < skeleton.length(); ) {
      int c = skeleton.codePointAt(i);
      i += Character.charCount(c);
      if (c < 0x80 && Character.isLetter(c)) {
        latin.append((char) c);
      } else if (c >= 0x80 && smallCapital(c) != 0) {
        latin.append(smallCapital(c));
      } else {
        return NONE;
      }
    }
    if (latin.isEmpty() || latin.length() > 3) {
      return NONE;
    }
    var folded = latin.toString();
    if (folded.equals("rn")) {
      folded = "m"; // the prototype of m is "rn": one letter that looks like m reads as m
    }
    if (Character.isUpperCase(codePoint)) { // the skeleton reads a capital I as l
      return folded.replace('l', 'I').toUpperCase(java.util.Locale.ROOT);
    }
    return Character.isLowerCase(codePoint) ? folded.toLowerCase(java.util.Locale.ROOT) : folded;
  }

  /** The letter a Latin small capital stands for ({@code ᴇ} is {@code e}), or 0. */
  private static char smallCapital(int codePoint) {
    var name = UCharacter.getName(codePoint);
    if (name != null
        && name.length() == SMALL_CAPITAL.length() + 1
        && name.startsWith(SMALL_CAPITAL)) {
      return Character.toLowerCase(name.charAt(SMALL_CAPITAL.length()));
    }
    return 0;
  }
}
