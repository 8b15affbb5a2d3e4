package dev.parapet.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.Context;
import dev.parapet.Direction;
import dev.parapet.Policy;
import dev.parapet.Profile;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.Thresholds;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code bin/parapet eval --model ID|DIR --data in.jsonl [--profile NAME] [--scores out.jsonl]
 * [--report report.html]}: measures a model on labelled data.
 *
 * <p>Input lines: {@code {"id": "...", "text": "...", "labels": ["hate", ...]}} ({@code labels}:
 * the positive categories, empty for safe). Prints per category: precision, recall, F1 and
 * false-positive rate at the profile's threshold (its BLOCK threshold, else its FLAG threshold),
 * AUPRC, ROC-AUC and support; then latency percentiles of one check.
 */
final class EvalCommand {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EvalCommand() {}

  /** One labelled input. */
  record Example(String id, String text, Set<String> labels) {}

  /** One category's results. */
  record CategoryResult(
      String category,
      double threshold,
      int support,
      int negatives,
      double precision,
      double recall,
      double f1,
      double fpr,
      double auprc,
      double rocAuc,
      List<Curves.Point> curve) {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    var options =
        Args.parse(
            args,
            Set.of("--model", "--data", "--profile", "--scores", "--report", "--policy"),
            Set.of());
    var model = options.get("--model");
    var data = options.get("--data");
    if (model == null || data == null) {
      throw new UsageException("eval needs --model and --data");
    }
    var examples = read(Path.of(data));
    try (var classifier = load(model)) {
      var policy =
          options.has("--policy")
              ? Policy.fromJson(Path.of(options.get("--policy")))
              : ShippedModels.IDS.contains(model) ? ShippedModels.recommendedPolicy() : null;
      var profile = profile(policy, options.get("--profile"), classifier);
      var filter =
          SafetyFilter.builder()
              .policy(Policy.of(profile))
              .stage(Stage.of(classifier).build())
              .verdictCache(0, Duration.ofMinutes(1))
              .build();
      var categories = new ArrayList<>(new java.util.TreeSet<>(classifier.categories()));
      var scores = new double[categories.size()][examples.size()];
      var nanos = new long[examples.size()];
      var decisions =
          new java.util.EnumMap<dev.parapet.Decision, Integer>(dev.parapet.Decision.class);
      var progress = new Progress(examples.size(), err);
      try (var scoreOut =
          options.has("--scores")
              ? Files.newBufferedWriter(Path.of(options.get("--scores")))
              : null) {
        for (int i = 0; i < examples.size(); i++) {
          var example = examples.get(i);
          long start = System.nanoTime();
          var verdict = filter.check(example.text(), Direction.OUTPUT, Context.defaults());
          nanos[i] = System.nanoTime() - start;
          decisions.merge(verdict.decision(), 1, Integer::sum);
          for (int c = 0; c < categories.size(); c++) {
            scores[c][i] = verdict.score(categories.get(c));
          }
          if (scoreOut != null) {
            writeScores(scoreOut, example, verdict);
          }
          progress.step(i + 1);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + options.get("--scores"), e);
      }
      var results = new ArrayList<CategoryResult>();
      for (int c = 0; c < categories.size(); c++) {
        var category = categories.get(c);
        var positive = new boolean[examples.size()];
        for (int i = 0; i < positive.length; i++) {
          positive[i] = examples.get(i).labels().contains(category);
        }
        results.add(evaluate(category, threshold(profile, category), scores[c], positive));
      }
      Arrays.sort(nanos);
      double p50 = nanos[(int) (0.50 * (nanos.length - 1))] / 1e6;
      double p99 = nanos[(int) (0.99 * (nanos.length - 1))] / 1e6;
      print(out, model, data, profile.name(), examples.size(), results, p50, p99);
      var counts = new StringBuilder("decisions:");
      for (var decision : dev.parapet.Decision.values()) {
        counts.append(' ').append(decision).append(' ').append(decisions.getOrDefault(decision, 0));
      }
      out.println(counts);
      if (options.has("--report")) {
        HtmlReport.write(
            Path.of(options.get("--report")),
            model,
            data,
            profile.name(),
            examples.size(),
            results,
            p50,
            p99);
        out.println("report: " + options.get("--report"));
      }
    }
    return 0;
  }

  private static OnnxTextClassifier load(String model) {
    if (ShippedModels.IDS.contains(model)) {
      return ShippedModels.load(model);
    }
    var directory = Path.of(model);
    if (!Files.isDirectory(directory)) {
      throw new UsageException(
          "--model must be one of "
              + ShippedModels.IDS
              + " or a model directory, was '"
              + model
              + "'");
    }
    return OnnxTextClassifier.load(directory);
  }

  /**
   * The named profile, or the policy's default; without a policy, flag at 0.5 for every category.
   */
  private static Profile profile(Policy policy, String name, OnnxTextClassifier classifier) {
    if (policy == null) {
      if (name != null) {
        throw new UsageException("--profile needs a shipped model or --policy");
      }
      return Profile.builder("default").flag(Profile.ANY_CATEGORY, 0.5).build();
    }
    if (name != null && !policy.names().contains(name)) {
      throw new UsageException("unknown profile '" + name + "', known: " + policy.names());
    }
    return policy.profile(name);
  }

