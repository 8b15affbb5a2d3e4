package dev.parapet.classifiers.rules;

import dev.parapet.Span;
import dev.parapet.spi.Detector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds credentials, category {@value #CATEGORY}: cloud access keys, source-hosting and chat
 * tokens, payment keys, private-key blocks, JSON Web Tokens, database URLs with a password, and,
 * beyond the known formats, long tokens whose Shannon entropy is at least a threshold (default 4.0
 * bits per character; hex digests and UUIDs stay below it) unless they are file paths or base64 of
 * plain prose. Linear time (RE2/J). Immutable and thread-safe.
 */
public final class SecretsDetector implements Detector {

  /** The category of every span. */
  public static final String CATEGORY = "secrets";

  private static final String PRIVATE_KEY = "private_key";

  /** The end of a private-key block, looked for once after each header (see {@link #keyBlocks}). */
  private static final com.google.re2j.Pattern KEY_END =
      com.google.re2j.Pattern.compile("-----END [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----");

  private static final List<Matches.Rule> KNOWN =
      List.of(
          known(
              PRIVATE_KEY,
              "-----BEGIN [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
              Windows.literals(60, 40, "PRIVATE KEY")),
          known(
              "aws_access_key",
              "(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}",
              Windows.literals(
                  0, 20, "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA")),
          known(
              "github_token",
              "gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}",
              Windows.literals(0, 300, "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
          known("gitlab_token", "glpat-[A-Za-z0-9_\\-]{20,}", Windows.literals(0, 300, "glpat-")),
          known("slack_token", "xox[abposr]-[A-Za-z0-9\\-]{10,}", Windows.literals(0, 300, "xox")),
          known(
              "slack_webhook",
              "https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]+",
              Windows.literals(8, 300, "hooks.slack.com")),
          known(
              "stripe_key", "(?:sk|rk)_live_[0-9A-Za-z]{24,}", Windows.literals(2, 300, "_live_")),
          known("google_api_key", "AIza[0-9A-Za-z_\\-]{35}", Windows.literals(0, 40, "AIza")),
          known(
              "jwt",
              "eyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,}",
              Windows.literals(0, 16384, "eyJ")),
          known(
              "database_url",
              "(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]+)://[^\\s:/@]+:[^\\s@/]+@[^\\s/]+",
              Windows.literals(20, 512, "://")));

  /** Tokens that may be secrets: 20+ chars of base64url or base64, found by a char scan. */
  private static final int MIN_TOKEN = 20;

  private static final com.google.re2j.Pattern UUID =
      com.google.re2j.Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final double minEntropy;

  private SecretsDetector(double minEntropy) {
    this.minEntropy = minEntropy;
  }

  /** Returns a detector with the default entropy threshold of 4.0 bits per character. */
  public static SecretsDetector create() {
    return new SecretsDetector(4.0);
  }

  /**
   * Returns a detector that also reports unknown tokens of 20+ characters at or above {@code
   * minEntropy} bits per character; {@code Double.POSITIVE_INFINITY} reports known formats only.
   */
  public static SecretsDetector withMinEntropy(double minEntropy) {
    if (!(minEntropy > 0)) {
      throw new IllegalArgumentException("minEntropy must be positive, was " + minEntropy);
    }
    return new SecretsDetector(minEntropy);
  }

  @Override
  public String id() {
    return "secrets";
  }

  @Override
  public String version() {
    return "secrets-1:" + minEntropy;
  }

  @Override
  public Set<String> categories() {
    return Set.of(CATEGORY);
  }

  @Override
  public List<Span> detect(String text) {
    var spans = new ArrayList<Span>();
    for (var rule : KNOWN) {
      Matches.find(rule, text, CATEGORY, spans);
    }
    keyBlocks(text, spans);
    if (minEntropy != Double.POSITIVE_INFINITY) {
      var held = new SpanIndex();
      for (var span : spans) {
        if (!held.overlaps(span)) {
          held.add(span);
        }
      }
      for (var token : tokens(text)) {
        var value = text.substring(token.start(), token.end());
        if (!held.overlaps(token)
            && !UUID.matcher(value).find()
            && mixed(value)
            && !path(value)
            && !publicOrTestKey(value)
            && !encodedProse(value)
            && entropy(value) >= minEntropy) {
          spans.add(token);
        }
      }
    }
    return spans;
  }

  /**
   * Extends each private-key header to the end of its block, when the block has one, and drops
   * headers inside a block. Linear: each search for an end starts after the last block found, and
   * once none is found no later header searches again (repeated headers cost quadratic time as one
   * expression).
   */
  private static void keyBlocks(String text, List<Span> spans) {
    int blockEnd = -1;
    boolean noEnd = false;
    var matcher = KEY_END.matcher(text);
    for (var it = spans.listIterator(); it.hasNext(); ) {
      var span = it.next();
      if (!span.type().equals(PRIVATE_KEY)) {
        continue;
      }
      if (span.start() < blockEnd) {
        it.remove(); // a header inside the block before it
        continue;
      }
      if (noEnd || !matcher.find(span.end())) {
        noEnd = true;
        continue;
      }
      blockEnd = matcher.end();
      it.set(new Span(span.start(), blockEnd, CATEGORY, PRIVATE_KEY, 1.0));
    }
  }

  private static Matches.Rule known(String type, String regex, Windows windows) {
    return new Matches.Rule(type, regex, s -> true, 0, windows);
  }

  /** Runs of token chars ({@code A-Z a-z 0-9 + / _ -}, then up to two {@code =}) of 20+ chars. */
  private static List<Span> tokens(String text) {
    var out = new ArrayList<Span>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!tokenChar(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && tokenChar(text.charAt(i))) {
        i++;
      }
      int end = i;
      while (end < n && end - i < 2 && text.charAt(end) == '=') {
        end++;
      }
      if (i - start >= MIN_TOKEN && !Matches.glued(text, start, end)) {
        out.add(new Span(start, end, CATEGORY, "high_entropy", 1.0));
      }
      i = Math.max(end, i);
    }
    return out;
  }

  private static boolean tokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '/'
        || c == '_'
        || c == '-';
  }

  /** Stripe's publishable keys are public by design, and its test-mode keys move no money. */
  private static boolean publicOrTestKey(String value) {
    return value.startsWith("pk_live_")
        || value.startsWith("pk_test_")
        || value.startsWith("sk_test_")
        || value.startsWith("rk_test_");
  }

  /**
   * A path segment: words in lower or camel case ({@code site-packages}, {@code AppData}), or a
   * number.
   */
  private static final java.util.regex.Pattern PATH_SEGMENT =
      java.util.regex.Pattern.compile("(?:[A-Z]?[a-z][a-z0-9_\\-]*)+|[0-9]+");

  /**
   * Whether a token is a file path or URL path: two or more {@code /}-separated segments, each made
   * of words. Random base64 has capitals and digits inside its runs.
   */
  static boolean path(String value) {
    if (value.indexOf('/') < 0) {
      return false;
    }
    int segments = 0;
    for (var segment : value.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (!PATH_SEGMENT.matcher(segment).matches()) {
        return false;
      }
      segments++;
    }
    return segments >= 2;
  }

  /**
   * Whether a token is base64 of ordinary prose: it decodes to printable ASCII with at least two
   * spaces and no {@code :} or {@code =} (which credentials such as {@code user:password} carry).
   */
  static boolean encodedProse(String value) {
    byte[] decoded;
    try {
      decoded =
          value.indexOf('-') >= 0 || value.indexOf('_') >= 0
              ? java.util.Base64.getUrlDecoder().decode(value)
              : java.util.Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int spaces = 0;
    for (byte b : decoded) {
      if (b < 0x20 || b > 0x7E || b == ':' || b == '=') {
        return false;
      }
      spaces += b == ' ' ? 1 : 0;
    }
    return spaces >= 2;
  }

  /** Shannon entropy in bits per character. */
  static double entropy(String value) {
    var counts = new java.util.HashMap<Character, Integer>();
    for (int i = 0; i < value.length(); i++) {
      counts.merge(value.charAt(i), 1, Integer::sum);
    }
    double bits = 0;
    for (int count : counts.values()) {
      double p = count / (double) value.length();
      bits -= p * Math.log(p) / Math.log(2);
    }
    return bits;
  }

  private static boolean mixed(String value) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
    }
    return letter && digit;
  }
}
