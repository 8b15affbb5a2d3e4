package dev.parapet;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.parapet.internal.FilterMetrics;
import dev.parapet.internal.VerdictCache;
import dev.parapet.spi.AuditSink;
import dev.parapet.spi.Classifier;
import dev.parapet.spi.Detector;
import dev.parapet.spi.FeedbackSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Checks prompts before a model sees them and completions before the caller sees them.
 *
 * <p>Each side runs its {@link Stage stages} (classifiers and detectors) cheapest first, turns
 * their category scores into a {@link Decision} with the call's {@link Profile}, and acts: ALLOW
 * and FLAG pass the text, REDACT masks the detected spans, BLOCK throws {@link
 * ContentBlockedException} (or returns the configured refusal). Stage scores are cached by text
 * hash and model version, never decisions, so a policy change applies at once.
 *
 * <p>Thread-safe; build one and share it. The policy can be swapped atomically at run time with
 * {@link #updatePolicy} or {@link #reloadPolicy}. The filter owns no native resource: closing the
 * classifiers is their creator's job.
 *
 * <pre>{@code
 * SafetyFilter filter = SafetyFilter.builder()
 *     .inputStage(promptAttack)
 *     .outputStage(contentSafety)
 *     .policy(Policy.of(Profile.builder("balanced").flag("toxicity", 0.5).block("toxicity", 0.85).build()))
 *     .meterRegistry(registry)
 *     .build();
 * String answer = filter.guard(prompt, model::complete);   // ContentBlockedException on BLOCK
 * }</pre>
 *
 * <p>Input limits: {@code null} arguments throw {@link NullPointerException} naming the parameter;
 * an empty text is ALLOW without calling any stage; a text longer than {@link
 * Builder#maxTextLength}, before or after normalisation, is BLOCKed unchecked with reason {@link
 * Reason#TEXT_TOO_LONG}.
 */
public final class SafetyFilter {

  /** The default maximum text length in chars: 1 Mi. */
  public static final int DEFAULT_MAX_TEXT_LENGTH = 1 << 20;

  private final Pipeline pipeline;
  private final AtomicReference<Policy> policy;
  private final Path policyFile;
  private final FilterMetrics metrics;
  private final Executor executor;
  private final FeedbackSink feedbackSink;
  private final String refusal;
  private final Set<String> categories;
  private final VerdictCache cache;
  private final boolean anonymizeInputs;
  private final boolean speculative;
  private final StreamOptions streamOptions;
  private final LongSupplier nanoTime;

  private SafetyFilter(Builder builder, Policy initial, List<Stage> stages) {
    this.policy = new AtomicReference<>(initial);
    this.policyFile = builder.policyFile;
    this.executor = builder.executor != null ? builder.executor : DefaultExecutor.CALLS;
    this.feedbackSink = builder.feedbackSink;
    this.refusal = builder.refusal;
    this.anonymizeInputs = builder.anonymizeInputs;
    this.speculative = builder.speculative;
    this.streamOptions = builder.streamOptions;
    this.nanoTime = builder.nanoTime;
    this.cache =
        builder.cacheSize > 0
            ? new VerdictCache(
                builder.cacheSize, builder.cacheTtl, builder.ticker, builder.registry)
            : null;
    var known = new HashSet<String>();
    stages.forEach(s -> known.addAll(s.categories()));
    known.addAll(
        List.of(
            Reason.STAGE_ERROR,
            Reason.STAGE_TIMEOUT,
            Reason.TEXT_TOO_LONG,
            Reason.TEXT_UNCHECKED,
            Reason.UNLOCATED_REDACTION,
            Normalization.INVISIBLE_TEXT));
    this.categories = Set.copyOf(known);
    var failModes = new java.util.LinkedHashMap<String, FailMode>();
    stages.forEach(s -> failModes.put(s.id(), s.failMode()));
    this.metrics = FilterMetrics.create(builder.registry, failModes, initial.names(), categories);
    this.pipeline =
        new Pipeline(
            new Pipeline.Config(
                stages,
                policy,
                cache,
                metrics,
                builder.executor != null ? builder.executor : DefaultExecutor.STAGES,
                builder.auditSink,
                refusal,
                builder.maxTextLength,
                builder.nanoTime,
                builder.clock,
                builder.normalization,
                builder.redaction));
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Checks a text with the default profile, without calling a model. Never throws on BLOCK. */
  public Verdict check(String text, Direction direction) {
    return check(text, direction, Context.defaults());
  }

  /**
   * Checks a text without calling a model. Never throws on BLOCK: the caller branches on the
   * verdict.
   *
   * @throws IllegalArgumentException if the context names an unknown profile
   */
  public Verdict check(String text, Direction direction, Context context) {
    requireNonNull(text, "text");
    requireNonNull(direction, "direction");
    requireNonNull(context, "context");
    return pipeline.check(text, direction, context);
  }

  /** Checks a text on the filter's executor; the stage completes with the verdict. */
  public CompletionStage<Verdict> checkAsync(String text, Direction direction, Context context) {
    requireNonNull(text, "text");
    requireNonNull(direction, "direction");
    requireNonNull(context, "context");
    return CompletableFuture.supplyAsync(() -> pipeline.check(text, direction, context), executor);
  }

  /**
   * Guards a synchronous model call with the default profile; see {@link #guard(String, Context,
   * Function)}.
   */
  public String guard(String prompt, Function<? super String, String> model) {
    return guard(prompt, Context.defaults(), model);
  }

  /**
   * Checks the prompt, calls the model with the prompt as released (redacted if REDACT), checks the
   * completion, and returns it as released.
   *
   * @return the completion as released, or the refusal text if either side was blocked and a
   *     refusal is configured
   * @throws ContentBlockedException if either side is blocked and no refusal is configured; when
   *     the prompt is blocked the model is not called
   * @throws NullPointerException if an argument, or the model's completion, is null
   */
  public String guard(String prompt, Context context, Function<? super String, String> model) {
    requireNonNull(prompt, "prompt");
    requireNonNull(context, "context");
    requireNonNull(model, "model");
    if (speculative) {
      return guardSpeculatively(prompt, context, model);
    }
    var vault = anonymizeInputs ? new Redaction.Vault() : null;
    var input = pipeline.check(prompt, Direction.INPUT, context, vault);
    if (input.blocked()) {
      return refuse(input);
    }
    var restore = vault == null ? null : vault.snapshot();
    var completion = requireNonNull(model.apply(input.text()), "completion");
    return release(pipeline.check(completion, Direction.OUTPUT, context, vault), restore);
  }

  /** The model runs on the executor while the prompt is checked here; a block cancels it. */
  private String guardSpeculatively(
      String prompt, Context context, Function<? super String, String> model) {
    var call = new FutureTask<String>(() -> model.apply(prompt));
    executor.execute(call);
    Verdict input;
    try {
      input = pipeline.check(prompt, Direction.INPUT, context);
    } catch (RuntimeException | Error e) {
      call.cancel(true);
      throw e;
    }
    String completion;
    if (input.blocked() || !input.text().equals(prompt)) {
      call.cancel(true); // blocked, or the model must see the redacted prompt instead
      if (input.blocked()) {
        return refuse(input);
      }
      completion = model.apply(input.text());
    } else {
      completion = await(call);
    }
    return release(
        pipeline.check(requireNonNull(completion, "completion"), Direction.OUTPUT, context), null);
  }

  private static String await(FutureTask<String> call) {
    try {
      return call.get();
    } catch (ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new CompletionException(cause);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the model");
    }
  }

  /** Guards an asynchronous model call with the default profile. */
  public CompletionStage<String> guardAsync(
      String prompt, Function<? super String, ? extends CompletionStage<String>> model) {
    return guardAsync(prompt, Context.defaults(), model);
  }

  /**
   * Asynchronous {@link #guard(String, Context, Function)}: checks run on the filter's executor.
   * Beyond argument checks it never throws; a block completes the stage exceptionally with {@link
   * ContentBlockedException} (or normally with the refusal, if one is configured).
   */
  public CompletionStage<String> guardAsync(
      String prompt,
      Context context,
      Function<? super String, ? extends CompletionStage<String>> model) {
    requireNonNull(prompt, "prompt");
    requireNonNull(context, "context");
    requireNonNull(model, "model");
    if (speculative) {
      return guardAsyncSpeculatively(prompt, context, model);
    }
    var vault = anonymizeInputs ? new Redaction.Vault() : null;
    return CompletableFuture.supplyAsync(
            () -> pipeline.check(prompt, Direction.INPUT, context, vault), executor)
        .thenCompose(
            input -> {
              if (input.blocked()) {
                return CompletableFuture.supplyAsync(() -> refuse(input), Runnable::run);
              }
              var restore = vault == null ? null : vault.snapshot();
              return requireNonNull(model.apply(input.text()), "model stage")
                  .thenApplyAsync(
                      completion ->
                          release(
                              pipeline.check(
                                  requireNonNull(completion, "completion"),
                                  Direction.OUTPUT,
                                  context,
                                  vault),
                              restore),
                      executor);
            });
  }

  private CompletionStage<String> guardAsyncSpeculatively(
      String prompt,
      Context context,
      Function<? super String, ? extends CompletionStage<String>> model) {
    var call = requireNonNull(model.apply(prompt), "model stage");
    return CompletableFuture.supplyAsync(
            () -> pipeline.check(prompt, Direction.INPUT, context), executor)
        .whenComplete(
            (input, error) -> {
              if (error != null || input.blocked() || !input.text().equals(prompt)) {
                call.toCompletableFuture().cancel(true);
              }
            })
        .thenCompose(
            input -> {
              if (input.blocked()) {
                return CompletableFuture.supplyAsync(() -> refuse(input), Runnable::run);
              }
              var completion =
                  input.text().equals(prompt)
                      ? call
                      : requireNonNull(model.apply(input.text()), "model stage");
              return completion.thenApplyAsync(
                  text ->
                      release(
                          pipeline.check(
                              requireNonNull(text, "completion"), Direction.OUTPUT, context),
                          null),
                  executor);
            });
  }

  /**
   * Opens a guarded stream for one streamed completion, with the filter's {@link StreamOptions}:
   * push chunks into it; {@code events} receives what passed the output stages. See {@link
   * GuardedStream}.
   *
   * @throws IllegalArgumentException if the context names an unknown profile
   */
  public GuardedStream openStream(Context context, Consumer<? super StreamEvent> events) {
    return openStream(context, streamOptions, events);
  }

  /** {@link #openStream(Context, Consumer)} with options for this stream only. */
  public GuardedStream openStream(
      Context context, StreamOptions options, Consumer<? super StreamEvent> events) {
    requireNonNull(context, "context");
    requireNonNull(options, "options");
    requireNonNull(events, "events");
    policy.get().profile(context.profile()); // an unknown profile fails here, not mid-stream
    return new GuardedStream(
        pipeline, context, options, executor, events, nanoTime, metrics, null, null);
  }

  /**
   * Guards a {@link Flow.Publisher} of completion chunks: each subscriber gets its own upstream
   * subscription and receives released text, then {@link StreamEvent.Blocked} or {@link
   * StreamEvent.Completed} followed by {@code onComplete}, or {@code onError} for {@link
   * StreamEvent.Failed}. Cancelling downstream (or a BLOCK) cancels upstream. Upstream is requested
   * without bound (a completion is finite); events wait for downstream demand.
   */
  public Flow.Publisher<StreamEvent> guardPublisher(
      Flow.Publisher<String> chunks, Context context) {
    requireNonNull(chunks, "chunks");
    requireNonNull(context, "context");
    policy.get().profile(context.profile());
    return new StreamPublisher(
        bridge -> bridge.open(events -> openStream(context, events)).subscribeTo(chunks));
  }

  /**
   * Guards a blocking iterator of completion chunks; see {@link GuardedIterator}. Close the result.
   */
  public GuardedIterator guardIterator(java.util.Iterator<String> chunks, Context context) {
    requireNonNull(chunks, "chunks");
    requireNonNull(context, "context");
    policy.get().profile(context.profile());
    return new GuardedIterator(chunks, events -> openStream(context, events));
  }

  /**
   * Guards a streaming model call end to end: checks the prompt, calls the model with the prompt as
   * released, and guards the chunks it streams. A blocked prompt ends the stream with {@link
   * StreamEvent.Blocked} (its verdict's direction is INPUT) without calling the model, unless the
   * filter calls speculatively: then the model is called at once and its chunks are held until the
   * prompt passes; a blocked or redacted prompt cancels that call (a redacted one calls the model
   * again with the redacted prompt). With {@link Builder#anonymizeInputs} the model sees
   * placeholders and released text has them restored.
   */
  public Flow.Publisher<StreamEvent> guardStream(
      String prompt,
      Context context,
      Function<? super String, ? extends Flow.Publisher<String>> model) {
    requireNonNull(prompt, "prompt");
    requireNonNull(context, "context");
    requireNonNull(model, "model");
    policy.get().profile(context.profile());
    return new StreamPublisher(bridge -> startGuardedCall(bridge, prompt, context, model));
  }

  private void startGuardedCall(
      StreamPublisher.Bridge bridge,
      String prompt,
      Context context,
      Function<? super String, ? extends Flow.Publisher<String>> model) {
    var vault = anonymizeInputs ? new Redaction.Vault() : null;
    StreamPublisher.Attempt early = null;
    if (speculative) {
      early = bridge.open(events -> stream(context, events, null));
      early.stream.closeGate();
      subscribe(early, model, prompt);
    }
    var speculativeCall = early;
    CompletableFuture.supplyAsync(
            () -> pipeline.check(prompt, Direction.INPUT, context, vault), executor)
        .whenComplete(
            (input, error) -> {
              if (error != null || input.blocked()) {
                var attempt =
                    speculativeCall != null
                        ? speculativeCall
                        : bridge.open(events -> stream(context, events, null));
                if (error != null) {
                  attempt.stream.fatal(error);
                } else {
                  attempt.stream.block(input);
                }
              } else if (speculativeCall != null && input.text().equals(prompt)) {
                speculativeCall.stream.openGate();
              } else {
                if (speculativeCall != null) {
                  speculativeCall.stream.discard(); // the model must see the redacted prompt
                }
                subscribe(
                    bridge.open(events -> stream(context, events, vault)), model, input.text());
              }
            });
  }

  /** A stream for guardStream; with a vault, output placeholders continue its numbering. */
  private GuardedStream stream(
      Context context, Consumer<? super StreamEvent> events, Redaction.Vault vault) {
    var restore = vault == null ? null : vault.snapshot();
    return new GuardedStream(
        pipeline, context, streamOptions, executor, events, nanoTime, metrics, vault, restore);
  }

  private static void subscribe(
      StreamPublisher.Attempt attempt,
      Function<? super String, ? extends Flow.Publisher<String>> model,
      String prompt) {
    Flow.Publisher<String> upstream;
    try {
      upstream = requireNonNull(model.apply(prompt), "model publisher");
    } catch (RuntimeException e) {
      attempt.stream.fatal(e);
      return;
    }
    attempt.subscribeTo(upstream);
  }

  /**
   * Reports a wrong verdict: counted in {@code parapet.feedback} and passed to the feedback sink.
   *
   * @throws IllegalArgumentException if the category is not one this filter's stages report, which
   *     keeps metric tags bounded
   */
  public void feedback(Feedback feedback) {
    requireNonNull(feedback, "feedback");
    if (!categories.contains(feedback.category())) {
      throw new IllegalArgumentException(
          "unknown category '"
              + feedback.category()
              + "', known: "
              + categories.stream().sorted().toList());
    }
    metrics.feedback(feedback);
    if (feedbackSink != null) {
      feedbackSink.accept(feedback);
    }
  }

  /** Returns the policy in force. */
  public Policy policy() {
    return policy.get();
  }

  /** Replaces the policy atomically: checks that start afterwards use the new one. */
  public void updatePolicy(Policy newPolicy) {
    requireNonNull(newPolicy, "newPolicy");
    metrics.registerProfiles(newPolicy.names());
    policy.set(newPolicy);
  }

  /**
   * Re-reads the policy file given to {@link Builder#policyFile} and swaps it in atomically. An
   * invalid file is rejected whole and the policy in force stays.
   *
   * @return the new policy
   * @throws PolicyException if the file is invalid; the message names the bad entry
   * @throws IllegalStateException if the filter was not built from a policy file
   */
  public Policy reloadPolicy() {
    if (policyFile == null) {
      throw new IllegalStateException("this filter was not built with a policy file");
    }
    var loaded = Policy.fromJson(policyFile);
    metrics.registerProfiles(loaded.names());
    policy.set(loaded);
    return loaded;
  }

  /** Returns the ids of the stages that run on one side, in the order they run. */
  public List<String> stageIds(Direction direction) {
    return pipeline.stages(requireNonNull(direction, "direction")).stream().map(Stage::id).toList();
  }

  /** Returns every category this filter's stages report, plus the reserved reason codes. */
  public Set<String> categories() {
    return categories;
  }

  /** Drops every cached score, for example after replacing a model in place. */
  public void invalidateCache() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  private String release(Verdict verdict, Redaction.Vault restore) {
    if (verdict.blocked()) {
      return refuse(verdict);
    }
    return restore == null ? verdict.text() : restore.restore(verdict.text());
  }

  private String refuse(Verdict verdict) {
    // A blocked verdict's text is its refusal: the blocking category's own (Profile.refusal), else
    // the filter's, else empty; empty with no filter refusal means the caller gets the exception.
    if (refusal != null || !verdict.text().isEmpty()) {
      return verdict.text();
    }
    throw new ContentBlockedException(verdict);
  }

  /** Builds a {@link SafetyFilter}. Not thread-safe; {@link #build()} may be called repeatedly. */
  public static final class Builder {
    private final List<Stage> stages = new ArrayList<>();
    private Policy policy;
    private Path policyFile;
    private long cacheSize = 10_000;
    private Duration cacheTtl = Duration.ofMinutes(10);
    private Ticker ticker = Ticker.systemTicker();
    private MeterRegistry registry;

    /** The default executor's thread count. */
    public static final int DEFAULT_THREADS = 32;

    /** The default executor's queue capacity. */
    public static final int DEFAULT_QUEUE = 10_000;

    private Executor executor;
    private AuditSink auditSink;
    private FeedbackSink feedbackSink;
    private String refusal;
    private int maxTextLength = DEFAULT_MAX_TEXT_LENGTH;
    private LongSupplier nanoTime = System::nanoTime;
    private Clock clock = Clock.systemUTC();
    private Normalization normalization = Normalization.standard();
    private Redaction redaction = Redaction.placeholders();
    private boolean anonymizeInputs;
    private boolean speculative;
    private StreamOptions streamOptions = StreamOptions.defaults();

    private Builder() {}

    /** Adds a configured stage. */
    public Builder stage(Stage stage) {
      stages.add(requireNonNull(stage, "stage"));
      return this;
    }

    /** Adds a classifier on the input side, fail-closed. */
    public Builder inputStage(Classifier classifier) {
      return stage(Stage.of(classifier).directions(Direction.INPUT).build());
    }

    /** Adds a detector on the input side, fail-closed. */
    public Builder inputStage(Detector detector) {
      return stage(Stage.of(detector).directions(Direction.INPUT).build());
    }

    /** Adds a classifier on the output side, fail-closed. */
    public Builder outputStage(Classifier classifier) {
      return stage(Stage.of(classifier).directions(Direction.OUTPUT).build());
    }

    /** Adds a detector on the output side, fail-closed. */
    public Builder outputStage(Detector detector) {
      return stage(Stage.of(detector).directions(Direction.OUTPUT).build());
    }

    /** Sets the policy. Required, unless a policy file is given. */
    public Builder policy(Policy policy) {
      this.policy = requireNonNull(policy, "policy");
      this.policyFile = null;
      return this;
    }

    /**
     * Loads the policy from a JSON file now, and again on {@link SafetyFilter#reloadPolicy()}.
     *
     * @throws PolicyException if the file is invalid
     */
    public Builder policyFile(Path file) {
      this.policy = Policy.fromJson(requireNonNull(file, "file"));
      this.policyFile = file;
      return this;
    }

    /**
     * Bounds the verdict cache; {@code maximumSize} 0 turns it off. Default: 10,000 entries, 10
     * minutes after write.
     */
    public Builder verdictCache(long maximumSize, Duration ttl) {
      if (maximumSize < 0) {
        throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
      }
      requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive, was " + ttl);
      }
      this.cacheSize = maximumSize;
      this.cacheTtl = ttl;
      return this;
    }

    /** Sets the time source of cache expiry (tests pass a fake one). */
    public Builder cacheTicker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Registers metrics on this registry. Without one the filter records none (never the global
     * one).
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Sets the executor for async calls, streams, parallel profiles and stages with a deadline.
     * Default: two pools shared by every filter in the JVM, one for calls ({@code parapet-N}) and
     * one for the stage tasks calls wait on ({@code parapet-stage-N}), each of at most {@value
     * #DEFAULT_THREADS} daemon threads (idle ones end after 60 seconds) and a queue of {@value
     * #DEFAULT_QUEUE} tasks. A full pool rejects work: a stage with a deadline then counts as
     * failed (its fail mode applies), a parallel stage runs on the calling thread, and an async
     * call throws {@link java.util.concurrent.RejectedExecutionException}. An executor set here
     * runs both calls and their stage tasks: if it is bounded, leave room for the stage tasks of
     * every call it runs.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /** Sends one {@link AuditRecord} per check to this sink. */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = requireNonNull(sink, "sink");
      return this;
    }

    /** Sends {@link Feedback} reports to this sink. */
    public Builder feedbackSink(FeedbackSink sink) {
      this.feedbackSink = requireNonNull(sink, "sink");
      return this;
    }

    /** Makes {@code guard} return this text on BLOCK instead of throwing. */
    public Builder refusal(String refusal) {
      this.refusal = requireNonNull(refusal, "refusal");
      return this;
    }

    /**
     * Sets the longest text, in chars, that is checked, as passed and as the stages would see it
     * after normalisation (which may expand it); longer ones are blocked unchecked.
     */
    public Builder maxTextLength(int maxTextLength) {
      if (maxTextLength < 1) {
        throw new IllegalArgumentException("maxTextLength must be >= 1, was " + maxTextLength);
      }
      this.maxTextLength = maxTextLength;
      return this;
    }

    /**
     * Sets what stages see and whether invisible characters are released: {@link
     * Normalization#standard()} (default), {@link Normalization#keepingInvisibleText()} or {@link
     * Normalization#none()}.
     */
    public Builder normalization(Normalization normalization) {
      this.normalization = requireNonNull(normalization, "normalization");
      return this;
    }

    /** Sets how REDACT masks spans; default {@link Redaction#placeholders()}. */
    public Builder redaction(Redaction redaction) {
      this.redaction = requireNonNull(redaction, "redaction");
      return this;
    }

    /**
     * Reversible anonymisation in {@code guard}: the prompt's redacted values become placeholders
     * ({@code [EMAIL_1]}) the model sees, and the completion's placeholders are restored to the
     * values before the caller sees it. The placeholder map lives only for that call and never
     * reaches audit records, logs or metrics. Needs {@link Redaction#placeholders()}.
     */
    public Builder anonymizeInputs(boolean anonymize) {
      this.anonymizeInputs = anonymize;
      return this;
    }

    /**
     * Starts the model call while the prompt is being checked, in {@code guard}, {@code guardAsync}
     * and {@code guardStream}, so a passing prompt adds no check latency. A blocked prompt cancels
     * the call (interrupts it, or cancels its future or subscription) and discards its result; a
     * redacted prompt discards it and calls the model again with the redacted text. The model
     * therefore sees every prompt as given, blocked ones included: use this only where that is
     * acceptable (a model inside your trust boundary). Off by default; cannot be combined with
     * {@link #anonymizeInputs}.
     */
    public Builder speculativeModelCall(boolean speculative) {
      this.speculative = speculative;
      return this;
    }

    /**
     * Sets the windows and hold-back bound of guarded streams; default {@link
     * StreamOptions#defaults()}.
     */
    public Builder streamOptions(StreamOptions options) {
      this.streamOptions = requireNonNull(options, "options");
      return this;
    }

    /** Sets the clock of audit records' timestamps. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the filter.
     *
     * @throws IllegalStateException if no policy was set, or two stages share an id
     */
    public SafetyFilter build() {
      if (policy == null) {
        throw new IllegalStateException(
            "a policy is required: call policy(...) or policyFile(...)");
      }
      if (anonymizeInputs && !redaction.reversible()) {
        throw new IllegalStateException(
            "anonymizeInputs needs Redaction.placeholders(), was " + redaction);
      }
      if (anonymizeInputs && speculative) {
        throw new IllegalStateException(
            "speculativeModelCall would send the model prompts before anonymizeInputs masks them");
      }
      var ids = new HashSet<String>();
      for (var stage : stages) {
        if (!ids.add(stage.id())) {
          throw new IllegalStateException("two stages share the id '" + stage.id() + "'");
        }
      }
      return new SafetyFilter(this, policy, List.copyOf(stages));
    }
  }

  /**
   * The shared default executors, bounded pools of daemon threads created on demand: one for calls
   * (async checks and guards, streams, speculative model calls) and one for the stage tasks those
   * calls wait on, so a call never waits for a task queued behind other waiting calls.
   */
  static final class DefaultExecutor {
    static final ThreadPoolExecutor CALLS = create("parapet-");
    static final ThreadPoolExecutor STAGES = create("parapet-stage-");

    private DefaultExecutor() {}

    private static ThreadPoolExecutor create(String prefix) {
      var count = new java.util.concurrent.atomic.AtomicInteger();
      ThreadFactory threads =
          task -> {
            var thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          };
      var pool =
          new ThreadPoolExecutor(
              Builder.DEFAULT_THREADS,
              Builder.DEFAULT_THREADS,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(Builder.DEFAULT_QUEUE),
              threads);
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }
  }
}
