package dev.parapet.benchmarks;

import dev.parapet.Direction;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.Verdict;
import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The filter's cost against the bare model: {@code raw} (hand-written DJL tokenize + {@code
 * OrtSession.run} of the shipped graph), {@code check} (the same text through {@code
 * SafetyFilter.check} with the cache off), {@code cacheHit} (a repeated text, cache on), the peer
 * {@code djl} (DJL's ONNX Runtime engine, see {@link DjlPeer}), and {@code stockMiniLm} (the stock
 * int8 all-MiniLM-L6-v2 encoder run like {@code raw}: the yardstick of the shipped model's latency
 * budget). One intra-op thread everywhere.
 *
 * <pre>
 * ORT_DISABLE_TELEMETRY=1 java -jar filter-benchmarks/target/benchmarks.jar OverheadBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dai.djl.offline=true")
public class OverheadBenchmark {

  @Param({"16", "64", "256"})
  int tokens;

  private RawModel raw;
  private RawModel stockMiniLm;
  private DjlPeer djl;
  private OnnxTextClassifier guard;
  private SafetyFilter uncached;
  private SafetyFilter cached;
  private String text;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    djl = new DjlPeer(); // first: DJL's engine insists on creating the ONNX Runtime environment
    // itself
    raw = new RawModel();
    stockMiniLm = RawModel.stockMiniLm();
    guard =
        ShippedModels.builder(ShippedModels.GUARD).batching(Batching.off()).maxLength(512).build();
    var policy = ShippedModels.recommendedPolicy();
    uncached =
        SafetyFilter.builder()
            .stage(Stage.of(guard).build())
            .policy(policy)
            .verdictCache(0, Duration.ofMinutes(1))
            .build();
    cached = SafetyFilter.builder().stage(Stage.of(guard).build()).policy(policy).build();
    text = Texts.ofTokens(raw.tokenizer, tokens, 42);
    cached.check(text, Direction.OUTPUT);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    guard.close();
    djl.close();
    raw.close();
    stockMiniLm.close();
  }

  /** Baseline: no Parapet code. */
  @Benchmark
  public float[] raw() throws Exception {
    return raw.score(text);
  }

  /** The yardstick: the stock int8 MiniLM encoder on the same text, run like {@link #raw}. */
  @Benchmark
  public float[] stockMiniLm() throws Exception {
    return stockMiniLm.encode(text);
  }

  /** The peer: the same text and graph through DJL's ONNX Runtime engine and a Predictor. */
  @Benchmark
  public float[] djl() throws Exception {
    return djl.score(text);
  }

  /** The same text and graph through the filter, cache off. */
  @Benchmark
  public Verdict check() {
    return uncached.check(text, Direction.OUTPUT);
  }

  /** A text whose scores are cached. */
  @Benchmark
  public Verdict cacheHit() {
    return cached.check(text, Direction.OUTPUT);
  }
}
