package dev.parapet.benchmarks;

import dev.parapet.Normalization;
import dev.parapet.Span;
import dev.parapet.classifiers.rules.DenyListDetector;
import dev.parapet.classifiers.rules.PiiDetector;
import dev.parapet.classifiers.rules.SecretsDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * All rule stages together on one text: normalisation, PII, secrets and a deny-list of 100 or
 * 100,000 phrases, on 1 KB and 10 KB texts.
 *
 * <pre>
 * java -jar filter-benchmarks/target/benchmarks.jar RulesBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RulesBenchmark {

  @Param({"1024", "10240"})
  int chars;

  @Param({"100", "100000"})
  int phrases;

  private String text;
  private final Normalization normalization = Normalization.standard();
  private final PiiDetector pii = PiiDetector.create();
  private final SecretsDetector secrets = SecretsDetector.create();
  private DenyListDetector deny;

  @Setup
  public void setUp() {
    text = Texts.withPii(chars, 7);
    var list = new ArrayList<String>(phrases);
    for (int i = 0; i < phrases; i++) {
      list.add("forbidden" + Integer.toString(i, 36) + " phrase");
    }
    deny = DenyListDetector.builder("deny", "banned").phrases(list).build();
  }

  /** Every rule stage over the text, as the filter runs them. */
  @Benchmark
  public List<Span> allRules() {
    var normalized = normalization.apply(text).text();
    var spans = new ArrayList<Span>(pii.detect(normalized));
    spans.addAll(secrets.detect(normalized));
    spans.addAll(deny.detect(normalized));
    return spans;
  }
}
