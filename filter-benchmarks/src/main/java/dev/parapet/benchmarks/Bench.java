package dev.parapet.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bin/parapet bench [--quick] [--json FILE]}: runs the suite and prints (and writes) the
 * summary figures, each computed from this run's JMH results: {@code check_over_raw_64}, {@code
 * cache_hit_us}, {@code batching_speedup_16tok}, {@code batching_speedup_128tok}, {@code
 * djl_over_parapet_1t}, {@code rules_10kb_us}, {@code guard_over_stock_minilm_64} (the shipped
 * graph against the stock int8 MiniLM encoder, both run by hand, 64 tokens; the model issue allows
 * 2.5), and the streaming figures {@code stream_first_release_over_window} and {@code
 * stream_overhead_pct} (see {@link StreamingBenchmark}). {@code --quick}: one short warm-up and two
 * short measurements per benchmark, one fork, 8 callers only; the full run uses the annotations'
 * settings and 1, 8 and 16 callers.
 */
public final class Bench {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Bench() {}

  /** Runs the suite; see the class documentation for the flags. */
  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--json" -> json = Path.of(args[++i]);
        default -> {
          System.err.println("usage: bin/parapet bench [--quick] [--json FILE]");
          System.exit(2);
        }
      }
    }
    var results = new ArrayList<RunResult>();
    results.addAll(run(options(quick).include(OverheadBenchmark.class.getName())));
    results.addAll(run(options(quick).include(RulesBenchmark.class.getName())));
    results.addAll(run(options(quick).include(StreamingBenchmark.class.getName())));
    var threadCounts = quick ? List.of(8) : List.of(1, 8, 16);
    var throughput = new ArrayList<RunResult>();
    for (int threads : threadCounts) {
      for (var result :
          run(options(quick).include(ThroughputBenchmark.class.getName()).threads(threads))) {
        throughput.add(result);
      }
    }
    results.addAll(throughput);

    var summary = MAPPER.createObjectNode();
    summary.put(
        "check_over_raw_64",
        ratio(
            find(results, "OverheadBenchmark.check", "tokens=64"),
            find(results, "OverheadBenchmark.raw", "tokens=64")));
    summary.put("cache_hit_us", find(results, "OverheadBenchmark.cacheHit", "tokens=64"));
    summary.put("batching_speedup_16tok", speedup(throughput, 16));
    summary.put("batching_speedup_128tok", speedup(throughput, 128));
    summary.put(
        "djl_over_parapet_1t",
        ratio(
            find(results, "OverheadBenchmark.djl", "tokens=64"),
            find(results, "OverheadBenchmark.check", "tokens=64")));
    summary.put(
        "guard_over_stock_minilm_64",
        ratio(
            find(results, "OverheadBenchmark.raw", "tokens=64"),
            find(results, "OverheadBenchmark.stockMiniLm", "tokens=64")));
    summary.put(
        "rules_10kb_us", find(results, "RulesBenchmark.allRules", "chars=10240", "phrases=100"));
    summary.put(
        "stream_first_release_over_window",
        ratio(
            find(results, "StreamingBenchmark.firstRelease"),
            find(results, "StreamingBenchmark.windowCheck")));
    summary.put(
        "stream_overhead_pct",
        Math.round(
                (find(results, "StreamingBenchmark.streamAnswer")
                            / find(results, "StreamingBenchmark.checkWindows")
                        - 1)
                    * 1000)
            / 10.0);
    summary.put(
        "rules_10kb_100k_phrases_us",
        find(results, "RulesBenchmark.allRules", "chars=10240", "phrases=100000"));
    var notes = summary.putObject("notes");
    notes.put("mode", quick ? "quick" : "full");
    notes.put("intra_op_threads", 1);
    notes.put("batching_callers", 8);
    notes.put(
        "djl_over_parapet_1t",
        "DJL OnnxRuntime engine + Predictor with a minimal sigmoid translator (DJL's HF translator needs"
            + " NDArray.argSort, unavailable offline on this engine) / SafetyFilter.check, 64 tokens");
    notes.put("cpu", cpu());
    notes.put("available_processors", Runtime.getRuntime().availableProcessors());
    var all = summary.putArray("results");
    for (var result : results) {
      var row = all.addObject();
      var params = result.getParams();
      row.put("benchmark", params.getBenchmark().replace("dev.parapet.benchmarks.", ""));
      var p = row.putObject("params");
      for (var key : params.getParamsKeys()) {
        p.put(key, params.getParam(key));
      }
      row.put("threads", params.getThreads());
      row.put("score", result.getPrimaryResult().getScore());
      row.put("error", result.getPrimaryResult().getScoreError());
      row.put("unit", result.getPrimaryResult().getScoreUnit());
    }
    var text = MAPPER.writeValueAsString(summary);
    System.out.println(text);
    if (json != null) {
      Files.writeString(json, text + "\n");
    }
  }

  private static ChainedOptionsBuilder options(boolean quick) {
    var options =
        new OptionsBuilder()
            .forks(1)
            .jvmArgsAppend("-Dai.djl.offline=true")
            .shouldFailOnError(true);
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(2)
          .measurementTime(TimeValue.seconds(1));
    }
    return options;
  }

  private static Collection<RunResult> run(ChainedOptionsBuilder options) throws Exception {
    return new Runner(options.build()).run();
  }

  /** The score of the one result whose benchmark ends with {@code name} and whose params match. */
  static double find(List<RunResult> results, String name, String... params) {
    for (var result : results) {
      var p = result.getParams();
      if (!p.getBenchmark().endsWith(name)) {
        continue;
      }
      boolean all = true;
      for (var param : params) {
        var kv = param.split("=");
        all &= kv[1].equals(p.getParam(kv[0]));
      }
      if (all) {
        return result.getPrimaryResult().getScore();
      }
    }
    return Double.NaN;
  }

  private static double speedup(List<RunResult> throughput, int tokens) {
    double on = Double.NaN;
    double off = Double.NaN;
    for (var result : throughput) {
      var p = result.getParams();
      if (p.getThreads() != 8 || !Integer.toString(tokens).equals(p.getParam("tokens"))) {
        continue;
      }
      if ("on".equals(p.getParam("batching"))) {
        on = result.getPrimaryResult().getScore();
      } else {
        off = result.getPrimaryResult().getScore();
      }
    }
    return ratio(on, off);
  }

  private static double ratio(double a, double b) {
    return Math.round(a / b * 1000) / 1000.0;
  }

  private static String cpu() {
    try {
      for (var line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      // not Linux: leave it unknown
    }
    return "unknown";
  }
}