  static double threshold(Profile profile, String category) {
    var t =
        profile
            .thresholds()
            .getOrDefault(
                category, profile.thresholds().getOrDefault(Profile.ANY_CATEGORY, Thresholds.NONE));
    if (!Double.isNaN(t.block())) {
      return t.block();
    }
    if (!Double.isNaN(t.redact())) {
      return t.redact();
    }
    return Double.isNaN(t.flag()) ? 1.0 : t.flag();
  }

  static CategoryResult evaluate(
      String category, double threshold, double[] scores, boolean[] positive) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    int tn = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean predicted = scores[i] >= threshold;
      if (predicted && positive[i]) {
        tp++;
      } else if (predicted) {
        fp++;
      } else if (positive[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    double precision = tp + fp == 0 ? Double.NaN : tp / (double) (tp + fp);
    double recall = tp + fn == 0 ? Double.NaN : tp / (double) (tp + fn);
    double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : Double.NaN;
    double fpr = fp + tn == 0 ? Double.NaN : fp / (double) (fp + tn);
    return new CategoryResult(
        category,
        threshold,
        tp + fn,
        fp + tn,
        precision,
        recall,
        f1,
        fpr,
        Curves.averagePrecision(scores, positive),
        Curves.rocAuc(scores, positive),
        Curves.precisionRecall(scores, positive));
  }

  private static void print(
      PrintStream out,
      String model,
      String data,
      String profile,
      int n,
      List<CategoryResult> results,
      double p50,
      double p99) {
    out.printf(Locale.ROOT, "model %s, data %s (%d texts), profile %s%n", model, data, n, profile);
    out.printf(
        Locale.ROOT,
        "%-18s %9s %9s %9s %9s %9s %9s %9s %8s %9s%n",
        "category",
        "threshold",
        "precision",
        "recall",
        "f1",
        "fpr",
        "auprc",
        "roc_auc",
        "support",
        "negatives");
    for (var r : results) {
      out.printf(
          Locale.ROOT,
          "%-18s %9.3f %9s %9s %9s %9s %9s %9s %8d %9d%n",
          r.category(),
          r.threshold(),
          f(r.precision()),
          f(r.recall()),
          f(r.f1()),
          f(r.fpr()),
          f(r.auprc()),
          f(r.rocAuc()),
          r.support(),
          r.negatives());
    }
    out.printf(Locale.ROOT, "latency per check: p50 %.2f ms, p99 %.2f ms%n", p50, p99);
  }

  static String f(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }

  private static void writeScores(BufferedWriter out, Example example, dev.parapet.Verdict verdict)
      throws IOException {
    var node = MAPPER.createObjectNode();
    node.put("id", example.id());
    var scores = node.putObject("scores");
    new TreeMap<>(verdict.scores()).forEach(scores::put);
    node.put("decision", verdict.decision().name());
    out.write(node.toString());
    out.newLine();
  }

  static List<Example> read(Path file) {
    var examples = new ArrayList<Example>();
    try (var lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = lines.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = MAPPER.readTree(line);
        } catch (IOException e) {
          throw new UsageException(file + ":" + number + ": not valid JSON");
        }
        var text = node.get("text");
        if (text == null || !text.isTextual()) {
          throw new UsageException(file + ":" + number + ": needs a string \"text\"");
        }
        var labels = new java.util.HashSet<String>();
        var labelNode = node.path("labels");
        if (!labelNode.isMissingNode() && !labelNode.isArray()) {
          throw new UsageException(file + ":" + number + ": \"labels\" must be an array");
        }
        labelNode.forEach(l -> labels.add(l.asText()));
        var id = node.hasNonNull("id") ? node.get("id").asText() : Integer.toString(number);
        examples.add(new Example(id, text.textValue(), Set.copyOf(labels)));
      }
    } catch (IOException e) {
      throw new UsageException("cannot read " + file + ": " + e.getMessage());
    }
    if (examples.isEmpty()) {
      throw new UsageException(file + " holds no examples");
    }
    return examples;
  }

  /** A progress bar on stderr for runs of more than 200 texts. */
  private static final class Progress {
    private final int total;
    private final PrintStream err;
    private int shown = -1;

    Progress(int total, PrintStream err) {
      this.total = total;
      this.err = err;
    }

    void step(int done) {
      if (total <= 200) {
        return;
      }
      int percent = (int) (100L * done / total);
      if (percent != shown) {
        shown = percent;
        int bar = percent / 5;
        err.print(
            "\r["
                + "#".repeat(bar)
                + " ".repeat(20 - bar)
                + "] "
                + percent
                + "% "
                + done
                + "/"
                + total);
        if (done == total) {
          err.println();
        }
        err.flush();
      }
    }
  }
}
