package dev.parapet.benchmarks;

import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import java.util.List;
import java.util.Map;
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
 * Texts per second through the shipped classifier with concurrent callers, micro-batching on (the
 * default settings, asked for explicitly: the int8 graph does not batch by default) or off. Run
 * with {@code -t 1}, {@code -t 8} and {@code -t 16} for the caller counts.
 *
 * <pre>
 * java -jar filter-benchmarks/target/benchmarks.jar ThroughputBenchmark -t 8
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Dai.djl.offline=true")
public class ThroughputBenchmark {

  @Param({"16", "128"})
  int tokens;

  @Param({"on", "off"})
  String batching;

  /** Concurrent model runs the batcher allows; 0: processors / intra-op threads. */
  @Param({"0"})
  int runs;

  private OnnxTextClassifier guard;
  private List<String> text;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    guard =
        ShippedModels.builder(ShippedModels.GUARD)
            .batching(
                batching.equals("on")
                    ? Batching.defaults().withMaxConcurrentRuns(runs)
                    : Batching.off())
            .maxLength(512)
            .build();
    try (var raw = new RawModel()) {
      text = List.of(Texts.ofTokens(raw.tokenizer, tokens, 42));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    guard.close();
  }

  /** One caller's classification of one text. */
  @Benchmark
  public List<Map<String, Double>> classify() {
    return guard.classify(text);
  }
}
