package dev.parapet;

import dev.parapet.internal.CacheKey;
import dev.parapet.internal.FilterMetrics;
import dev.parapet.internal.StageScores;
import dev.parapet.internal.VerdictCache;
import dev.parapet.spi.AuditSink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/** Runs the stages of one side over a text and turns their scores into a verdict. Thread-safe. */
final class Pipeline {

  private final Map<Direction, List<Stage>> stages = new EnumMap<>(Direction.class);
  private final AtomicReference<Policy> policy;
  private final VerdictCache cache;
  private final FilterMetrics metrics;
  private final Executor executor;
  private final AuditSink auditSink;
  private final String refusal;
  private final int maxTextLength;
  private final LongSupplier nanoTime;
  private final Clock clock;
  private final Normalization normalization;
  private final Redaction redaction;

  Pipeline(
      List<Stage> all,
      AtomicReference<Policy> policy,
      VerdictCache cache,
      FilterMetrics metrics,
      Executor executor,
      AuditSink auditSink,
      String refusal,
      int maxTextLength,
      LongSupplier nanoTime,
      Clock clock,
      Normalization normalization,
      Redaction redaction) {
    for (var direction : Direction.values()) {
      var side = new ArrayList<Stage>();
      for (var stage : all) {
        if (stage.directions().contains(direction)) {
          side.add(stage);
        }
      }
      side.sort(Comparator.comparingInt(Stage::cost)); // stable: ties keep the order added
      stages.put(direction, List.copyOf(side));
    }
    this.policy = policy;
    this.cache = cache;
    this.metrics = metrics;
    this.executor = executor;
    this.auditSink = auditSink;
    this.refusal = refusal;
    this.maxTextLength = maxTextLength;
    this.nanoTime = nanoTime;
    this.clock = clock;
    this.normalization = normalization;
    this.redaction = redaction;
  }

  List<Stage> stages(Direction direction) {
    return stages.get(direction);
  }

  Verdict check(String text, Direction direction, Context context) {
    return check(text, direction, context, null);
  }

  /**
   * Checks a text; with a vault, REDACT uses reversible placeholders recorded in it (a value already in
   * the vault keeps its placeholder).
   */
  Verdict check(String text, Direction direction, Context context, Redaction.Vault vault) {
    long start = nanoTime.getAsLong();
    var profile = policy.get().profile(context.profile());
    var verdict = evaluate(text, direction, profile, vault);
    long nanos = nanoTime.getAsLong() - start;
    metrics.check(direction, verdict.decision(), profile.name(), nanos);
    for (var reason : verdict.reasons()) {
      metrics.category(reason.category(), reason.decision(), reason.shadow());
    }
    if (auditSink != null) {
      try {
        auditSink.record(new AuditRecord(clock.instant(), context, verdict, nanos));
      } catch (RuntimeException e) {
        metrics.auditFailure();
      }
    }
    return verdict;
  }

  private Verdict evaluate(String text, Direction direction, Profile profile, Redaction.Vault vault) {
    if (text.isEmpty()) {
      return new Verdict(
          Decision.ALLOW, Decision.ALLOW, direction, profile.name(), Map.of(), List.of(), List.of(),
          List.of(), text);
    }
    if (text.length() > maxTextLength) {
      // Never pass a text unchecked: one too long to check is rejected, shadow mode or not.
      var reason = new Reason(Reason.TEXT_TOO_LONG, Decision.BLOCK, 1.0, null, false);
      return new Verdict(
          Decision.BLOCK, Decision.BLOCK, direction, profile.name(), Map.of(), List.of(),
          List.of(reason), List.of(), refusalText());
    }
    var state = new State(profile);
    var normalized = normalization.apply(text);
    if (!normalized.invisible().isEmpty()) {
      state.scores.put(Normalization.INVISIBLE_TEXT, 1.0);
      state.spans.addAll(normalized.invisible());
      var decision = profile.decide(Normalization.INVISIBLE_TEXT, 1.0);
      if (decision != Decision.ALLOW) {
        state.add(new Reason(Normalization.INVISIBLE_TEXT, decision, 1.0, null, profile.shadow()));
      }
    }
    for (var stage : stages.get(direction)) {
      if (state.enforced == Decision.BLOCK) {
        state.reports.add(new StageReport(stage.id(), StageReport.Outcome.SKIPPED, false, stage.shadow()));
        continue;
      }
      if (!normalized.text().isEmpty()) {
        runStage(stage, normalized, state);
      }
    }
    return state.finish(text, direction, vault);
  }

