package dev.parapet.classifiers.rules;

import static java.util.Objects.requireNonNull;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.parapet.Span;
import dev.parapet.spi.Detector;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds personal data, category {@value #CATEGORY}, with a type per span: e-mail (internationalised
 * local parts and domains too), phone (validated by Google's libphonenumber: international numbers
 * and the national formats of {@link Builder#phoneRegions}), payment card (Luhn-valid, known issuer
 * prefix), IBAN (any case; country length, mod-97), US SSN (valid ranges only), IPv4 (not after
 * "version" and the like) and IPv6, plus a deployer's own typed patterns.
 *
 * <p>Candidates come from RE2/J expressions (linear time, no backtracking) and must then pass their
 * check, so order numbers, version strings, dates and UUIDs are not reported. Pair it with a
 * profile that redacts {@code pii} and, for prompts, {@link
 * dev.parapet.SafetyFilter.Builder#anonymizeInputs}. Immutable and thread-safe.
 *
 * <pre>{@code
 * Detector pii = PiiDetector.builder().pattern("employee_id", "EMP-[0-9]{6}").build();
 * }</pre>
 */
public final class PiiDetector implements Detector {

  /** The category of every span. */
  public static final String CATEGORY = "pii";

  /** The built-in kinds of personal data. */
  public enum Type {
    /** E-mail addresses. */
    EMAIL,
    /** Phone numbers: E.164 ({@code +44 20 7946 0958}) and national formats with separators. */
    PHONE,
    /** Payment card numbers: 13 to 19 digits, Luhn-valid, with a known issuer prefix. */
    CREDIT_CARD,
    /** International bank account numbers, checked by length and mod-97. */
    IBAN,
    /** US social security numbers in {@code AAA-GG-SSSS} form, outside the never-issued ranges. */
    SSN,
    /** IPv4 addresses. */
    IPV4,
    /** IPv6 addresses, full or compressed. */
    IPV6
  }

  /** Phone-shaped candidates; validated, trimmed and checked against other spans in detect. */
  private static final Matches.Rule PHONE_CANDIDATES =
      new Matches.Rule(
          "phone",
          "(?:\\+\\d{1,3}(?:[ .\\-]?\\(\\d{1,4}\\))?|\\(\\d{1,5}\\)|\\b\\d{1,5})(?:[ .\\-]?\\d{1,6}){1,6}\\b",
          s -> true,
          40,
          Windows.digitClusters(8));

  private static final Map<Type, Matches.Rule> BUILT_IN = builtIn();

  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

  /** Words after which a dotted quad is a version number, not an address. */
  private static final Set<String> VERSION_WORDS =
      Set.of(
          "v",
          "ver",
          "version",
          "versions",
          "release",
          "build",
          "firmware",
          "rev",
          "revision",
          "patch",
          "update");

  private final List<Matches.Rule> rules;
  private final List<String> phoneRegions;
  private final String version;

  private PiiDetector(List<Matches.Rule> rules, List<String> phoneRegions, String version) {
    this.rules = List.copyOf(rules);
    this.phoneRegions = List.copyOf(phoneRegions);
    this.version = version;
  }

  /** Returns a detector of every built-in type. */
  public static PiiDetector create() {
    return builder().build();
  }

  /** Returns a builder, with every built-in type on. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return "pii";
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public Set<String> categories() {
    return Set.of(CATEGORY);
  }

  /**
   * Finds spans rule by rule, phone numbers last; a span overlapping one already found is dropped,
   * so the digits of a card or an IBAN are not also reported as a phone number.
   */
  @Override
  public List<Span> detect(String text) {
    var held = new SpanIndex();
    var found = new ArrayList<Span>();
    for (var rule : rules) {
      found.clear();
      Matches.find(rule, text, CATEGORY, found);
      for (var candidate : found) {
        var span = rule == PHONE_CANDIDATES ? trimPhone(text, candidate, held) : candidate;
        if (span != null && !held.overlaps(span) && !notAnAddress(text, span)) {
          held.add(span);
        }
      }
    }
    return held.spans();
  }

  /**
   * A phone candidate is greedy: "+1 415 555 2671 123-45-6789" offers the SSN's first group too.
   * Drop trailing groups until what is left is a valid number that stands alone, or nothing is.
   */
  private Span trimPhone(String text, Span candidate, SpanIndex found) {
    int end = candidate.end();
    while (end > candidate.start()) {
      var span = new Span(candidate.start(), end, CATEGORY, "phone", 1.0);
      if (!found.overlaps(span)
          && !inDigitGroups(text, span, found)
          && phone(text, candidate.start(), end)) {
        return span;
      }
      int cut = end - 1;
      while (cut > candidate.start() && !separator(text.charAt(cut))) {
        cut--;
      }
      if (cut <= candidate.start()) {
        return null;
      }
      end = cut;
      while (end > candidate.start() && separator(text.charAt(end - 1))) {
        end--;
      }
    }
    return null;
  }

  /**
   * Whether digit groups continue before or after, outside the spans already found: then the
   * candidate is part of a longer number.
   */
  private static boolean inDigitGroups(String text, Span span, SpanIndex found) {
    int s = span.start();
    int e = span.end();
    boolean after =
        e + 1 < text.length()
            && separator(text.charAt(e))
            && Character.isDigit(text.charAt(e + 1))
            && !found.covers(e + 1);
    if (text.charAt(s) == '+') {
      return after; // an international number says where it starts
    }
    boolean before =
        s >= 2
            && Character.isDigit(text.charAt(s - 2))
            && separator(text.charAt(s - 1))
            && !found.covers(s - 2);
    return before || after;
  }

  private static boolean covered(List<Span> spans, int index) {
    for (var span : spans) {
      if (span.start() <= index && index < span.end()) {
        return true;
      }
    }
    return false;
  }

  private static boolean separator(char c) {
    return c == ' ' || c == '-' || c == '.';
  }

  private static Map<Type, Matches.Rule> builtIn() {
    var rules = new LinkedHashMap<Type, Matches.Rule>();
    rules.put(
        Type.EMAIL,
        new Matches.Rule(
            "email",
            // Local parts and domains in Latin, Greek or Cyrillic letters (not every letter: text
            // in
            // scripts written without spaces would run into the address).
            "[\\p{Latin}\\p{Greek}\\p{Cyrillic}\\p{M}\\p{N}._%+\\-]+@[\\p{Latin}\\p{Greek}\\p{Cyrillic}\\p{N}]"
                + "(?:[\\p{Latin}\\p{Greek}\\p{Cyrillic}\\p{M}\\p{N}\\-]*[\\p{Latin}\\p{Greek}\\p{Cyrillic}\\p{M}\\p{N}])?"
                + "(?:\\.[\\p{Latin}\\p{Greek}\\p{Cyrillic}\\p{M}\\p{N}\\-]+)*"
                + "\\.(?:\\p{Latin}{2,24}|\\p{Cyrillic}{2,24}|xn--[A-Za-z0-9\\-]{1,59})",
            s -> true,
            0,
            Windows.emails()));
    rules.put(
        Type.CREDIT_CARD,
        new Matches.Rule(
            "credit_card",
            "\\b\\d(?:[ \\-]?\\d){12,18}\\b",
            PiiDetector::card,
            40,
            Windows.digitClusters(13)));
    rules.put(
        Type.IBAN,
        new Matches.Rule(
            "iban",
            "\\b[A-Za-z]{2}\\d{2}(?: ?[A-Za-z0-9]){11,30}\\b",
            s -> Checksums.iban(s.replace(" ", "").toUpperCase(Locale.ROOT)),
            70,
            Windows.ibanStarts(72)));
    rules.put(
        Type.SSN,
        new Matches.Rule(
            "ssn", "\\b\\d{3}-\\d{2}-\\d{4}\\b", Checksums::ssn, 11, Windows.digitClusters(9)));
    rules.put(
        Type.IPV4,
        new Matches.Rule(
            "ipv4",
            "\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b",
            Checksums::ipv4,
            15,
            Windows.digitClusters(4)));
    rules.put(
        Type.IPV6,
        new Matches.Rule(
            "ipv6",
            "[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}",
            Checksums::ipv6,
            39,
            Windows.around(':', 40, 40)));
    rules.put(Type.PHONE, PHONE_CANDIDATES);
    return rules;
  }

  private static boolean card(String match) {
    var digits = Matches.compact(match);
    return digits.chars().allMatch(Character::isDigit)
        && digits.length() >= 13
        && digits.length() <= 19
        && Checksums.knownIssuer(digits)
        && Checksums.luhn(digits);
  }

  /**
   * Whether a candidate is a phone number as written: 7 to 15 digits that Google's libphonenumber
   * takes for a valid number whose digits are grouped the way that number is written (strict
   * grouping), read as international after a {@code +} and in each configured region otherwise. A
   * bare run of digits without a {@code +} is an order number as often as a phone number; a number
   * followed by {@code :} and a digit is a time.
   */
  private boolean phone(String text, int start, int end) {
    var match = text.substring(start, end);
    int digits = 0;
    for (int i = 0; i < match.length(); i++) {
      if (Character.isDigit(match.charAt(i))) {
        digits++;
      }
    }
    boolean plus = match.startsWith("+");
    if (digits < 7
        || digits > 15
        || (end + 1 < text.length()
            && text.charAt(end) == ':'
            && Character.isDigit(text.charAt(end + 1)))) {
      return false;
    }
    if (!plus && digits == match.length()) {
      return false;
    }
    for (var region : plus ? List.of("ZZ") : phoneRegions) {
      for (PhoneNumberMatch found :
          PHONES.findNumbers(match, region, PhoneNumberUtil.Leniency.STRICT_GROUPING, 4)) {
        if (found.start() == 0 && found.end() == match.length()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether an address-shaped span is something else: a dotted quad inside a longer dotted run (an
   * OID or section number) or after a word such as "version"; colon groups inside a longer run; an
   * e-mail whose "top-level domain" is camel case (code: {@code this@MainActivity.runOnUiThread}).
   */
  private static boolean notAnAddress(String text, Span span) {
    return switch (span.type()) {
      case "ipv4" -> continues(text, span, '.') || versionNumber(text, span);
      case "ipv6" -> continues(text, span, ':');
      case "email" -> camelCaseTail(text, span);
      default -> false;
    };
  }

  /** Whether the separated run goes on before or after the span ({@code 1.3.6.1.4.1}). */
  private static boolean continues(String text, Span span, char separator) {
    int s = span.start();
    int e = span.end();
    return (e + 1 < text.length()
            && text.charAt(e) == separator
            && Character.isLetterOrDigit(text.charAt(e + 1)))
        || (s >= 2
            && text.charAt(s - 1) == separator
            && Character.isLetterOrDigit(text.charAt(s - 2)));
  }

  private static boolean camelCaseTail(String text, Span span) {
    int dot = text.lastIndexOf('.', span.end() - 1);
    for (int i = dot + 2; i < span.end(); i++) {
      if (Character.isUpperCase(text.charAt(i)) && Character.isLowerCase(text.charAt(i - 1))) {
        return true;
      }
    }
    return false;
  }

  /** Whether a dotted quad follows a word such as "version" or "release": then it is no address. */
  private static boolean versionNumber(String text, Span span) {
    int end = span.start();
    while (end > 0 && text.charAt(end - 1) == ' ') {
      end--;
    }
    int start = end;
    while (start > 0 && Character.isLetter(text.charAt(start - 1))) {
      start--;
    }
    return start < end
        && VERSION_WORDS.contains(text.substring(start, end).toLowerCase(Locale.ROOT));
  }

  /** Builds a {@link PiiDetector}. Not thread-safe. */
  public static final class Builder {
    private final EnumSet<Type> types = EnumSet.allOf(Type.class);
    private final Map<String, String> custom = new LinkedHashMap<>();
    private List<String> phoneRegions = List.of("US");

    private Builder() {}

    /**
     * Sets the regions whose national formats are read as phone numbers ({@code +} numbers are read
     * in any region), as ISO 3166 codes; default {@code US}. Each region adds its numbering plan's
     * valid numbers, so add only those your users write in.
     *
     * @throws IllegalArgumentException naming a code libphonenumber does not know
     */
    public Builder phoneRegions(String first, String... more) {
      var regions = new ArrayList<String>();
      regions.add(requireNonNull(first, "first"));
      for (var region : more) {
        regions.add(requireNonNull(region, "region"));
      }
      for (var region : regions) {
        if (!PHONES.getSupportedRegions().contains(region)) {
          throw new IllegalArgumentException(
              "unknown phone region '" + region + "'; use ISO 3166 codes such as US or DE");
        }
      }
      this.phoneRegions = List.copyOf(regions);
      return this;
    }

    /** Keeps only these built-in types. */
    public Builder types(Set<Type> keep) {
      requireNonNull(keep, "keep");
      types.retainAll(keep);
      return this;
    }

    /**
     * Adds a typed pattern in RE2 syntax (linear time; no backreferences or lookaround).
     *
     * @throws IllegalArgumentException if the pattern does not compile, naming the type
     */
    public Builder pattern(String type, String regex) {
      requireNonNull(type, "type");
      requireNonNull(regex, "regex");
      if (!type.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException("type must be lower_snake_case, was '" + type + "'");
      }
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "pattern of type '" + type + "' is not valid RE2: " + e.getMessage(), e);
      }
      custom.put(type, regex);
      return this;
    }

    /** Builds the detector. */
    public PiiDetector build() {
      var rules = new ArrayList<Matches.Rule>();
      // In BUILT_IN's order, phone numbers last: see detect.
      BUILT_IN.forEach(
          (type, rule) -> {
            if (types.contains(type)) {
              rules.add(rule);
            }
          });
      custom.forEach((type, regex) -> rules.add(new Matches.Rule(type, regex, s -> true)));
      return new PiiDetector(rules, phoneRegions, "pii-2:" + types + custom + phoneRegions);
    }
  }
}
