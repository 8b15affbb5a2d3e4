package dev.parapet.classifiers.rules;

import static java.util.Objects.requireNonNull;

import dev.parapet.Span;
import dev.parapet.spi.Detector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ahocorasick.trie.Trie;

/**
 * Phrases a deployer's context forbids, matched at word boundaries, ignoring case and diacritics,
 * with an Aho-Corasick automaton: one pass over the text whatever the number of phrases, so a list
 * of 100,000 costs about what a list of 100 does. By default it also matches a de-obfuscated view
 * of the text, so spaced-out ("b a n n e d") and leetspeak ("b4nn3d") spellings are found. Spans
 * point at the original characters. Immutable and thread-safe.
 *
 * <pre>{@code
 * Detector banned = DenyListDetector.builder("competitors", "competitor_mention")
 *     .phrases(List.of("acme corp", "globex"))
 *     .build();
 * }</pre>
 */
public final class DenyListDetector implements Detector {

  private final String id;
  private final String category;
  private final Trie trie;
  private final boolean deobfuscate;
  private final String version;

  private DenyListDetector(Builder builder, List<String> phrases) {
    this.id = builder.id;
    this.category = builder.category;
    this.deobfuscate = builder.deobfuscate;
    this.trie = Trie.builder().onlyWholeWords().addKeywords(phrases).build();
    this.version = "deny-1:" + deobfuscate + ":" + Digests.sha256(String.join("\n", phrases));
  }

  /** Returns a builder for a deny-list stage reporting spans of {@code category}. */
  public static Builder builder(String id, String category) {
    return new Builder(id, category);
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
    return Set.of(category);
  }

  @Override
  public List<Span> detect(String text) {
    var spans = new ArrayList<Span>();
    var folded = TextViews.folded(text);
    match(folded, text, spans);
    if (deobfuscate) {
      var clear = TextViews.deobfuscated(folded);
      if (!clear.text().equals(folded.text())) {
        match(clear, text, spans);
      }
    }
    return spans;
  }

  private void match(TextViews.View view, String text, List<Span> spans) {
    for (var emit : trie.parseText(view.text())) {
      int start = view.start(emit.getStart());
      int end = view.start(emit.getEnd()) + 1;
      if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) {
        end++;
      }
      var span = new Span(start, end, category, "phrase", 1.0);
      if (!spans.contains(span)) {
        spans.add(span);
      }
    }
  }

  /** Builds a {@link DenyListDetector}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private final String category;
    private final LinkedHashSet<String> phrases = new LinkedHashSet<>();
    private boolean deobfuscate = true;

    private Builder(String id, String category) {
      requireNonNull(id, "id");
      requireNonNull(category, "category");
      if (id.isBlank() || category.isBlank()) {
        throw new IllegalArgumentException("id and category must not be blank");
      }
      this.id = id;
      this.category = category;
    }

    /** Adds phrases; blank ones are ignored, case and diacritics do not matter. */
    public Builder phrases(Collection<String> list) {
      requireNonNull(list, "list");
      for (var phrase : list) {
        var folded = TextViews.folded(requireNonNull(phrase, "phrase").strip()).text();
        if (!folded.isEmpty()) {
          phrases.add(folded);
        }
      }
      return this;
    }

    /** Also matches spaced-out and leetspeak spellings; default true. */
    public Builder deobfuscate(boolean deobfuscate) {
      this.deobfuscate = deobfuscate;
      return this;
    }

    /** Builds the detector; at least one phrase is required. */
    public DenyListDetector build() {
      if (phrases.isEmpty()) {
        throw new IllegalStateException("a deny-list needs at least one phrase");
      }
      return new DenyListDetector(this, List.copyOf(phrases));
    }
  }
}
