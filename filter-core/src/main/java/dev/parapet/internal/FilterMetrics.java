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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The filter's meters, registered when the filter is built so the hot path only records. Without a
 * registry every method is a no-op. Tags are enums, stage ids, profile names and category names: all
 * bounded by configuration, never by user input. Thread-safe. Internal.
 */
public final class FilterMetrics {

  private static final FilterMetrics NOOP = new FilterMetrics(null, java.util.List.of(), java.util.List.of());

  private final MeterRegistry registry;
  private final Map<String, EnumMap<StageReport.Outcome, Timer>> stageTimers = new ConcurrentHashMap<>();
  private final Map<CheckKey, Timer> checkTimers = new ConcurrentHashMap<>();
  private final Map<CategoryKey, Counter> categoryCounters = new ConcurrentHashMap<>();
  private final Map<FailureKey, Counter> failureCounters = new ConcurrentHashMap<>();
  private final Counter auditFailures;
  private final Map<String, Counter> streamCounters = new ConcurrentHashMap<>();
  private volatile Timer holdBack;

  private FilterMetrics(MeterRegistry registry, Collection<String> stages, Collection<String> profiles) {
    this.registry = registry;
    this.auditFailures = registry == null ? null : registry.counter(AUDIT_FAILURES);
    if (registry == null) {
      return;
    }
    for (var stage : stages) {
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
    }
    for (var profile : profiles) {
      for (var direction : Direction.values()) {
        for (var decision : Decision.values()) {
          checkTimer(direction, decision, profile);
        }
      }
    }
  }

  /** Returns metrics on a registry, or no-op metrics for {@code null}. */
  public static FilterMetrics create(
      MeterRegistry registry, Collection<String> stages, Collection<String> profiles) {
    return registry == null ? NOOP : new FilterMetrics(registry, stages, profiles);
  }

  /** Records one check. */
  public void check(Direction direction, Decision decision, String profile, long nanos) {
    if (registry != null) {
      checkTimer(direction, decision, profile).record(nanos, TimeUnit.NANOSECONDS);
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
      failureCounters
          .computeIfAbsent(
              new FailureKey(stage, cause, mode),
              k ->
                  Counter.builder(STAGE_FAILURES)
                      .description("Stage errors and timeouts, by fail mode")
                      .tag(STAGE, stage)
                      .tag(CAUSE, lower(cause))
                      .tag(MODE, lower(mode))
                      .register(registry))
          .increment();
    }
  }

  /** Counts a category that called for a decision above allow. */
  public void category(String category, Decision decision, boolean shadow) {
    if (registry != null) {
      categoryCounters
          .computeIfAbsent(
              new CategoryKey(category, decision, shadow),
              k ->
                  Counter.builder(CATEGORY_DECISIONS)
                      .description("Categories that called for flag, redact or block")
                      .tag(CATEGORY, category)
                      .tag(DECISION, lower(decision))
                      .tag(SHADOW, Boolean.toString(shadow))
                      .register(registry))
          .increment();
    }
  }

  /** Counts an audit sink failure. */
  public void auditFailure() {
    if (registry != null) {
      auditFailures.increment();
    }
  }

  /** Counts a stream that ended; {@code outcome} is one of completed, blocked, failed, cancelled. */
  public void streamEnded(String outcome) {
    if (registry != null) {
      streamCounters
          .computeIfAbsent(
              outcome,
              o ->
                  Counter.builder(STREAMS)
                      .description("Guarded streams that ended, by outcome")
                      .tag(OUTCOME, o)
                      .register(registry))
          .increment();
    }
  }

  /** Records how long one released piece of stream text was held back (registered on first use). */
  public void holdBack(long nanos) {
    if (registry != null) {
      var timer = holdBack;
      if (timer == null) {
        timer =
            Timer.builder(STREAM_HOLDBACK)
                .description("Time from a stream chunk's arrival to its release")
                .register(registry); // idempotent: a race registers the same meter twice
        holdBack = timer;
      }
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Counts a feedback report. */
  public void feedback(Feedback feedback) {
    if (registry != null) {
      Counter.builder(FEEDBACK)
          .description("User reports of wrong verdicts")
          .tag(KIND, lower(feedback.kind()))
          .tag(CATEGORY, feedback.category())
          .register(registry)
          .increment();
    }
  }

  private Timer checkTimer(Direction direction, Decision decision, String profile) {
    return checkTimers.computeIfAbsent(
        new CheckKey(direction, decision, profile),
        k ->
            Timer.builder(CHECKS)
                .description("Time of one check of one text")
                .tag(DIRECTION, lower(direction))
                .tag(DECISION, lower(decision))
                .tag(PROFILE, profile)
                .register(registry));
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private record CheckKey(Direction direction, Decision decision, String profile) {}

  private record CategoryKey(String category, Decision decision, boolean shadow) {}

  private record FailureKey(String stage, StageReport.Outcome cause, FailMode mode) {}
}