  private void runStage(Stage stage, NormalizedText normalized, State state) {
    long start = nanoTime.getAsLong();
    StageReport.Outcome outcome;
    VerdictCache.Lookup lookup = null;
    try {
      lookup = scores(stage, normalized.text());
      outcome = StageReport.Outcome.SUCCESS;
    } catch (TimeoutException e) {
      outcome = StageReport.Outcome.TIMEOUT;
    } catch (RuntimeException | ExecutionException e) {
      outcome = StageReport.Outcome.ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = StageReport.Outcome.ERROR;
    }
    metrics.stage(stage.id(), outcome, nanoTime.getAsLong() - start);
    boolean shadow = stage.shadow() || state.profile.shadow();
    state.reports.add(new StageReport(stage.id(), outcome, lookup != null && lookup.hit(), stage.shadow()));
    if (lookup == null) {
      metrics.failure(stage.id(), outcome, stage.failMode());
      var decision = stage.failMode() == FailMode.CLOSED ? Decision.BLOCK : Decision.FLAG;
      var code = outcome == StageReport.Outcome.TIMEOUT ? Reason.STAGE_TIMEOUT : Reason.STAGE_ERROR;
      state.add(new Reason(code, decision, 1.0, stage.id(), shadow));
      return;
    }
    var result = lookup.scores();
    for (var entry : result.scores().entrySet()) {
      state.scores.merge(entry.getKey(), entry.getValue(), Math::max);
      var decision = state.profile.decide(entry.getKey(), entry.getValue());
      if (decision != Decision.ALLOW) {
        state.add(new Reason(entry.getKey(), decision, entry.getValue(), stage.id(), shadow));
      }
    }
    for (var span : result.spans()) {
      state.spans.add(normalized.unchanged() ? span : normalized.toOriginal(span));
    }
  }

  private VerdictCache.Lookup scores(Stage stage, String text)
      throws TimeoutException, ExecutionException, InterruptedException {
    if (stage.timeout() == null) {
      return lookup(stage, text);
    }
    var future = CompletableFuture.supplyAsync(() -> lookup(stage, text), executor);
    try {
      return future.get(stage.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      future.cancel(true);
      throw e;
    }
  }

  private VerdictCache.Lookup lookup(Stage stage, String text) {
    if (cache == null) {
      return new VerdictCache.Lookup(stage.evaluate(text), false);
    }
    return cache.get(CacheKey.of(stage.id(), stage.version(), text), () -> stage.evaluate(text));
  }

  private String refusalText() {
    return refusal == null ? "" : refusal;
  }

  /** The running state of one check. */
  private final class State {
    final Profile profile;
    final Map<String, Double> scores = new HashMap<>();
    final List<Span> spans = new ArrayList<>();
    final List<Reason> reasons = new ArrayList<>();
    final List<StageReport> reports = new ArrayList<>();
    Decision enforced = Decision.ALLOW;
    Decision shadowDecision = Decision.ALLOW;

    State(Profile profile) {
      this.profile = profile;
    }

    void add(Reason reason) {
      reasons.add(reason);
      shadowDecision = shadowDecision.max(reason.decision());
      if (!reason.shadow()) {
        enforced = enforced.max(reason.decision());
      }
    }

    Verdict finish(String text, Direction direction, Redaction.Vault vault) {
      spans.sort(Comparator.comparingInt(Span::start).thenComparingInt(Span::end));
      var released = text;
      if (enforced == Decision.REDACT) {
        released = redact(text, vault);
      }
      if (enforced == Decision.BLOCK) {
        released = refusalText();
      }
      return new Verdict(
          enforced, shadowDecision, direction, profile.name(), scores, spans, reasons, reports, released);
    }

    /** Masks the spans of every enforced REDACT category; blocks if one has no span to mask. */
    private String redact(String text, Redaction.Vault vault) {
      var toMask = new ArrayList<Span>();
      var unlocated = new ArrayList<Reason>();
      for (var reason : List.copyOf(reasons)) {
        if (reason.decision() != Decision.REDACT || reason.shadow()) {
          continue;
        }
        boolean found = false;
        for (var span : spans) {
          if (span.category().equals(reason.category())
              && profile.decide(span.category(), span.score()) == Decision.REDACT) {
            toMask.add(span);
            found = true;
          }
        }
        if (!found) {
          unlocated.add(reason);
        }
      }
      for (var reason : unlocated) {
        add(new Reason(Reason.UNLOCATED_REDACTION, Decision.BLOCK, 1.0, reason.stage(), false));
      }
      return enforced == Decision.BLOCK ? refusalText() : redaction.apply(text, toMask, vault);
    }
  }
}
