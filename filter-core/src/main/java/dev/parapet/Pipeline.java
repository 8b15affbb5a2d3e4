package dev.parapet;

import dev.parapet.internal.CacheKey;
import dev.parapet.internal.FilterMetrics;
import dev.parapet.internal.VerdictCache;
import dev.parapet.spi.AuditSink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
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
  private final int finalCheckChars;

  /**
   * What a pipeline is built from: the filter's stages and the shared parts of the filter.
   *
   * @param stages every stage, in the order added
   * @param policy the policy in force, swapped atomically on reload
   * @param cache the verdict cache, or {@code null}
   * @param metrics the filter's meters
   * @param executor where parallel stages and stages with a deadline run
   * @param auditSink where each check's record goes, or {@code null}
   * @param refusal the filter's refusal text, or {@code null}
   * @param maxTextLength the longest text a check takes, as passed and as normalised
   * @param nanoTime the clock of deadlines and durations
   * @param clock the clock of audit timestamps
   * @param normalization what stages see
   * @param redaction how REDACT masks
   */
  record Config(
      List<Stage> stages,
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
      Redaction redaction) {}

  Pipeline(Config config) {
    for (var direction : Direction.values()) {
      var side = new ArrayList<Stage>();
      for (var stage : config.stages()) {
        if (stage.directions().contains(direction)) {
          side.add(stage);
        }
      }
      side.sort(Comparator.comparingInt(Stage::cost)); // stable: ties keep the order added
      stages.put(direction, List.copyOf(side));
    }
    this.policy = config.policy();
    this.cache = config.cache();
    this.metrics = config.metrics();
    this.executor = config.executor();
    this.auditSink = config.auditSink();
    this.refusal = config.refusal();
    this.maxTextLength = config.maxTextLength();
    this.nanoTime = config.nanoTime();
    this.clock = config.clock();
    this.normalization = config.normalization();
    this.redaction = config.redaction();
    int budget = maxTextLength / 18;
    for (var stage : stages.get(Direction.OUTPUT)) {
      budget = Math.min(budget, stage.maxChars());
    }
    this.finalCheckChars = budget;
  }

  /**
   * The most chars of released text a stream's final whole-text check takes in front of its last
   * window, so that what it checks fits every output stage's budget and, after normalisation (NFKC
   * expands a char to at most 18), the longest text a check takes.
   */
  int finalCheckChars() {
    return finalCheckChars;
  }

  List<Stage> stages(Direction direction) {
    return stages.get(direction);
  }

  Verdict check(String text, Direction direction, Context context) {
    return check(text, direction, context, null);
  }

  /**
   * Checks a text; with a vault, REDACT uses reversible placeholders recorded in it (a value
   * already in the vault keeps its placeholder).
   */
  Verdict check(String text, Direction direction, Context context, Redaction.Vault vault) {
    return check(text, direction, context, vault, 0);
  }

  /**
   * Checks a text whose first {@code released} chars were already released (the context of a stream
   * window): spans there are not masked, so the verdict's text starts with them unchanged.
   */
  Verdict check(
      String text, Direction direction, Context context, Redaction.Vault vault, int released) {
    long start = nanoTime.getAsLong();
    var profile = policy.get().profile(context.profile());
    var verdict = evaluate(text, direction, profile, vault, released);
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

  private Verdict evaluate(
      String text, Direction direction, Profile profile, Redaction.Vault vault, int released) {
    if (text.isEmpty()) {
      return new Verdict(
          Decision.ALLOW,
          Decision.ALLOW,
          direction,
          profile.name(),
          Map.of(),
          List.of(),
          List.of(),
          List.of(),
          text);
    }
    // The limit applies to the text as passed and as the stages would see it (NFKC expands), and
    // normalisation stops at it, so it bounds the work.
    var normalized =
        text.length() > maxTextLength ? null : normalization.apply(text, maxTextLength);
    if (normalized == null) {
      // Never pass a text unchecked: one too long to check is rejected, shadow mode or not.
      var reason = new Reason(Reason.TEXT_TOO_LONG, Decision.BLOCK, 1.0, null, false);
      return new Verdict(
          Decision.BLOCK,
          Decision.BLOCK,
          direction,
          profile.name(),
          Map.of(),
          List.of(),
          List.of(reason),
          List.of(),
          refusalText());
    }
    var state = new State(profile);
    if (!normalized.invisible().isEmpty()) {
      state.hidden = true;
      state.scores.put(Normalization.INVISIBLE_TEXT, 1.0);
      state.spans.addAll(normalized.invisible());
      var decision = profile.decide(Normalization.INVISIBLE_TEXT, 1.0);
      if (decision != Decision.ALLOW) {
        state.add(new Reason(Normalization.INVISIBLE_TEXT, decision, 1.0, null, profile.shadow()));
      }
    }
    var side = stages.get(direction);
    if (normalized.text().isEmpty()) {
      // nothing left to score once invisible characters are gone
    } else if (profile.parallel() && side.size() > 1 && state.enforced != Decision.BLOCK) {
      runParallel(side, normalized, state);
    } else {
      for (var stage : side) {
        if (state.enforced == Decision.BLOCK) {
          state.reports.add(skipped(stage));
          continue;
        }
        var run = runStage(stage, budgeted(stage, normalized.text()));
        state.reports.add(run.report());
        merge(run, normalized, state);
      }
    }
    return state.finish(text, direction, vault, released);
  }

  /** What one stage returned: a lookup on success, else only the outcome. */
  private record StageRun(Stage stage, StageReport.Outcome outcome, VerdictCache.Lookup lookup) {

    StageReport report() {
      return new StageReport(stage.id(), outcome, lookup != null && lookup.hit(), stage.shadow());
    }

    /** Whether this run alone makes the profile enforce a BLOCK. */
    boolean blocks(Profile profile) {
      if (stage.shadow() || profile.shadow()) {
        return false;
      }
      if (lookup == null) {
        return stage.failMode() == FailMode.CLOSED;
      }
      for (var entry : lookup.scores().scores().entrySet()) {
        if (profile.decide(entry.getKey(), entry.getValue()) == Decision.BLOCK) {
          return true;
        }
      }
      return false;
    }
  }

  private static StageReport skipped(Stage stage) {
    return new StageReport(stage.id(), StageReport.Outcome.SKIPPED, false, stage.shadow());
  }

  /** Runs one stage on the calling thread (or on the executor, if it has a deadline). */
  private StageRun runStage(Stage stage, String text) {
    long start = nanoTime.getAsLong();
    StageReport.Outcome outcome;
    VerdictCache.Lookup lookup = null;
    try {
      lookup = scores(stage, text);
      outcome = StageReport.Outcome.SUCCESS;
    } catch (TimeoutException e) {
      outcome = StageReport.Outcome.TIMEOUT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = StageReport.Outcome.ERROR;
    } catch (Throwable e) { // an Error (say StackOverflowError) or a sneaky checked exception too
      rethrowIfFatal(e);
      outcome = StageReport.Outcome.ERROR;
    }
    metrics.stage(stage.id(), outcome, nanoTime.getAsLong() - start);
    return new StageRun(stage, outcome, lookup);
  }

  /**
   * Runs every stage of a side at once on the executor and merges the results in stage order. The
   * first run that makes the profile block cancels the stages still running (they are reported
   * SKIPPED); a stage past its deadline is cancelled and reported TIMEOUT. A stage the executor
   * rejects runs on the calling thread.
   */
  private void runParallel(List<Stage> side, NormalizedText normalized, State state) {
    int count = side.size();
    var runs = new StageRun[count];
    @SuppressWarnings("unchecked")
    var tasks = (FutureTask<VerdictCache.Lookup>[]) new FutureTask<?>[count];
    var finished = new LinkedBlockingQueue<Integer>();
    var deadlines = new long[count];
    long start = nanoTime.getAsLong();
    String text = normalized.text();
    for (int i = 0; i < count; i++) {
      var stage = side.get(i);
      int index = i;
      deadlines[i] = stage.timeout() == null ? Long.MAX_VALUE : start + stage.timeout().toNanos();
      var stageText = budgeted(stage, text);
      tasks[i] =
          new FutureTask<>(() -> lookup(stage, stageText)) {
            @Override
            protected void done() {
              finished.add(index);
            }
          };
      try {
        executor.execute(tasks[i]);
      } catch (RejectedExecutionException e) {
        tasks[i].run(); // a saturated executor: the waiting caller runs the stage itself
      }
    }
    boolean blocked = false;
    try {
      int open = count;
      while (open > 0 && !blocked) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
          if (runs[i] == null) {
            next = Math.min(next, deadlines[i]);
          }
        }
        Integer index =
            next == Long.MAX_VALUE
                ? finished.take()
                : finished.poll(Math.max(0, next - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
        if (index == null) { // a deadline passed
          long now = nanoTime.getAsLong();
          for (int i = 0; i < count; i++) {
            if (runs[i] == null && deadlines[i] <= now) {
              tasks[i].cancel(true);
              runs[i] = finish(side.get(i), StageReport.Outcome.TIMEOUT, null, start);
              open--;
              blocked |= runs[i].blocks(state.profile);
            }
          }
        } else if (runs[index] == null) {
          runs[index] = collect(side.get(index), tasks[index], start);
          open--;
          blocked |= runs[index].blocks(state.profile);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (int i = 0; i < count; i++) {
        if (runs[i] == null) {
          runs[i] = finish(side.get(i), StageReport.Outcome.ERROR, null, start);
        }
      }
    }
    for (int i = 0; i < count; i++) {
      if (runs[i] == null) {
        tasks[i].cancel(true);
        state.reports.add(skipped(side.get(i)));
      } else {
        state.reports.add(runs[i].report());
        merge(runs[i], normalized, state);
      }
    }
  }

  /** The JVM's own failures (out of memory, internal errors) are not a stage's: they propagate. */
  private static void rethrowIfFatal(Throwable e) {
    if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
      throw fatal;
    }
  }

  private StageRun collect(Stage stage, FutureTask<VerdictCache.Lookup> task, long start) {
    try {
      return finish(stage, StageReport.Outcome.SUCCESS, task.get(), start);
    } catch (ExecutionException | CancellationException e) {
      return finish(stage, StageReport.Outcome.ERROR, null, start);
    } catch (InterruptedException e) {
      throw new AssertionError("a finished task does not block", e);
    }
  }

  private StageRun finish(
      Stage stage, StageReport.Outcome outcome, VerdictCache.Lookup lookup, long start) {
    metrics.stage(stage.id(), outcome, nanoTime.getAsLong() - start);
    return new StageRun(stage, outcome, lookup);
  }

  /** The part of a text within a stage's budget: its first maxChars chars, never half a pair. */
  private static String budgeted(Stage stage, String text) {
    if (text.length() <= stage.maxChars()) {
      return text;
    }
    int end = stage.maxChars();
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  /** Adds one stage's scores, spans and reasons, or its failure, to the check's state. */
  private void merge(StageRun run, NormalizedText normalized, State state) {
    var stage = run.stage();
    boolean shadow = stage.shadow() || state.profile.shadow();
    if (normalized.text().length() > stage.maxChars()) {
      var decision = state.profile.decide(Reason.TEXT_UNCHECKED, 1.0).max(Decision.FLAG);
      state.add(new Reason(Reason.TEXT_UNCHECKED, decision, 1.0, stage.id(), shadow));
    }
    if (run.lookup() == null) {
      metrics.failure(stage.id(), run.outcome(), stage.failMode());
      var decision = stage.failMode() == FailMode.CLOSED ? Decision.BLOCK : Decision.FLAG;
      var code =
          run.outcome() == StageReport.Outcome.TIMEOUT ? Reason.STAGE_TIMEOUT : Reason.STAGE_ERROR;
      state.add(new Reason(code, decision, 1.0, stage.id(), shadow));
      return;
    }
    var result = run.lookup().scores();
    for (var entry : result.scores().entrySet()) {
      state.scores.merge(entry.getKey(), entry.getValue(), Math::max);
      var decision = state.profile.decide(entry.getKey(), entry.getValue());
      if (decision != Decision.ALLOW) {
        state.add(new Reason(entry.getKey(), decision, entry.getValue(), stage.id(), shadow));
      }
    }
    for (var span : result.spans()) {
      state.spans.add(normalized.starts() == null ? span : normalized.toOriginal(span));
    }
  }

  private VerdictCache.Lookup scores(Stage stage, String text)
      throws TimeoutException, ExecutionException, InterruptedException {
    if (stage.timeout() == null) {
      return lookup(stage, text);
    }
    // A FutureTask, not a CompletableFuture: cancelling it interrupts the late stage's thread.
    var task = new FutureTask<>(() -> lookup(stage, text));
    executor.execute(
        task); // a saturated executor rejects it: a stage failure, its fail mode applies
    try {
      return task.get(stage.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      task.cancel(true);
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

  /** The refusal of the highest-scoring enforced BLOCK category that has one, else the filter's. */
  private String refusalFor(Profile profile, List<Reason> reasons) {
    Reason best = null;
    for (var reason : reasons) {
      if (reason.decision() == Decision.BLOCK
          && !reason.shadow()
          && profile.refusals().containsKey(reason.category())
          && (best == null || reason.score() > best.score())) {
        best = reason;
      }
    }
    return best == null ? refusalText() : profile.refusals().get(best.category());
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
    boolean hidden; // whether the text holds invisible characters

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

    Verdict finish(String text, Direction direction, Redaction.Vault vault, int releasedPrefix) {
      spans.sort(Comparator.comparingInt(Span::start).thenComparingInt(Span::end));
      var released = text;
      if (enforced == Decision.REDACT) {
        released = redact(text, vault, releasedPrefix);
      }
      if (enforced == Decision.BLOCK) {
        released = refusalFor(profile, reasons);
      } else if (hidden && normalization.removesInvisibleText()) {
        released = Normalization.removeInvisible(released, releasedPrefix);
      }
      return new Verdict(
          enforced,
          shadowDecision,
          direction,
          profile.name(),
          scores,
          spans,
          reasons,
          reports,
          released);
    }

    /** Masks the spans of every enforced REDACT category; blocks if one has no span to mask. */
    private String redact(String text, Redaction.Vault vault, int releasedPrefix) {
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
            found = true;
            if (span.end() > releasedPrefix) { // what was released already cannot be masked
              toMask.add(
                  span.start() >= releasedPrefix
                      ? span
                      : new Span(
                          releasedPrefix, span.end(), span.category(), span.type(), span.score()));
            }
          }
        }
        if (!found) {
          unlocated.add(reason);
        }
      }
      for (var reason : unlocated) {
        add(new Reason(Reason.UNLOCATED_REDACTION, Decision.BLOCK, 1.0, reason.stage(), false));
      }
      return enforced == Decision.BLOCK
          ? refusalFor(profile, reasons)
          : redaction.apply(text, toMask, vault);
    }
  }
}
