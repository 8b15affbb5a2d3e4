package dev.parapet.benchmarks;

import dev.parapet.Context;
import dev.parapet.Direction;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.StreamEvent;
import dev.parapet.StreamOptions;
import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What guarding a stream adds, each figure paired with its baseline in the same run. An answer of 8
 * sentences of 20 tokens, pushed word by word as fast as possible (so every delay is the guard's),
 * through the shipped guard model with the cache off and one intra-op thread:
 *
 * <ul>
 *   <li>{@code firstRelease}: open a stream, push the first sentence and one more word, wait for
 *       the first released text; baseline {@code windowCheck}, a plain {@code check} of that
 *       sentence (one window's classification). Target: the added time to first release is at most
 *       one window's classification time, i.e. {@code firstRelease / windowCheck} close to 1.
 *   <li>{@code streamAnswer}: push the whole answer and wait for completion (final whole-text check
 *       off); baseline {@code checkWindows}, plain checks of the same eight windows in turn.
 *       Target: {@code (streamAnswer - checkWindows) / checkWindows} under 5%: the streaming
 *       overhead per token against the classifier time of its window.
 * </ul>
 *
 * <pre>
 * ORT_DISABLE_TELEMETRY=1 java -jar filter-benchmarks/target/benchmarks.jar StreamingBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dai.djl.offline=true")
public class StreamingBenchmark {

  static final int SENTENCES = 8;
  static final int SENTENCE_TOKENS = 20;

  private RawModel raw;
  private OnnxTextClassifier guard;
  private SafetyFilter filter;
  private StreamOptions options;
  private List<String> windows;
  private List<String> words;
  private int firstWindowWords;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    raw = new RawModel();
    guard = ShippedModels.builder(ShippedModels.GUARD).batching(Batching.off()).build();
    filter =
        SafetyFilter.builder()
            .stage(Stage.of(guard).build())
            .policy(ShippedModels.recommendedPolicy())
            .verdictCache(0, Duration.ofMinutes(1))
            .build();
    options = StreamOptions.defaults().withFinalCheck(false).withMaxDelay(Duration.ofSeconds(10));
    windows = new ArrayList<>();
    words = new ArrayList<>();
    for (int i = 0; i < SENTENCES; i++) {
      // SENTENCE_TOKENS tokens with [CLS], [SEP] and the period.
      var sentence = Texts.ofTokens(raw.tokenizer, SENTENCE_TOKENS - 1, 100 + i) + ". ";
      windows.add(sentence);
      for (var word : sentence.split("(?<= )")) {
        words.add(word);
      }
      if (i == 0) {
        firstWindowWords = words.size();
      }
    }
    var check = streamAnswer(); // also warms the path
    if (!check.equals(String.join("", windows))) {
      throw new IllegalStateException(
          "the guarded stream did not release the benchmark answer whole");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    guard.close();
    raw.close();
  }

  /** Baseline: one window's classification, a plain check of the first sentence. */
  @Benchmark
  public Object windowCheck() {
    return filter.check(windows.get(0), Direction.OUTPUT);
  }

  /**
   * Time to the first released text: the first sentence and one more word pushed at once. The
   * benchmark thread spins until the event arrives rather than parking, so the figure holds the
   * guard's work and not the wake-up of this measuring thread.
   */
  @Benchmark
  public String firstRelease() {
    var first = new AtomicReference<Object>();
    var stream =
        filter.openStream(
            Context.defaults(),
            options,
            event ->
                first.compareAndSet(
                    null, event instanceof StreamEvent.Released r ? r.text() : event));
    for (int i = 0; i <= firstWindowWords; i++) {
      stream.accept(words.get(i));
    }
    var result = await(first);
    stream.cancel();
    if (!(result instanceof String text)) {
      throw new IllegalStateException("ended before a release: " + result);
    }
    return text;
  }

  /** Spins until a value arrives (at most 30 s). */
  private static Object await(AtomicReference<Object> slot) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Object value;
    while ((value = slot.get()) == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no event within 30 s");
      }
      Thread.onSpinWait();
    }
    return value;
  }

  /** Baseline: the same windows the stream checks, checked in turn. */
  @Benchmark
  public int checkWindows() {
    int blocked = 0;
    for (var window : windows) {
      blocked += filter.check(window, Direction.OUTPUT).blocked() ? 1 : 0;
    }
    return blocked;
  }

  /** The whole answer through a guarded stream, pushed at once; returns what was released. */
  @Benchmark
  public String streamAnswer() {
    var released = new StringBuilder();
    var done = new AtomicReference<Object>();
    var stream =
        filter.openStream(
            Context.defaults(),
            options,
            event -> {
              if (event instanceof StreamEvent.Released r) {
                released.append(r.text());
              } else {
                done.set(event);
              }
            });
    for (var word : words) {
      stream.accept(word);
    }
    stream.complete();
    var end = await(done);
    if (!(end instanceof StreamEvent.Completed)) {
      throw new IllegalStateException("benchmark answer not completed: " + end);
    }
    return released
        .toString(); // events arrive in order on one thread at a time; done.set publishes
  }
}
