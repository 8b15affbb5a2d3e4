package dev.parapet.internal;

import static dev.parapet.internal.MeterNames.*;

import dev.parapet.Decision;
import dev.parapet.Direction;
import dev.parapet.FailMode;
import dev.parapet.Feedback;
import dev.parapet.StageReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The filter's meters, all registered when the filter is built (and, for new profiles, when a
 * policy is swapped in), so the hot path only looks meters up and records. Without a registry every
 * method is a no-op. Tags are enums, stage ids, profile names and the filter's known categories:
 * all bounded by configuration, never by user input or by what a stage happens to report; a
 * category outside the known set is counted under {@value #OTHER}. Thread-safe. Internal.
 */
public final class FilterMetrics {

  /** The category tag of categories the filter does not know. */
  public static final String OTHER = "other";

  private static final List<String> STREAM_OUTCOMES =
      List.of("completed", "blocked", "failed", "cancelled");
  private static final FilterMetrics NOOP = new FilterMetrics(null, Map.of(), List.of(), List.of());

  private final MeterRegistry registry;
  private final Map<String, EnumMap<StageReport.Outcome, Timer>> stageTimers =
      new ConcurrentHashMap<>();
  private final Map<CheckKey, Timer> checkTimers = new ConcurrentHashMap<>();
  private final Map<CategoryKey, Counter> categoryCounters = new ConcurrentHashMap<>();
  private final Map<FailureKey, Counter> failureCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> streamCounters = new ConcurrentHashMap<>();
  private final Map<FeedbackKey, Counter> feedbackCounters = new ConcurrentHashMap<>();
  private final Counter auditFailures;
  private final Timer holdBack;

  private FilterMetrics(
      MeterRegistry registry,
      Map<String, FailMode> stages,
      Collection<String> profiles,
      Collection<String> categories) {
    this.registry = registry;
    if (registry == null) {
      auditFailures = null;
      holdBack = null;
      return;
    }
    auditFailures = registry.counter(AUDIT_FAILURES);
    holdBack =
        Timer.builder(STREAM_HOLDBACK)
            .description("Time from a stream chunk's arrival to its release")
            .register(registry);
    stages.forEach(this::registerStage);
    registerProfiles(profiles);
    for (var category : categories) {
      registerCategory(category);
    }
    registerCategory(OTHER);
    for (var outcome : STREAM_OUTCOMES) {
      streamCounters.put(
          outcome,
          Counter.builder(STREAMS)
              .description("Guarded streams that ended, by outcome")
              .tag(OUTCOME, outcome)
              .register(registry));
    }
  }

  /**
   * Returns metrics on a registry, or no-op metrics for {@code null}.
   *
   * @param stages each stage's id and fail mode
   * @param profiles the policy's profile names
   * @param categories every category the stages report and the reserved reason codes
   */
  public static FilterMetrics create(
      MeterRegistry registry,
      Map<String, FailMode> stages,
      Collection<String> profiles,
      Collection<String> categories) {
    return registry == null ? NOOP : new FilterMetrics(registry, stages, profiles, categories);
  }

  /**
   * Registers the check timers of profiles a new policy brings (on a policy swap, not per check).
   */
  public void registerProfiles(Collection<String> profiles) {
    if (registry == null) {
      return;
    }
    for (var profile : profiles) {
      for (var direction : Direction.values()) {
        for (var decision : Decision.values()) {
          checkTimers.computeIfAbsent(
              new CheckKey(direction, decision, profile),
              k ->
                  Timer.builder(CHECKS)
                      .description("Time of one check of one text")
                      .tag(DIRECTION, lower(direction))
                      .tag(DECISION, lower(decision))
                      .tag(PROFILE, profile)
                      .register(registry));
        }
      }
    }
  }

  /** Records one check. */
  public void check(Direction direction, Decision decision, String profile, long nanos) {
    if (registry != null) {
      // every policy the filter holds had its profiles registered when it was set
      checkTimers
          .get(new CheckKey(direction, decision, profile))
          .record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Records one stage call. */
  public void stage(String stage, StageReport.Outcome outcome, long nanos) {
    if (registry != null) {
      stageTimers.get(stage).get(outcome).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Counts a stage failure. */
  public void failure(String stage, StageReport.Outcome cause, FailMode mode) {
    if (registry != null) {
      failureCounters.get(new FailureKey(stage, cause, mode)).increment();
    }
  }

  /** Counts a category that called for a decision above allow ({@value #OTHER} if unknown). */
  public void category(String category, Decision decision, boolean shadow) {
    if (registry != null) {
      var counter = categoryCounters.get(new CategoryKey(category, decision, shadow));
      if (counter == null) {
        counter = categoryCounters.get(new CategoryKey(OTHER, decision, shadow));
      }
      counter.increment();
    }
  }

  /** Counts an audit sink failure. */
  public void auditFailure() {
    if (registry != null) {
      auditFailures.increment();
    }
  }

  /**
   * Counts a stream that ended; {@code outcome} is one of completed, blocked, failed, cancelled.
   */
  public void streamEnded(String outcome) {
    if (registry != null) {
      streamCounters.get(outcome).increment();
    }
  }

  /** Records how long one released piece of stream text was held back. */
  public void holdBack(long nanos) {
    if (registry != null) {
      holdBack.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Counts a feedback report ({@value #OTHER} if its category is unknown). */
  public void feedback(Feedback feedback) {
    if (registry != null) {
      var counter = feedbackCounters.get(new FeedbackKey(feedback.kind(), feedback.category()));
      if (counter == null) {
        counter = feedbackCounters.get(new FeedbackKey(feedback.kind(), OTHER));
      }
      counter.increment();
    }
  }

  private void registerStage(String stage, FailMode mode) {
    var timers = new EnumMap<StageReport.Outcome, Timer>(StageReport.Outcome.class);
    for (var outcome : StageReport.Outcome.values()) {
      if (outcome != StageReport.Outcome.SKIPPED) {
        timers.put(
            outcome,
            Timer.builder(STAGE_CALLS)
                .description("Time of one stage's call")
                .tag(STAGE, stage)
                .tag(OUTCOME, lower(outcome))
                .register(registry));
      }
    }
    stageTimers.put(stage, timers);
    for (var cause : List.of(StageReport.Outcome.ERROR, StageReport.Outcome.TIMEOUT)) {
      failureCounters.put(
          new FailureKey(stage, cause, mode),
          Counter.builder(STAGE_FAILURES)
              .description("Stage errors and timeouts, by fail mode")
              .tag(STAGE, stage)
              .tag(CAUSE, lower(cause))
              .tag(MODE, lower(mode))
              .register(registry));
    }
  }

  private void registerCategory(String category) {
    for (var decision : List.of(Decision.FLAG, Decision.REDACT, Decision.BLOCK)) {
      for (boolean shadow : new boolean[] {false, true}) {
        categoryCounters.put(
            new CategoryKey(category, decision, shadow),
            Counter.builder(CATEGORY_DECISIONS)
                .description("Categories that called for flag, redact or block")
                .tag(CATEGORY, category)
                .tag(DECISION, lower(decision))
                .tag(SHADOW, Boolean.toString(shadow))
                .register(registry));
      }
    }
    for (var kind : Feedback.Kind.values()) {
      feedbackCounters.put(
          new FeedbackKey(kind, category),
          Counter.builder(FEEDBACK)
              .description("User reports of wrong verdicts")
              .tag(KIND, lower(kind))
              .tag(CATEGORY, category)
              .register(registry));
    }
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private record CheckKey(Direction direction, Decision decision, String profile) {}

  private record CategoryKey(String category, Decision decision, boolean shadow) {}

  private record FailureKey(String stage, StageReport.Outcome cause, FailMode mode) {}

  private record FeedbackKey(Feedback.Kind kind, String category) {}
}
