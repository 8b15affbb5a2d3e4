package dev.parapet;

import dev.parapet.spi.Classifier;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real, simple classifier for core's tests: a text scores a category's weight when it contains
 * one of that category's keywords (case-insensitive), else 0. Counts the texts it classified.
 */
final class KeywordClassifier implements Classifier {

  private final String id;
  private final Map<String, Map<String, Double>> keywords; // category -> keyword -> score
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicReference<String> version = new AtomicReference<>("v1");

  private KeywordClassifier(String id, Map<String, Map<String, Double>> keywords) {
    this.id = id;
    this.keywords = keywords;
  }

  static KeywordClassifier of(String id, Map<String, Map<String, Double>> keywords) {
    return new KeywordClassifier(id, keywords);
  }

  /** A classifier with one category whose keyword scores the given value. */
  static KeywordClassifier single(String id, String category, String keyword, double score) {
    return of(id, Map.of(category, Map.of(keyword, score)));
  }

  int calls() {
    return calls.get();
  }

  void setVersion(String newVersion) {
    version.set(newVersion);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return version.get();
  }

  @Override
  public Set<String> categories() {
    return keywords.keySet();
  }

  @Override
  public List<Map<String, Double>> classify(List<String> texts) {
    return texts.stream().map(this::score).toList();
  }

  private Map<String, Double> score(String text) {
    calls.incrementAndGet();
    var lower = text.toLowerCase(Locale.ROOT);
    var scores = new HashMap<String, Double>();
    keywords.forEach(
        (category, words) -> {
          double best = 0.0;
          for (var word : words.entrySet()) {
            if (lower.contains(word.getKey())) {
              best = Math.max(best, word.getValue());
            }
          }
          scores.put(category, best);
        });
    return scores;
  }

  /** A classifier that forwards to another, for tests that override one call. */
  static class Delegating implements Classifier {
    private final Classifier delegate;

    Delegating(Classifier delegate) {
      this.delegate = delegate;
    }

    @Override
    public String id() {
      return delegate.id();
    }

    @Override
    public String version() {
      return delegate.version();
    }

    @Override
    public java.util.Set<String> categories() {
      return delegate.categories();
    }

    @Override
    public List<Map<String, Double>> classify(List<String> texts) {
      return delegate.classify(texts);
    }
  }
}
