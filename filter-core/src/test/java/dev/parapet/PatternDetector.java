package dev.parapet;

import dev.parapet.spi.Detector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** A real, simple detector for core's tests: every match of a pattern is a span. */
final class PatternDetector implements Detector {

  private final String id;
  private final Pattern pattern;
  private final String category;
  private final String type;
  private final AtomicInteger calls = new AtomicInteger();

  PatternDetector(String id, String regex, String category, String type) {
    this.id = id;
    this.pattern = Pattern.compile(regex);
    this.category = category;
    this.type = type;
  }

  /** Detects e-mail-like tokens as category {@code pii}, type {@code email}. */
  static PatternDetector emails() {
    return new PatternDetector("emails", "[a-z0-9.]+@[a-z0-9.]+\\.[a-z]+", "pii", "email");
  }

  int calls() {
    return calls.get();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return pattern.pattern();
  }

  @Override
  public Set<String> categories() {
    return Set.of(category);
  }

  @Override
  public List<Span> detect(String text) {
    calls.incrementAndGet();
    var spans = new ArrayList<Span>();
    var matcher = pattern.matcher(text);
    while (matcher.find()) {
      spans.add(new Span(matcher.start(), matcher.end(), category, type, 1.0));
    }
    return spans;
  }
}
