package dev.parapet;

import static java.util.Objects.requireNonNull;

import dev.parapet.internal.StageScores;
import dev.parapet.spi.Classifier;
import dev.parapet.spi.Detector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Classifier} or {@link Detector} placed in a filter: on which side it runs, what its
 * failure does, its deadline, whether it runs in shadow mode, and its cost rank.
 *
 * <p>Stages of one side run cheapest first (lowest {@link #cost()}, then in the order added); a
 * BLOCK skips the rest. Detectors default to cost 10, classifiers to 100. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * Stage toxicity = Stage.of(classifier)
 *     .directions(Direction.OUTPUT)
 *     .failMode(FailMode.OPEN)
 *     .timeout(Duration.ofMillis(200))
 *     .build();
 * }</pre>
 */
public final class Stage {

  private final Classifier classifier;
  private final Detector detector;
  private final String id;
  private final Set<Direction> directions;
  private final FailMode failMode;
  private final Duration timeout;
  private final boolean shadow;
  private final int cost;
  private final int maxChars;

  private Stage(Builder builder) {
    this.classifier = builder.classifier;
    this.detector = builder.detector;
    this.id = classifier != null ? classifier.id() : detector.id();
    this.directions = Set.copyOf(builder.directions);
    this.failMode = builder.failMode;
    this.timeout = builder.timeout;
    this.shadow = builder.shadow;
    this.cost = builder.cost;
    this.maxChars = builder.maxChars;
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("stage id must not be null or blank");
    }
  }

  /** Returns a builder for a classifier stage, on both sides, fail-closed, without deadline. */
  public static Builder of(Classifier classifier) {
    return new Builder(requireNonNull(classifier, "classifier"), null, 100);
  }

  /** Returns a builder for a detector stage, on both sides, fail-closed, without deadline. */
  public static Builder of(Detector detector) {
    return new Builder(null, requireNonNull(detector, "detector"), 10);
  }

  /** Returns the stage id, from its classifier or detector. */
  public String id() {
    return id;
  }

  /** Returns the sides this stage runs on. */
  public Set<Direction> directions() {
    return directions;
  }

  /** Returns what a failure of this stage does. */
  public FailMode failMode() {
    return failMode;
  }

  /**
   * Returns the deadline, or {@code null} when the stage runs on the caller's thread without one.
   */
  public Duration timeout() {
    return timeout;
  }

  /** Returns whether the stage's decisions are recorded but not enforced. */
  public boolean shadow() {
    return shadow;
  }

  /** Returns the cost rank: lower runs first. */
  public int cost() {
    return cost;
  }

  /** Returns the most chars of a text this stage scores ({@link Integer#MAX_VALUE}: all). */
  public int maxChars() {
    return maxChars;
  }

  /** Returns the categories the stage scores. */
  public Set<String> categories() {
    return classifier != null ? classifier.categories() : detector.categories();
  }

  /** Returns the version of the model or rules behind the stage; part of cache keys. */
  String version() {
    var version = classifier != null ? classifier.version() : detector.version();
    return requireNonNull(version, "stage version");
  }

  /** Runs the stage on one text and validates its result. */
  StageScores evaluate(String text) {
    if (classifier != null) {
      var results = classifier.classify(List.of(text));
      if (results == null || results.size() != 1 || results.get(0) == null) {
        throw new InvalidStageResultException(id, "expected one score map for one text");
      }
      var scores = results.get(0);
      for (var entry : scores.entrySet()) {
        requireValidScore(entry.getKey(), entry.getValue());
      }
      return new StageScores(Map.copyOf(scores), List.of());
    }
    var spans = detector.detect(text);
    if (spans == null) {
      throw new InvalidStageResultException(id, "returned null spans");
    }
    var scores = new HashMap<String, Double>();
    var valid = new ArrayList<Span>(spans.size());
    for (var span : spans) {
      if (span == null || span.end() > text.length()) {
        throw new InvalidStageResultException(id, "returned a span outside the text");
      }
      scores.merge(span.category(), span.score(), Math::max);
      valid.add(span);
    }
    return new StageScores(scores, valid);
  }

  private void requireValidScore(String category, Double score) {
    if (category == null || score == null || !(score >= 0.0 && score <= 1.0)) {
      throw new InvalidStageResultException(
          id, "returned score " + score + " for category " + category + ", expected [0, 1]");
    }
  }

  @Override
  public String toString() {
    return "Stage["
        + id
        + ", "
        + directions
        + ", fail-"
        + failMode
        + (shadow ? ", shadow" : "")
        + "]";
  }

  /** A stage returned something the filter cannot use; handled by the stage's fail mode. */
  static final class InvalidStageResultException extends ParapetException {
    private static final long serialVersionUID = 1L;

    InvalidStageResultException(String stage, String problem) {
      super("stage '" + stage + "' " + problem);
    }
  }

  /** Builds a {@link Stage}. Not thread-safe. */
  public static final class Builder {
    private final Classifier classifier;
    private final Detector detector;
    private Set<Direction> directions = EnumSet.allOf(Direction.class);
    private FailMode failMode = FailMode.CLOSED;
    private Duration timeout;
    private boolean shadow;
    private int cost;
    private int maxChars = Integer.MAX_VALUE;

    private Builder(Classifier classifier, Detector detector, int cost) {
      this.classifier = classifier;
      this.detector = detector;
      this.cost = cost;
    }

    /** Sets the sides the stage runs on; at least one. */
    public Builder directions(Direction first, Direction... rest) {
      var set = EnumSet.of(requireNonNull(first, "first"));
      for (var direction : rest) {
        set.add(requireNonNull(direction, "direction"));
      }
      this.directions = set;
      return this;
    }

    /** Sets what a failure does; the default is {@link FailMode#CLOSED}. */
    public Builder failMode(FailMode failMode) {
      this.failMode = requireNonNull(failMode, "failMode");
      return this;
    }

    /**
     * Sets a deadline: the stage then runs on the filter's executor and a late result counts as a
     * failure. A timed-out computation's thread is interrupted; a stage that ignores interrupts
     * finishes in the background, holding an executor thread until then.
     */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** Runs the stage in shadow mode: its decisions are recorded and measured, never enforced. */
    public Builder shadow(boolean shadow) {
      this.shadow = shadow;
      return this;
    }

    /**
     * Sets a per-text budget: the stage scores at most the first {@code maxChars} chars of a text
     * (as normalised), so one long text costs a bounded time; a longer text gets the reason {@link
     * Reason#TEXT_UNCHECKED}, at least a FLAG, never a silent pass. Default: no budget. Set one for
     * model stages, whose cost grows with the text's windows.
     */
    public Builder maxChars(int maxChars) {
      if (maxChars < 1) {
        throw new IllegalArgumentException("maxChars must be >= 1, was " + maxChars);
      }
      this.maxChars = maxChars;
      return this;
    }

    /** Sets the cost rank; stages of one side run from the lowest. */
    public Builder cost(int cost) {
      this.cost = cost;
      return this;
    }

    /** Builds the stage. */
    public Stage build() {
      return new Stage(this);
    }
  }
}
