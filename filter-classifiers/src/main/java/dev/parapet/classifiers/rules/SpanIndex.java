package dev.parapet.classifiers.rules;

import dev.parapet.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Non-overlapping spans found so far, indexed by start, so that asking whether a candidate overlaps
 * one costs a logarithm rather than a pass over every span (texts dense with values hold
 * thousands). Not thread-safe: one per detection.
 */
final class SpanIndex {

  private final TreeMap<Integer, Span> byStart = new TreeMap<>();

  /** Adds a span that overlaps none already held. */
  void add(Span span) {
    byStart.put(span.start(), span);
  }

  /** Whether a candidate overlaps a span held. */
  boolean overlaps(Span candidate) {
    var before = byStart.lowerEntry(candidate.end());
    return before != null && before.getValue().end() > candidate.start();
  }

  /** Whether a char offset lies inside a span held. */
  boolean covers(int index) {
    var before = byStart.floorEntry(index);
    return before != null && before.getValue().end() > index;
  }

  /** The spans held, in order of start. */
  List<Span> spans() {
    return new ArrayList<>(byStart.values());
  }
}
