package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named use case's rules: per-category thresholds, refusal texts for blocked categories, and
 * whether its decisions are enforced.
 *
 * <p>The category {@value #ANY_CATEGORY} holds thresholds for every category without its own entry;
 * a category with neither is always ALLOW (its score is still reported). Immutable and thread-safe.
 *
 * <pre>{@code
 * Profile support = Profile.builder("support-chat")
 *     .flag("toxicity", 0.5).block("toxicity", 0.9)
 *     .redact("pii", 0.5)
 *     .refusal("self_harm", "It sounds like you're going through a lot. You can reach a crisis line ...")
 *     .build();
 * }</pre>
 *
 * <p>A blocked text is released as the refusal of its highest-scoring blocking category that has
 * one, else as the filter's refusal.
 */
public final class Profile {

  /** The wildcard category whose thresholds apply to categories without their own. */
  public static final String ANY_CATEGORY = "*";

  private final String name;
  private final Map<String, Thresholds> thresholds;
  private final Map<String, String> refusals;
  private final Thresholds fallback;
  private final boolean shadow;
  private final boolean parallel;

  private Profile(Builder builder) {
    this.name = builder.name;
    this.thresholds = Map.copyOf(builder.thresholds);
    this.refusals = Map.copyOf(builder.refusals);
    this.fallback = thresholds.getOrDefault(ANY_CATEGORY, Thresholds.NONE);
    this.shadow = builder.shadow;
    this.parallel = builder.parallel;
  }

  /** Returns a builder for a profile with the given name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Returns the profile's name. */
  public String name() {
    return name;
  }

  /** Returns whether the profile runs in shadow mode: decisions are recorded, never enforced. */
  public boolean shadow() {
    return shadow;
  }

  /**
   * Returns whether the stages of one side run concurrently on the filter's executor (the first
   * BLOCK cancels the rest) rather than one after another, cheapest first (the default).
   */
  public boolean parallel() {
    return parallel;
  }

  /** Returns the thresholds per category, the wildcard included. */
  public Map<String, Thresholds> thresholds() {
    return thresholds;
  }

  /** Returns the refusal texts by category: what a block of that category releases. */
  public Map<String, String> refusals() {
    return refusals;
  }

  /** Returns the decision for a category's score. */
  public Decision decide(String category, double score) {
    return thresholds.getOrDefault(category, fallback).decide(score);
  }

  /** Returns a builder holding this profile's settings. */
  public Builder toBuilder() {
    var builder = new Builder(name).shadow(shadow).parallel(parallel);
    builder.thresholds.putAll(thresholds);
    builder.refusals.putAll(refusals);
    return builder;
  }

  @Override
  public String toString() {
    return "Profile["
        + name
        + (shadow ? ", shadow" : "")
        + (parallel ? ", parallel" : "")
        + ", "
        + thresholds
        + (refusals.isEmpty() ? "" : ", refusals for " + new java.util.TreeSet<>(refusals.keySet()))
        + "]";
  }

  /** Builds a {@link Profile}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Map<String, Thresholds> thresholds = new LinkedHashMap<>();
    private final Map<String, String> refusals = new LinkedHashMap<>();
    private boolean shadow;
    private boolean parallel;

    private Builder(String name) {
      requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("profile name must not be blank");
      }
      this.name = name;
    }

    /** Flags texts whose {@code category} score is at least {@code threshold}. */
    public Builder flag(String category, double threshold) {
      return threshold(category, Decision.FLAG, threshold);
    }

    /** Redacts the spans of {@code category} when its score is at least {@code threshold}. */
    public Builder redact(String category, double threshold) {
      return threshold(category, Decision.REDACT, threshold);
    }

    /** Blocks texts whose {@code category} score is at least {@code threshold}. */
    public Builder block(String category, double threshold) {
      return threshold(category, Decision.BLOCK, threshold);
    }

    /** Sets one threshold of a category; validates range and order at once. */
    public Builder threshold(String category, Decision decision, double threshold) {
      requireNonNull(category, "category");
      requireNonNull(decision, "decision");
      if (category.isBlank()) {
        throw new IllegalArgumentException("category must not be blank");
      }
      thresholds.put(
          category, thresholds.getOrDefault(category, Thresholds.NONE).with(decision, threshold));
      return this;
    }

    /** Sets all thresholds of a category at once. */
    public Builder thresholds(String category, Thresholds values) {
      requireNonNull(category, "category");
      thresholds.put(category, requireNonNull(values, "values"));
      return this;
    }

    /**
     * Sets what a block of {@code category} releases instead of the filter's refusal, for example a
     * supportive answer that points to help for {@code self_harm}. With one set, {@code guard}
     * returns it rather than throwing when that category blocks.
     */
    public Builder refusal(String category, String text) {
      requireNonNull(category, "category");
      requireNonNull(text, "text");
      if (category.isBlank() || text.isBlank()) {
        throw new IllegalArgumentException("refusal category and text must not be blank");
      }
      refusals.put(category, text);
      return this;
    }

    /** Runs the profile in shadow mode: decisions are computed and recorded, not enforced. */
    public Builder shadow(boolean shadow) {
      this.shadow = shadow;
      return this;
    }

    /**
     * Runs the stages of one side concurrently on the filter's executor; the first enforced BLOCK
     * cancels the stages still running. Decisions and released text are those of the sequential
     * order; a blocked verdict may list different reasons, since other stages may have finished
     * first. Default: sequential, cheapest first.
     */
    public Builder parallel(boolean parallel) {
      this.parallel = parallel;
      return this;
    }

    /** Builds the profile. */
    public Profile build() {
      return new Profile(this);
    }
  }
}
