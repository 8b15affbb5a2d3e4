package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static final Policy POLICY =
      Policy.of(Profile.builder("balanced").flag("toxicity", 0.5).block("toxicity", 0.9).build());

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final KeywordClassifier toxicity =
      KeywordClassifier.of("toxicity", Map.of("toxicity", Map.of("rude", 0.6, "awful", 0.95)));

  @Test
  void build_registersStageAndCheckTimersUpFront() {
    SafetyFilter.builder().policy(POLICY).outputStage(toxicity).meterRegistry(registry).build();

    assertThat(registry.find("parapet.stage.calls").tag("stage", "toxicity").timers()).hasSize(3);
    assertThat(registry.find("parapet.checks").tag("profile", "balanced").timers()).hasSize(8);
  }

  @Test
  void burstOfChecks_registersNoMeter_evenWhenAStageReportsANewCategoryEachCall() {
    var counter = new java.util.concurrent.atomic.AtomicInteger();
    var inventive =
        new dev.parapet.spi.Classifier() {
          @Override
          public String id() {
            return "inventive";
          }

          @Override
          public String version() {
            return "1";
          }

          @Override
          public java.util.Set<String> categories() {
            return java.util.Set.of("toxicity");
          }

          @Override
          public java.util.List<Map<String, Double>> classify(java.util.List<String> texts) {
            return texts.stream()
                .map(t -> Map.of("made_up_" + counter.incrementAndGet(), 0.95))
                .toList();
          }
        };
    var anyCategory = Profile.builder("balanced").flag(Profile.ANY_CATEGORY, 0.5).build();
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(anyCategory))
            .outputStage(inventive)
            .stage(Stage.of(Stages.throwing("broken", "toxicity")).failMode(FailMode.OPEN).build())
            .meterRegistry(registry)
            .executor(Runnable::run)
            .build();
    int before = registry.getMeters().size();

    for (int i = 0; i < 200; i++) {
      filter.check("text " + i, Direction.OUTPUT);
    }
    var inStream = filter.openStream(Context.defaults(), e -> {});
    inStream.accept("A sentence. ");
    inStream.complete();
    filter.feedback(
        new Feedback(Feedback.Kind.FALSE_POSITIVE, "toxicity", Direction.OUTPUT, "id", null));

    assertThat(registry.getMeters()).hasSize(before);
    assertThat(
            registry
                .get("parapet.category.decisions")
                .tag("category", "other")
                .tag("decision", "flag")
                .tag("shadow", "false")
                .counter()
                .count())
        .isGreaterThan(200.0); // the checks and the stream's windows
  }

  @Test
  void check_recordsTimersByDirectionDecisionAndProfile() {
    var filter =
        SafetyFilter.builder().policy(POLICY).outputStage(toxicity).meterRegistry(registry).build();

    filter.check("rude", Direction.OUTPUT);
    filter.check("awful", Direction.OUTPUT);
    filter.check("fine", Direction.OUTPUT);

    assertThat(timerCount("parapet.checks", "direction", "output", "decision", "flag"))
        .isEqualTo(1);
    assertThat(timerCount("parapet.checks", "direction", "output", "decision", "block"))
        .isEqualTo(1);
    assertThat(timerCount("parapet.checks", "direction", "output", "decision", "allow"))
        .isEqualTo(1);
    assertThat(timerCount("parapet.stage.calls", "stage", "toxicity", "outcome", "success"))
        .isEqualTo(3);
    assertThat(
            registry
                .get("parapet.category.decisions")
                .tag("category", "toxicity")
                .tag("decision", "block")
                .tag("shadow", "false")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void check_stageFailure_countedByCauseAndMode() {
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(Stages.throwing("broken", "toxicity"))
            .meterRegistry(registry)
            .build();

    filter.check("x", Direction.OUTPUT);

    assertThat(
            registry
                .get("parapet.stage.failures")
                .tag("stage", "broken")
                .tag("cause", "error")
                .tag("mode", "closed")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(timerCount("parapet.stage.calls", "stage", "broken", "outcome", "error"))
        .isEqualTo(1);
  }

  @Test
  void meters_neverCarryTextInNamesOrTags() {
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(toxicity)
            .outputStage(PatternDetector.emails())
            .meterRegistry(registry)
            .build();

    filter.check("awful secret-marker bob@example.com", Direction.OUTPUT);
    filter.check("rude secret-marker", Direction.OUTPUT);

    var rendered = new ArrayList<String>();
    for (Meter meter : registry.getMeters()) {
      rendered.add(meter.getId().toString());
    }
    assertThat(rendered)
        .isNotEmpty()
        .noneMatch(s -> s.contains("secret-marker") || s.contains("bob@"));
  }

  @Test
  void noRegistry_recordsNothingAnywhere() {
    int globalBefore = Metrics.globalRegistry.getMeters().size();
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(toxicity).build();

    filter.check("rude", Direction.OUTPUT);

    assertThat(Metrics.globalRegistry.getMeters()).hasSize(globalBefore);
  }

  @Test
  void feedback_countedAndSentToSink() {
    var received = new ArrayList<Feedback>();
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(toxicity)
            .meterRegistry(registry)
            .feedbackSink(received::add)
            .build();
    var report =
        new Feedback(Feedback.Kind.FALSE_POSITIVE, "toxicity", Direction.OUTPUT, "req-1", null);

    filter.feedback(report);

    assertThat(received).containsExactly(report);
    assertThat(
            registry
                .get("parapet.feedback")
                .tag("kind", "false_positive")
                .tag("category", "toxicity")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void feedback_unknownCategory_rejectedToKeepTagsBounded() {
    var filter =
        SafetyFilter.builder().policy(POLICY).outputStage(toxicity).meterRegistry(registry).build();

    assertThatThrownBy(
            () ->
                filter.feedback(
                    new Feedback(
                        Feedback.Kind.FALSE_NEGATIVE, "free text", Direction.INPUT, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown category 'free text'");
    assertThat(registry.find("parapet.feedback").tag("category", "free text").counters()).isEmpty();
    assertThat(registry.find("parapet.feedback").counters()).allMatch(c -> c.count() == 0);
  }

  private long timerCount(String name, String k1, String v1, String k2, String v2) {
    return registry.get(name).tag(k1, v1).tag(k2, v2).timers().stream()
        .mapToLong(t -> t.count())
        .sum();
  }
}
