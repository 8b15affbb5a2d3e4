package dev.parapet.benchmarks;

import dev.parapet.Normalization;
import dev.parapet.classifiers.rules.DenyListDetector;
import dev.parapet.classifiers.rules.PiiDetector;
import dev.parapet.classifiers.rules.SecretsDetector;
import dev.parapet.spi.Detector;
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
 * Each rule stage on its own worst case, at 10 KB and 1 MiB: cost per KB must not grow with the
 * text (linear time). The cases are the inputs that once cost quadratic time: repeated private-key
 * headers, lists of addresses, phone numbers, card numbers and digit groups that are not phone
 * numbers, and combining marks of mixed classes, in short clusters and stacked on one character.
 *
 * <pre>
 * java -jar filter-benchmarks/target/benchmarks.jar ScalingBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ScalingBenchmark {

  /** A stage and the text it finds hardest. */
  public enum Case {
    PII_PHONES(PiiDetector.create(), "+1 415 555 2671, "),
    PII_IPV4(PiiDetector.create(), "203.0.113.7 "),
    PII_CARDS(PiiDetector.create(), "4111 1111 1111 1111 "),
    PII_EMAILS(PiiDetector.create(), "bob.smith@example.com "),
    SECRETS_KEY_HEADERS(SecretsDetector.create(), "-----BEGIN PRIVATE KEY-----\n"),
    SECRETS_TOKENS(SecretsDetector.create(), "aB3xYz9Qw8Lm2Np7Rt5Vu8f3KxQ2m "),
    DENY_LIST(
        DenyListDetector.builder("deny", "banned").phrases(List.of("acme corp", "globex")).build(),
        "acme corpo "),
    PII_DIGIT_GROUPS(PiiDetector.create(), "2024-01-15 10:30:00 4111-2024-0001 7946 3012 5837 "),
    NORMALIZATION(null, "a\u0301\u0316\u0301\u0316\u0301\u0316\u0301\u0316"),
    NORMALIZATION_STACKED(null, "\u0301\u0316");

    final Detector detector;
    final String unit;

    Case(Detector detector, String unit) {
      this.detector = detector;
      this.unit = unit;
    }
  }

  @Param Case worst;

  @Param({"10240", "1048576"})
  int chars;

  private String text;
  private final Normalization normalization = Normalization.standard();

  @Setup
  public void setUp() {
    var out = new StringBuilder(chars + worst.unit.length());
    while (out.length() < chars) {
      out.append(worst.unit);
    }
    text = out.substring(0, chars);
  }

  /** The stage over the whole text. */
  @Benchmark
  public Object detect() {
    return worst.detector == null ? normalization.apply(text) : worst.detector.detect(text);
  }
}
