package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SafetyFilterTest {

  private static final Profile BALANCED =
      Profile.builder("balanced")
          .flag("toxicity", 0.5)
          .block("toxicity", 0.9)
          .redact("pii", 0.5)
          .block("stage_error", 1.0)
          .build();
  private static final Profile LENIENT = Profile.builder("lenient").block("toxicity", 0.99).build();
  private static final Policy POLICY = Policy.builder().profile(BALANCED).profile(LENIENT).build();

  private final KeywordClassifier toxicity =
      KeywordClassifier.of("toxicity", Map.of("toxicity", Map.of("rude", 0.6, "awful", 0.95)));

  private SafetyFilter.Builder filter() {
    return SafetyFilter.builder().policy(POLICY).executor(Runnable::run);
  }

  @Test
  void check_scoresBelowEveryThreshold_allows() {
    var filter = filter().outputStage(toxicity).build();

    var verdict = filter.check("a kind answer", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.ALLOW);
    assertThat(verdict.text()).isEqualTo("a kind answer");
    assertThat(verdict.score("toxicity")).isZero();
    assertThat(verdict.reasons()).isEmpty();
  }

  @Test
  void check_scoreOverFlag_flagsAndPassesText() {
    var filter = filter().outputStage(toxicity).build();

    var verdict = filter.check("a rude answer", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.FLAG);
    assertThat(verdict.text()).isEqualTo("a rude answer");
    assertThat(verdict.reasons())
        .containsExactly(new Reason("toxicity", Decision.FLAG, 0.6, "toxicity", false));
  }

  @Test
  void check_severalCategories_mostSevereWins() {
    var filter = filter().outputStage(toxicity).outputStage(PatternDetector.emails()).build();

    var verdict = filter.check("awful, write to bob@example.com", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.reasons())
        .extracting(Reason::decision)
        .containsExactlyInAnyOrder(Decision.REDACT, Decision.BLOCK);
  }

  @Test
  void check_contextProfile_selectsThresholds() {
    var filter = filter().outputStage(toxicity).build();

    assertThat(filter.check("awful", Direction.OUTPUT, Context.profile("balanced")).decision())
        .isEqualTo(Decision.BLOCK);
    assertThat(filter.check("awful", Direction.OUTPUT, Context.profile("lenient")).decision())
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void check_unknownProfile_throwsNamingIt() {
    var filter = filter().outputStage(toxicity).build();

    assertThatThrownBy(() -> filter.check("x", Direction.OUTPUT, Context.profile("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown profile 'nope'");
  }

  @Test
  void check_stageOnOtherSide_doesNotRun() {
    var filter = filter().inputStage(toxicity).build();

    var verdict = filter.check("awful", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.ALLOW);
    assertThat(verdict.stages()).isEmpty();
    assertThat(toxicity.calls()).isZero();
  }

  @Test
  void check_block_shortCircuitsLaterStages() {
    var later = KeywordClassifier.single("later", "hate", "zzz", 1.0);
    var filter = filter().outputStage(toxicity).outputStage(later).build();

    var verdict = filter.check("awful", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(later.calls()).isZero();
    assertThat(verdict.stages())
        .extracting(StageReport::stage, StageReport::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("toxicity", StageReport.Outcome.SUCCESS),
            org.assertj.core.groups.Tuple.tuple("later", StageReport.Outcome.SKIPPED));
  }

  @Test
  void check_detectorAddedAfterClassifier_runsFirstAsCheaper() {
    var detector = PatternDetector.emails();
    var filter = filter().outputStage(toxicity).outputStage(detector).build();

    assertThat(filter.stageIds(Direction.OUTPUT)).containsExactly("emails", "toxicity");
  }

  @Test
  void check_explicitCost_ordersStages() {
    var first = KeywordClassifier.single("first", "hate", "zzz", 1.0);
    var filter =
        filter()
            .outputStage(toxicity)
            .stage(Stage.of(first).directions(Direction.OUTPUT).cost(1).build())
            .build();

    assertThat(filter.stageIds(Direction.OUTPUT)).containsExactly("first", "toxicity");
  }

  @Test
  void check_redact_masksSpansInReleasedText() {
    var filter = filter().outputStage(PatternDetector.emails()).build();

    var verdict = filter.check("mail bob@example.com or amy@example.org now", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.REDACT);
    assertThat(verdict.text()).isEqualTo("mail [EMAIL_1] or [EMAIL_2] now");
    assertThat(verdict.spans()).extracting(Span::start).containsExactly(5, 24);
  }

  @Test
  void check_redactCategoryWithoutSpans_blocksInstead() {
    var policy = Policy.of(Profile.builder("p").redact("toxicity", 0.5).build());
    var filter = SafetyFilter.builder().policy(policy).outputStage(toxicity).build();

    var verdict = filter.check("rude", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.reasons()).extracting(Reason::category).contains(Reason.UNLOCATED_REDACTION);
    assertThat(verdict.text()).isEmpty();
  }

  @Test
  void check_throwingStageFailClosed_blocks() {
    var filter = filter().outputStage(Stages.throwing("broken", "toxicity")).build();

    var verdict = filter.check("hello", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.reasons())
        .containsExactly(new Reason(Reason.STAGE_ERROR, Decision.BLOCK, 1.0, "broken", false));
    assertThat(verdict.stages().get(0).outcome()).isEqualTo(StageReport.Outcome.ERROR);
  }

  @Test
  void check_throwingStageFailOpen_flagsAndPasses() {
    var stage = Stage.of(Stages.throwing("broken", "toxicity")).failMode(FailMode.OPEN).build();
    var filter = filter().stage(stage).build();

    var verdict = filter.check("hello", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.FLAG);
    assertThat(verdict.text()).isEqualTo("hello");
    assertThat(verdict.reasons()).extracting(Reason::category).containsExactly(Reason.STAGE_ERROR);
  }

  @Test
  void check_stageThrowingAnErrorFailOpen_flagsAndCountsIt() {
    var stage =
        Stage.of(Stages.throwingAny("deep", "toxicity", new StackOverflowError()))
            .failMode(FailMode.OPEN)
            .build();
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    var filter = filter().stage(stage).meterRegistry(registry).build();

    var verdict = filter.check("hello", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.FLAG);
    assertThat(verdict.text()).isEqualTo("hello");
    assertThat(verdict.stages().get(0).outcome()).isEqualTo(StageReport.Outcome.ERROR);
    assertThat(
            registry
                .get("parapet.stage.failures")
                .tag("stage", "deep")
                .tag("cause", "error")
                .tag("mode", "open")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void check_stageThrowingUndeclaredCheckedException_isAStageError() {
    var stage =
        Stage.of(Stages.throwingAny("io", "toxicity", new java.io.IOException("disk gone")))
            .build();
    var filter = filter().stage(stage).build();

    var verdict = filter.check("hello", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.reasons()).extracting(Reason::category).containsExactly(Reason.STAGE_ERROR);
  }

  @Test
  void check_stageOutOfMemory_propagates() {
    var filter =
        filter()
            .outputStage(Stages.throwingAny("oom", "toxicity", new OutOfMemoryError("test")))
            .build();

    assertThatThrownBy(() -> filter.check("hello", Direction.OUTPUT))
        .isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void check_invalidScoreFromStage_handledAsError() {
    var filter = filter().outputStage(Stages.invalid("nan", "toxicity")).build();

    var verdict = filter.check("hello", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.stages().get(0).outcome()).isEqualTo(StageReport.Outcome.ERROR);
  }

  @Test
  void check_stagePastDeadlineFailClosed_blocks() {
    var release = new CountDownLatch(1);
    var stage =
        Stage.of(Stages.blockingUntil("slow", "toxicity", release))
            .timeout(Duration.ofMillis(50))
            .build();
    var filter = SafetyFilter.builder().policy(POLICY).stage(stage).build();
    try {
      var verdict = filter.check("hello", Direction.OUTPUT);

      assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
      assertThat(verdict.reasons())
          .extracting(Reason::category)
          .containsExactly(Reason.STAGE_TIMEOUT);
      assertThat(verdict.stages().get(0).outcome()).isEqualTo(StageReport.Outcome.TIMEOUT);
    } finally {
      release.countDown();
    }
  }

  @Test
  void check_stagePastDeadlineFailOpen_flags() {
    var release = new CountDownLatch(1);
    var stage =
        Stage.of(Stages.blockingUntil("slow", "toxicity", release))
            .timeout(Duration.ofMillis(50))
            .failMode(FailMode.OPEN)
            .build();
    var filter = SafetyFilter.builder().policy(POLICY).stage(stage).build();
    try {
      var verdict = filter.check("hello", Direction.OUTPUT);

      assertThat(verdict.decision()).isEqualTo(Decision.FLAG);
      assertThat(verdict.text()).isEqualTo("hello");
    } finally {
      release.countDown();
    }
  }

  @Test
  void check_stagePastDeadline_isInterrupted() throws InterruptedException {
    var interrupted = new CountDownLatch(1);
    var never = new CountDownLatch(1);
    var hung =
        new KeywordClassifier.Delegating(toxicity) {
          @Override
          public List<Map<String, Double>> classify(List<String> texts) {
            try {
              never.await();
            } catch (InterruptedException e) {
              interrupted.countDown();
            }
            return super.classify(texts);
          }
        };
    var stage = Stage.of(hung).timeout(Duration.ofMillis(20)).failMode(FailMode.OPEN).build();
    var filter = SafetyFilter.builder().policy(POLICY).stage(stage).build();

    var verdict = filter.check("hello", Direction.OUTPUT);

    assertThat(verdict.stages().get(0).outcome()).isEqualTo(StageReport.Outcome.TIMEOUT);
    assertThat(interrupted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void defaultExecutors_areBoundedInThreadsAndQueue() {
    for (var pool :
        List.of(SafetyFilter.DefaultExecutor.CALLS, SafetyFilter.DefaultExecutor.STAGES)) {
      assertThat(pool.getMaximumPoolSize()).isEqualTo(SafetyFilter.Builder.DEFAULT_THREADS);
      assertThat(pool.getQueue().remainingCapacity() + pool.getQueue().size())
          .isEqualTo(SafetyFilter.Builder.DEFAULT_QUEUE);
    }
  }

  @Test
  void manyAsyncChecksOnAParallelProfile_allComplete_onTheDefaultExecutors() {
    var parallel = Profile.builder("parallel").parallel(true).flag("toxicity", 0.5).build();
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(parallel))
            .outputStage(toxicity)
            .outputStage(KeywordClassifier.single("other", "toxicity", "awful", 0.95))
            .build();
    var checks = new ArrayList<java.util.concurrent.CompletableFuture<Verdict>>();
    for (int i = 0; i < 200; i++) {
      checks.add(
          filter
              .checkAsync("rude text " + i, Direction.OUTPUT, Context.defaults())
              .toCompletableFuture());
    }

    // Every call waits on its stage tasks; with calls and stage tasks in one bounded pool, 32
    // waiting calls would hold every thread while their tasks sat in the queue.
    var all =
        java.util.concurrent.CompletableFuture.allOf(
            checks.toArray(new java.util.concurrent.CompletableFuture<?>[0]));
    assertThat(all).succeedsWithin(java.time.Duration.ofSeconds(60));
    assertThat(checks).allSatisfy(c -> assertThat(c.join().decision()).isEqualTo(Decision.FLAG));
  }

  @Test
  void check_textPastAStagesBudget_isScoredUpToItAndFlaggedUnchecked() {
    var seen = new ArrayList<Integer>();
    var budgeted =
        new KeywordClassifier.Delegating(toxicity) {
          @Override
          public List<Map<String, Double>> classify(List<String> texts) {
            texts.forEach(t -> seen.add(t.length()));
            return super.classify(texts);
          }
        };
    var filter = filter().stage(Stage.of(budgeted).maxChars(100).build()).build();
    var filler = "fine words ".repeat(30); // 330 chars

    var late = filter.check(filler + "awful", Direction.OUTPUT);
    var early = filter.check("awful " + filler, Direction.OUTPUT);
    var shortText = filter.check("a kind answer", Direction.OUTPUT);

    assertThat(seen).containsExactly(100, 100, 13);
    assertThat(late.decision()).isEqualTo(Decision.FLAG);
    assertThat(late.reasons()).extracting(Reason::category).containsExactly(Reason.TEXT_UNCHECKED);
    assertThat(early.decision()).isEqualTo(Decision.BLOCK);
    assertThat(shortText.decision()).isEqualTo(Decision.ALLOW);
    assertThatThrownBy(() -> Stage.of(toxicity).maxChars(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void check_stageWithinDeadline_succeeds() {
    var stage = Stage.of(toxicity).timeout(Duration.ofSeconds(30)).build();
    var filter = SafetyFilter.builder().policy(POLICY).stage(stage).build();

    assertThat(filter.check("rude", Direction.OUTPUT).decision()).isEqualTo(Decision.FLAG);
  }

  @Test
  void check_shadowStage_recordsButDoesNotEnforce() {
    var filter = filter().stage(Stage.of(toxicity).shadow(true).build()).build();

    var verdict = filter.check("awful", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.ALLOW);
    assertThat(verdict.shadowDecision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.text()).isEqualTo("awful");
    assertThat(verdict.reasons()).allMatch(Reason::shadow);
  }

  @Test
  void check_shadowProfile_recordsButDoesNotEnforce() {
    var shadow = BALANCED.toBuilder().shadow(true).build();
    var filter = SafetyFilter.builder().policy(Policy.of(shadow)).outputStage(toxicity).build();

    var verdict = filter.check("awful", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.ALLOW);
    assertThat(verdict.shadowDecision()).isEqualTo(Decision.BLOCK);
  }

  @Test
  void check_emptyText_allowsWithoutCallingStages() {
    var filter = filter().outputStage(toxicity).build();

    var verdict = filter.check("", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.ALLOW);
    assertThat(toxicity.calls()).isZero();
  }

  @Test
  void check_textOverMaximum_blocksUnchecked() {
    var filter = filter().outputStage(toxicity).maxTextLength(10).build();

    var verdict = filter.check("01234567890", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
    assertThat(verdict.reasons())
        .extracting(Reason::category)
        .containsExactly(Reason.TEXT_TOO_LONG);
    assertThat(toxicity.calls()).isZero();
  }

  @Test
  void check_loneSurrogatesAndControlChars_doNotCrash() {
    var filter = filter().outputStage(toxicity).outputStage(PatternDetector.emails()).build();

    var verdict = filter.check("rude \uD800 \u0000\u0007 \uDFFF\u202E end", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.FLAG);
  }

  @Test
  void check_nullArguments_throwNamingParameter() {
    var filter = filter().build();

    assertThatThrownBy(() -> filter.check(null, Direction.INPUT))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("text");
    assertThatThrownBy(() -> filter.check("x", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("direction");
    assertThatThrownBy(() -> filter.guard("x", null, s -> s))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("context");
  }

  @Test
  void build_withoutPolicy_fails() {
    assertThatThrownBy(() -> SafetyFilter.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a policy is required");
  }

  @Test
  void build_duplicateStageIds_fails() {
    var twin = KeywordClassifier.single("toxicity", "hate", "x", 1.0);
    assertThatThrownBy(() -> filter().inputStage(toxicity).outputStage(twin).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two stages share the id 'toxicity'");
  }

  @Test
  void guard_passingCall_returnsCompletion() {
    var filter = filter().inputStage(toxicity).outputStage(PatternDetector.emails()).build();

    var answer = filter.guard("hello", prompt -> "answer to " + prompt);

    assertThat(answer).isEqualTo("answer to hello");
  }

  @Test
  void guard_blockedPrompt_throwsWithVerdictAndNeverCallsModel() {
    var filter = filter().inputStage(toxicity).build();
    var modelCalls = new AtomicInteger();

    assertThatThrownBy(() -> filter.guard("awful", prompt -> "x" + modelCalls.incrementAndGet()))
        .isInstanceOfSatisfying(
            ContentBlockedException.class,
            e -> {
              assertThat(e.verdict().direction()).isEqualTo(Direction.INPUT);
              assertThat(e.verdict().blocked()).isTrue();
              assertThat(e.getMessage()).doesNotContain("awful").contains("toxicity");
            });
    assertThat(modelCalls).hasValue(0);
  }

  @Test
  void guard_blockedCompletion_throwsWithOutputVerdict() {
    var filter = filter().outputStage(toxicity).build();

    assertThatThrownBy(() -> filter.guard("hello", prompt -> "awful"))
        .isInstanceOfSatisfying(
            ContentBlockedException.class,
            e -> assertThat(e.verdict().direction()).isEqualTo(Direction.OUTPUT));
  }

  @Test
  void guard_refusalConfigured_returnsRefusalOnBlock() {
    var filter = filter().outputStage(toxicity).refusal("I can't help with that.").build();

    assertThat(filter.guard("hello", prompt -> "awful")).isEqualTo("I can't help with that.");
  }

  @Test
  void guard_categoryRefusal_returnsItInsteadOfThrowing() {
    var support =
        Profile.builder("support")
            .block("toxicity", 0.9)
            .refusal("toxicity", "Let's keep it kind.")
            .build();
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(support))
            .executor(Runnable::run)
            .outputStage(toxicity)
            .build();

    assertThat(filter.guard("hello", prompt -> "awful")).isEqualTo("Let's keep it kind.");
    assertThat(filter.check("awful", Direction.OUTPUT).text()).isEqualTo("Let's keep it kind.");
  }

  @Test
  void check_categoryRefusal_otherCategoryBlocking_keepsFilterRefusal() {
    var profile =
        Profile.builder("p")
            .block("toxicity", 0.9)
            .block("pii", 0.5)
            .refusal("toxicity", "Let's keep it kind.")
            .build();
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(profile))
            .executor(Runnable::run)
            .outputStage(PatternDetector.emails())
            .refusal("[withheld]")
            .build();

    assertThat(filter.check("write to bob@example.com", Direction.OUTPUT).text())
        .isEqualTo("[withheld]");
    assertThatThrownBy(
            () ->
                SafetyFilter.builder()
                    .policy(Policy.of(profile))
                    .executor(Runnable::run)
                    .outputStage(PatternDetector.emails())
                    .build()
                    .guard("hi", prompt -> "bob@example.com"))
        .isInstanceOf(ContentBlockedException.class);
  }

  @Test
  void guard_redactedPrompt_modelSeesMaskedText() {
    var filter = filter().inputStage(PatternDetector.emails()).build();
    var seen = new ArrayList<String>();

    filter.guard(
        "contact bob@example.com",
        prompt -> {
          seen.add(prompt);
          return "ok";
        });

    assertThat(seen).containsExactly("contact [EMAIL_1]");
  }

  @Test
  void guard_redactedCompletion_callerSeesMaskedText() {
    var filter = filter().outputStage(PatternDetector.emails()).build();

    assertThat(filter.guard("who?", prompt -> "it is bob@example.com"))
        .isEqualTo("it is [EMAIL_1]");
  }

  @Test
  void guardAsync_passingCall_completesWithCompletion() {
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(toxicity).build();

    var answer =
        filter
            .guardAsync(
                "hi", prompt -> java.util.concurrent.CompletableFuture.completedFuture("fine"))
            .toCompletableFuture()
            .join();

    assertThat(answer).isEqualTo("fine");
  }

  @Test
  void guardAsync_blockedCompletion_completesExceptionally() {
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(toxicity).build();

    var stage =
        filter.guardAsync(
            "hi", prompt -> java.util.concurrent.CompletableFuture.completedFuture("awful"));

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(ContentBlockedException.class);
  }

  @Test
  void guardAsync_blockedPrompt_neverCallsModel() {
    var filter = SafetyFilter.builder().policy(POLICY).inputStage(toxicity).build();
    var modelCalls = new AtomicInteger();

    var stage =
        filter.guardAsync(
            "awful",
            prompt -> {
              modelCalls.incrementAndGet();
              return java.util.concurrent.CompletableFuture.completedFuture("x");
            });

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .hasCauseInstanceOf(ContentBlockedException.class);
    assertThat(modelCalls).hasValue(0);
  }

  @Test
  void guardAsync_stageError_completesExceptionallyNotThrows() {
    var filter = SafetyFilter.builder().policy(POLICY).inputStage(toxicity).build();

    var stage =
        filter.guardAsync(
            "hi",
            Context.profile("missing"),
            prompt -> java.util.concurrent.CompletableFuture.completedFuture("x"));

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void checkAsync_returnsSameVerdictAsSync() {
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(toxicity)
            .verdictCache(0, Duration.ofMinutes(1))
            .build();

    var async =
        filter
            .checkAsync("rude", Direction.OUTPUT, Context.defaults())
            .toCompletableFuture()
            .join();

    assertThat(async).isEqualTo(filter.check("rude", Direction.OUTPUT));
  }

  @Test
  void verdict_isImmutable() {
    var filter = filter().outputStage(toxicity).build();
    var verdict = filter.check("rude", Direction.OUTPUT);

    assertThatThrownBy(() -> verdict.scores().put("x", 1.0))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> verdict.reasons().add(null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(List.copyOf(verdict.stages())).hasSize(1);
  }
}
