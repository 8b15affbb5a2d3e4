package dev.parapet.classifiers.rules;

import static java.util.Objects.requireNonNull;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.parapet.Span;
import dev.parapet.spi.Detector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An operator's regular expressions as a detector, in RE2 syntax through RE2/J: matching takes time
 * linear in the text whatever the pattern, so no pattern can backtrack catastrophically. RE2 has no
 * backreferences or lookaround. Immutable and thread-safe.
 *
 * <pre>{@code
 * Detector internal = RegexDetector.builder("internal-refs")
 *     .pattern("confidential", "project_codename", "(?i)\\bbluebird-[0-9]+\\b")
 *     .build();
 * }</pre>
 */
public final class RegexDetector implements Detector {

  private record Rule(String category, String type, Pattern pattern) {}

  private final String id;
  private final List<Rule> rules;
  private final Set<String> categories;
  private final String version;

  private RegexDetector(String id, List<Rule> rules) {
    this.id = id;
    this.rules = List.copyOf(rules);
    var set = new LinkedHashSet<String>();
    rules.forEach(r -> set.add(r.category()));
    this.categories = Set.copyOf(set);
    var v = new StringBuilder("regex-1");
    rules.forEach(
        r ->
            v.append('|')
                .append(r.category())
                .append(':')
                .append(r.type())
                .append(':')
                .append(r.pattern().pattern()));
    this.version = Digests.sha256(v.toString());
  }

  /** Returns a builder for a detector with the given stage id. */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public Set<String> categories() {
    return categories;
  }

  @Override
  public List<Span> detect(String text) {
    var spans = new ArrayList<Span>();
    for (var rule : rules) {
      var matcher = rule.pattern().matcher(text);
      int from = 0;
      while (from <= text.length() && matcher.find(from)) {
        if (matcher.end() > matcher.start()) {
          spans.add(new Span(matcher.start(), matcher.end(), rule.category(), rule.type(), 1.0));
        }
        from = Math.max(matcher.end(), matcher.start() + 1);
      }
    }
    return spans;
  }

  /** Builds a {@link RegexDetector}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private final List<Rule> rules = new ArrayList<>();

    private Builder(String id) {
      requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank");
      }
      this.id = id;
    }

    /**
     * Adds a pattern whose matches are spans of {@code category} and {@code type}.
     *
     * @throws IllegalArgumentException if the pattern is not valid RE2, naming it by type
     */
    public Builder pattern(String category, String type, String regex) {
      requireNonNull(category, "category");
      requireNonNull(type, "type");
      requireNonNull(regex, "regex");
      try {
        rules.add(new Rule(category, type, Pattern.compile(regex)));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "pattern '" + type + "' is not valid RE2: " + e.getMessage(), e);
      }
      return this;
    }

    /** Builds the detector; at least one pattern is required. */
    public RegexDetector build() {
      if (rules.isEmpty()) {
        throw new IllegalStateException("a regex detector needs at least one pattern");
      }
      return new RegexDetector(id, rules);
    }
  }
}
