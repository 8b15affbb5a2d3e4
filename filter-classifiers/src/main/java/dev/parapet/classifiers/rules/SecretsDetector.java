package dev.parapet.classifiers.rules;

import dev.parapet.Span;
import dev.parapet.spi.Detector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds credentials, category {@value #CATEGORY}: cloud access keys, source-hosting and chat tokens,
 * payment keys, private-key blocks, JSON Web Tokens, database URLs with a password, and, beyond the
 * known formats, long tokens whose Shannon entropy is at least a threshold (default 4.0 bits per
 * character; hex digests and UUIDs stay below it). Linear time (RE2/J). Immutable and thread-safe.
 */
public final class SecretsDetector implements Detector {

  /** The category of every span. */
  public static final String CATEGORY = "secrets";

  private static final List<Matches.Rule> KNOWN =
      List.of(
          new Matches.Rule(
              "private_key",
              "-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----(?:[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----)?",
              s -> true),
          new Matches.Rule("aws_access_key", "(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}", s -> true),
          new Matches.Rule("github_token", "gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}", s -> true),
          new Matches.Rule("gitlab_token", "glpat-[A-Za-z0-9_\\-]{20,}", s -> true),
          new Matches.Rule("slack_token", "xox[abposr]-[A-Za-z0-9\\-]{10,}", s -> true),
          new Matches.Rule("slack_webhook", "https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]+", s -> true),
          new Matches.Rule("stripe_key", "(?:sk|rk)_live_[0-9A-Za-z]{24,}", s -> true),
          new Matches.Rule("google_api_key", "AIza[0-9A-Za-z_\\-]{35}", s -> true),
          new Matches.Rule("jwt", "eyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,}", s -> true),
          new Matches.Rule(
              "database_url",
              "(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]+)://[^\\s:/@]+:[^\\s@/]+@[^\\s/]+",
              s -> true));

  private static final Matches.Rule TOKEN =
      new Matches.Rule("high_entropy", "[A-Za-z0-9+/_\\-]{20,}={0,2}", s -> true);

  private static final com.google.re2j.Pattern UUID =
      com.google.re2j.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

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
      var matcher = rule.pattern().matcher(text);
      int from = 0;
      while (from < text.length() && matcher.find(from)) {
        spans.add(new Span(matcher.start(), matcher.end(), CATEGORY, rule.type(), 1.0));
        from = Math.max(matcher.end(), matcher.start() + 1);
      }
    }
    if (minEntropy != Double.POSITIVE_INFINITY) {
      var tokens = new ArrayList<Span>();
      Matches.find(TOKEN, text, CATEGORY, tokens);
      for (var token : tokens) {
        var value = text.substring(token.start(), token.end());
        if (!covered(spans, token) && !UUID.matcher(value).find() && mixed(value) && entropy(value) >= minEntropy) {
          spans.add(token);
        }
      }
    }
    return spans;
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

  private static boolean covered(List<Span> spans, Span token) {
    for (var span : spans) {
      if (span.start() < token.end() && token.start() < span.end()) {
        return true;
      }
    }
    return false;
  }
}
