package dev.parapet.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stage that scores whole texts per category, such as a text-classification model.
 *
 * <p>Implementations must be thread-safe: one instance serves every concurrent check. The filter
 * may call {@link #classify} with one text or many; an implementation that benefits from batching
 * may also coalesce concurrent calls itself.
 */
public interface Classifier {

  /** Returns the stage id: stable, unique within a filter, used in metrics tags and cache keys. */
  String id();

  /**
   * Returns an id of the exact model behind this classifier (for example a checksum). It is part of
   * the cache key, so a new model never serves scores cached for an old one. Named as {@link
   * Detector#version()} is.
   */
  String version();

  /** Returns the categories this classifier scores. */
  Set<String> categories();

  /**
   * Scores each text.
   *
   * @param texts the texts, none null or empty
   * @return one map per text, in the same order, from category to a score in {@code [0, 1]}
   */
  List<Map<String, Double>> classify(List<String> texts);
}
