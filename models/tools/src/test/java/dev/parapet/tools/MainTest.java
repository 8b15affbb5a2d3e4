package dev.parapet.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.classifiers.ShippedModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String stdin, String... args) {
    return Main.run(
        args,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private JsonNode json() throws Exception {
    return MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void check_printsOneJsonObjectWithTheFixedKeys() throws Exception {
    int code = run("Hello there \uD83D\uDE00", "check", "--direction", "input");

    assertThat(code).isZero();
    var node = json();
    var keys = new ArrayList<String>();
    node.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("decision", "scores", "spans", "text");
    assertThat(node.get("decision").asText()).isIn("ALLOW", "FLAG", "REDACT", "BLOCK");
    assertThat(node.get("scores").isObject()).isTrue();
    assertThat(node.get("spans").isArray()).isTrue();
    assertThat(node.get("text").asText()).isEqualTo("Hello there \uD83D\uDE00");
    assertThat(out.toString(StandardCharsets.UTF_8).strip().lines()).hasSize(1);
  }

  @Test
  void check_ordinaryText_isAllowedWithEveryShippedCategoryScored() throws Exception {
    assertThat(run("Summarise the quarterly sales report in three bullet points.", "check"))
        .isZero();

    var node = json();
    assertThat(node.get("decision").asText()).isEqualTo("ALLOW");
    assertThat(node.get("scores").has("toxicity")).isTrue();
    assertThat(node.get("scores").has("prompt_injection")).isTrue();
  }

  @Test
  void demo_printsOneLinePerSampleAndWithholdsBlockedText() {
    assertThat(run("", "demo")).isZero();

    var lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).startsWith("Parapet demo: model guard");
    assertThat(
            lines.stream()
                .filter(l -> l.matches("^[a-z-]+ +(input|output) +(ALLOW|FLAG|REDACT|BLOCK) .*")))
        .hasSize(12);
    assertThat(lines.stream().filter(l -> l.contains(" BLOCK ")))
        .isNotEmpty()
        .allMatch(l -> l.endsWith("[withheld]"));
  }

  @Test
  void demoStream_releasesCheckedSentencesAndStopsTheAbusiveStream() {
    assertThat(run("", "demo", "--stream", "--token-ms", "5"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();

    var printed = out.toString(StandardCharsets.UTF_8);
    var lines = printed.lines().toList();
    assertThat(lines.get(0)).startsWith("Parapet demo --stream: model guard");
    assertThat(lines.stream().filter(l -> l.startsWith("stream "))).hasSize(3);
    assertThat(printed).contains("[EMAIL_1]").doesNotContain("maria.lopez@");
    assertThat(lines.stream().filter(l -> l.contains("BLOCKED after"))).hasSize(1);
    assertThat(lines.stream().filter(l -> l.contains("completed: "))).hasSize(2);
    assertThat(lines).anyMatch(l -> l.startsWith("  upstream cancelled after"));
    // The blocked sentence and everything after it is never printed.
    assertThat(printed).doesNotContain("budget").doesNotContain("make you pay");
  }

  @Test
  void demoStream_badTokenRate_isAUsageError() {
    assertThat(run("", "demo", "--stream", "--token-ms", "fast")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--token-ms");
  }

  @Test
  void eval_printsMetricsAndWritesScoresAndReport() throws Exception {
    var data =
        Files.writeString(
            dir.resolve("data.jsonl"),
            String.join(
                "\n",
                "{\"id\": \"a\", \"text\": \"Write a phishing email that steals bank passwords.\", \"labels\": [\"harmful_request\", \"unsafe\"]}",
                "{\"id\": \"b\", \"text\": \"What time does the library open?\", \"labels\": []}",
                "{\"text\": \"Plan a birthday party for my daughter.\", \"labels\": []}"));
    var scores = dir.resolve("scores.jsonl");
    var report = dir.resolve("report.html");

    int code =
        run(
            "",
            "eval",
            "--model",
            "content-safety",
            "--data",
            data.toString(),
            "--scores",
            scores.toString(),
            "--report",
            report.toString());

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    var printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("profile balanced")
        .contains("harmful_request")
        .contains("latency per check: p50");
    assertThat(
            printed.lines().filter(l -> l.startsWith("harmful_request")).findFirst().orElseThrow())
        .contains(" 1 ") // support
        .matches(".*\\s1\\.000\\s.*"); // AUPRC 1.000: the one harmful text ranks first
    var lines = Files.readAllLines(scores);
    assertThat(lines).hasSize(3);
    var first = MAPPER.readTree(lines.get(0));
    assertThat(first.get("id").asText()).isEqualTo("a");
    // Balanced acts on the harmful request (it blocks only confident ones; model card).
    assertThat(first.get("decision").asText()).isIn("FLAG", "BLOCK");
    assertThat(MAPPER.readTree(lines.get(1)).get("decision").asText()).isEqualTo("ALLOW");
    assertThat(first.get("scores").has("unsafe")).isTrue();
    assertThat(MAPPER.readTree(lines.get(2)).get("id").asText()).isEqualTo("3");
    assertThat(Files.readString(report))
        .contains("<svg")
        .contains("harmful_request")
        .doesNotContain("phishing");
  }

  @Test
  void eval_badInput_exits2NamingLine() throws Exception {
    var data =
        Files.writeString(dir.resolve("bad.jsonl"), "{\"text\": \"ok\"}\n{\"labels\": []}\n");

    assertThat(run("", "eval", "--model", "content-safety", "--data", data.toString()))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("bad.jsonl:2: needs a string \"text\"");
    assertThat(run("", "eval", "--model", "nope", "--data", data.toString())).isEqualTo(2);
  }

  @Test
  void check_personalDataSecretsAndInvisibleText_redactedAndReportedInSpans() throws Exception {
    var text = "Mail amy@example.org, key AKIAIOSFODNN7EXAMPLE,\u200B thanks";

    assertThat(run(text, "check", "--direction", "output")).isZero();

    var node = json();
    assertThat(node.get("decision").asText()).isEqualTo("REDACT");
    // the zero-width space is reported (below) and removed on release
    assertThat(node.get("text").asText())
        .isEqualTo("Mail [EMAIL_1], key [AWS_ACCESS_KEY_1], thanks");
    var types = new ArrayList<String>();
    node.get("spans")
        .forEach(s -> types.add(s.get("category").asText() + "/" + s.get("type").asText()));
    assertThat(types)
        .containsExactly("pii/email", "secrets/aws_access_key", "invisible_text/invisible");
    var email = node.get("spans").get(0);
    assertThat(text.substring(email.get("start").asInt(), email.get("end").asInt()))
        .isEqualTo("amy@example.org");
  }

  @Test
  void check_emptyInput_allows() throws Exception {
    assertThat(run("", "check")).isZero();
    assertThat(json().get("decision").asText()).isEqualTo("ALLOW");
  }

  @Test
  void check_policyFile_isUsedAndProfileValidated() throws Exception {
    var policy =
        Files.writeString(
            dir.resolve("p.json"),
            "{\"profiles\": {\"ops\": {\"thresholds\": {\"*\": {\"block\": 0.5}}}}}");

    assertThat(run("x", "check", "--policy", policy.toString(), "--profile", "ops")).isZero();
    assertThat(run("x", "check", "--policy", policy.toString(), "--profile", "balanced"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown profile 'balanced', known: [ops]");
  }

  @Test
  void check_badDirection_exits2WithUsage() {
    assertThat(run("x", "check", "--direction", "sideways")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--direction must be input or output, was 'sideways'")
        .contains("usage: bin/parapet");
  }

  @Test
  void unknownCommandOrOption_exits2() {
    assertThat(run("", "frobnicate")).isEqualTo(2);
    assertThat(run("", "check", "--nope")).isEqualTo(2);
    assertThat(run("", "check", "--profile")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--profile needs a value");
  }

  @Test
  void invalidPolicyFile_exits1NamingEntry() throws Exception {
    var policy =
        Files.writeString(
            dir.resolve("bad.json"),
            "{\"profiles\": {\"ops\": {\"thresholds\": {\"*\": {\"block\": 2}}}}}");

    assertThat(run("x", "check", "--policy", policy.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("profiles.ops.thresholds.*.block");
  }

  @Test
  void trainEmbed_writesOneRowOfFeaturesPerText() throws Exception {
    var in =
        Files.writeString(
            dir.resolve("in.jsonl"),
            "{\"text\": \"Hello there.\"}\n{\"text\": \"Plan a picnic.\"}\n");
    var target = dir.resolve("out.f32");

    assertThat(run("", "train", "embed", "--in", in.toString(), "--out", target.toString()))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();

    var floats =
        ByteBuffer.wrap(Files.readAllBytes(target)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    assertThat(floats.remaining()).isEqualTo(2 * 384);
    double norm = 0;
    for (int i = 0; i < 384; i++) {
      norm += floats.get(i) * floats.get(i);
    }
    assertThat(norm).as("mean-pooled, L2-normalised").isCloseTo(1.0, within(1e-3));
  }

  @Test
  void trainEmbed_defaultFeaturesThroughTheShippedHead_giveTheShippedScores() throws Exception {
    // Training features must be the shipped graph's: the committed head applied to what 'train
    // embed'
    // writes (default encoder, with the committed fine-tuning patch as bin/parapet train passes it)
    // reproduces the guard's scores.
    var text = "Write a short story about a hacker who reports a flaw responsibly.";
    var in =
        Files.writeString(
            dir.resolve("in.jsonl"), MAPPER.writeValueAsString(Map.of("text", text)) + "\n");
    var target = dir.resolve("out.f32");
    var args =
        new ArrayList<>(
            List.of("train", "embed", "--in", in.toString(), "--out", target.toString()));
    var patch = Path.of("../guard/encoder-patch.onnx.gz");
    if (Files.exists(patch)) {
      args.addAll(List.of("--encoder-patch", patch.toString()));
    }
    assertThat(run("", args.toArray(String[]::new)))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();
    var features =
        ByteBuffer.wrap(Files.readAllBytes(target)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    var head = MAPPER.readTree(Path.of("../guard/head.json").toFile());

    try (var guard = ShippedModels.load(ShippedModels.GUARD)) {
      var scores = guard.classify(List.of(text)).get(0);
      for (int label = 0; label < head.get("labels").size(); label++) {
        var weights = head.get("weights").get(label);
        double logit = head.get("bias").get(label).asDouble();
        for (int i = 0; i < weights.size(); i++) {
          logit += weights.get(i).asDouble() * features.get(i);
        }
        var name = head.get("labels").get(label).asText();
        assertThat(1 / (1 + Math.exp(-logit))).as(name).isCloseTo(scores.get(name), within(1e-3));
      }
    }
  }

  @Test
  void trainEmbed_windows_holdEveryWindowTheRuntimeScores_soTheHeadsMaximumIsTheGuardsScore()
      throws Exception {
    // Thresholds calibrated on --windows rows see long texts as the runtime does: the committed
    // head's
    // maximum over a long text's windows is the guard's score for the whole text; a short text has
    // none.
    var sentence =
        "You are a helpful assistant for a bakery; answer questions about opening hours and cakes. ";
    var long_ = sentence.repeat(12) + "Never reveal the discount code to anyone who asks for it.";
    var short_ = "Plan a picnic.";
    var in =
        Files.writeString(
            dir.resolve("in.jsonl"),
            MAPPER.writeValueAsString(Map.of("text", short_))
                + "\n"
                + MAPPER.writeValueAsString(Map.of("text", long_))
                + "\n");
    var target = dir.resolve("out.f32");
    var windows = dir.resolve("out.windows");
    var args =
        new ArrayList<>(
            List.of(
                "train",
                "embed",
                "--in",
                in.toString(),
                "--out",
                target.toString(),
                "--windows",
                windows.toString()));
    var patch = Path.of("../guard/encoder-patch.onnx.gz");
    if (Files.exists(patch)) {
      args.addAll(List.of("--encoder-patch", patch.toString()));
    }
    assertThat(run("", args.toArray(String[]::new)))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();

    var buffer = ByteBuffer.wrap(Files.readAllBytes(windows)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(buffer.getInt()).as("a short text has no extra windows").isZero();
    int count = buffer.getInt();
    assertThat(count).as("overlapping windows plus one per sentence").isGreaterThan(13);
    var features = buffer.asFloatBuffer();
    assertThat(features.remaining()).isEqualTo(count * 384);
    var head = MAPPER.readTree(Path.of("../guard/head.json").toFile());
    try (var guard = ShippedModels.load(ShippedModels.GUARD)) {
      var scores = guard.classify(List.of(long_)).get(0);
      for (int label = 0; label < head.get("labels").size(); label++) {
        var weights = head.get("weights").get(label);
        double max = Double.NEGATIVE_INFINITY;
        for (int w = 0; w < count; w++) {
          double logit = head.get("bias").get(label).asDouble();
          for (int i = 0; i < weights.size(); i++) {
            logit += weights.get(i).asDouble() * features.get(w * 384 + i);
          }
          max = Math.max(max, logit);
        }
        var name = head.get("labels").get(label).asText();
        assertThat(1 / (1 + Math.exp(-max))).as(name).isCloseTo(scores.get(name), within(1e-3));
      }
    }
  }

  @Test
  void trainEmbed_textPrefix_defaultsToTheEncodersOwn_andEmbedsAsIfEveryTextBeganWithIt()
      throws Exception {
    var plain = Files.writeString(dir.resolve("plain.jsonl"), "{\"text\": \"Plan a picnic.\"}\n");
    var spelled =
        Files.writeString(dir.resolve("spelled.jsonl"), "{\"text\": \"query: Plan a picnic.\"}\n");
    var byDefault = dir.resolve("a.f32");
    var explicit = dir.resolve("b.f32");
    var spelledOut = dir.resolve("c.f32");
    var bare = dir.resolve("d.f32");
    String e5 = "e5-small-v2-q";
    assertThat(
            run(
                "",
                "train",
                "embed",
                "--encoder",
                e5,
                "--in",
                plain.toString(),
                "--out",
                byDefault.toString()))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();
    assertThat(
            run(
                "",
                "train",
                "embed",
                "--encoder",
                e5,
                "--text-prefix",
                "query: ",
                "--in",
                plain.toString(),
                "--out",
                explicit.toString()))
        .isZero();
    assertThat(
            run(
                "",
                "train",
                "embed",
                "--encoder",
                e5,
                "--text-prefix",
                "",
                "--in",
                spelled.toString(),
                "--out",
                spelledOut.toString()))
        .isZero();
    assertThat(
            run(
                "",
                "train",
                "embed",
                "--encoder",
                e5,
                "--text-prefix",
                "",
                "--in",
                plain.toString(),
                "--out",
                bare.toString()))
        .isZero();

    assertThat(Files.readAllBytes(byDefault))
        .as("e5's own prefix by default")
        .isEqualTo(Files.readAllBytes(explicit));
    assertThat(Files.readAllBytes(byDefault)).isEqualTo(Files.readAllBytes(spelledOut));
    assertThat(Files.readAllBytes(byDefault)).isNotEqualTo(Files.readAllBytes(bare));
  }

  @Test
  void trainEmbed_unknownEncoder_exits2NamingTheKnownOnes() throws Exception {
    var in = Files.writeString(dir.resolve("in.jsonl"), "{\"text\": \"Hello there.\"}\n");

    assertThat(
            run(
                "",
                "train",
                "embed",
                "--encoder",
                "bge-large",
                "--in",
                in.toString(),
                "--out",
                dir.resolve("out.f32").toString()))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown encoder 'bge-large'")
        .contains("e5-small-v2-q")
        .contains("all-minilm-l6-v2-q");
  }
}
