package dev.parapet.internal;

import dev.parapet.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Masks spans of a text with typed placeholders such as {@code [EMAIL]}. Internal. */
public final class Redactor {

  private Redactor() {}

  /**
   * Returns the text with every span replaced by {@code [TYPE]}; overlapping spans merge into one mask
   * named after the first.
   */
  public static String mask(String text, List<Span> spans) {
    if (spans.isEmpty()) {
      return text;
    }
    var sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingInt(Span::start).thenComparing(Comparator.comparingInt(Span::end).reversed()));
    var out = new StringBuilder(text.length());
    int cursor = 0;
    int i = 0;
    while (i < sorted.size()) {
      var first = sorted.get(i);
      int start = first.start();
      int end = first.end();
      i++;
      while (i < sorted.size() && sorted.get(i).start() < end) {
        end = Math.max(end, sorted.get(i).end());
        i++;
      }
      if (start < cursor) {
        start = cursor;
      }
      out.append(text, cursor, start);
      out.append('[').append(first.type().toUpperCase(Locale.ROOT)).append(']');
      cursor = end;
    }
    out.append(text, cursor, text.length());
    return out.toString();
  }
}
