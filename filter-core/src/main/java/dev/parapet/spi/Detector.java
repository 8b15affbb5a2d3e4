package dev.parapet.spi;

import dev.parapet.Span;
import java.util.List;
import java.util.Set;

/**
 * A stage that locates regions of a text, such as personal data or secrets, so they can be
 * redacted.
 *
 * <p>A category's score for the text is the highest score among its spans. Implementations must be
 * thread-safe and should run in time linear in the text's length.
 */
public interface Detector {

  /** Returns the stage id: stable, unique within a filter, used in metrics tags and cache keys. */
  String id();

  /** Returns an id of this detector's rules; part of the cache key. */
  String version();

  /** Returns the categories of the spans this detector reports. */
  Set<String> categories();

  /**
   * Finds spans in a text.
   *
   * @param text the text, not null or empty
   * @return the spans, with offsets into {@code text}, in any order
   */
  List<Span> detect(String text);
}
