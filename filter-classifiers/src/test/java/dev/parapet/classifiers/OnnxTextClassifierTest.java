package dev.parapet.classifiers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parapet.Context;
import dev.parapet.Decision;
import dev.parapet.Direction;
import dev.parapet.Policy;
import dev.parapet.Profile;
import dev.parapet.SafetyFilter;
import dev.parapet.StreamEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxTextClassifierTest {

  private static OnnxTextClassifier unbatched;
  private static List<String> harmful;
  private static List<String> benign;

  @TempDir Path dir;

  @BeforeAll
  static void load() {
    harmful = TestModels.fixture("harmful.txt");
    benign = TestModels.fixture("benign.txt");
    unbatched =
        OnnxTextClassifier.builder(TestModels.threatModel()).batching(Batching.off()).build();
  }

  @AfterAll
  static void close() {
    unbatched.close();
  }

  private static double threat(OnnxTextClassifier classifier, String text) {
    return classifier.classify(List.of(text)).get(0).get("threat");
  }

  @Test
  void load_optimumDirectory_readsLabelsAndScoresInRange() {
    assertThat(unbatched.labels()).containsExactly("threat", "cooking");
    assertThat(unbatched.categories()).containsExactlyInAnyOrder("threat", "cooking");
    assertThat(unbatched.id()).startsWith("threat-model");
    assertThat(unbatched.version()).hasSizeGreaterThan(64);
    var scores = unbatched.classify(List.of("hello there")).get(0);
    assertThat(scores.values()).allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0));
  }

  @Test
  void classify_fixtureSentences_separatesThreatsFromBenign() {
    for (var text : harmful) {
      assertThat(threat(unbatched, text)).as("a harmful fixture line").isGreaterThan(0.5);
    }
    for (var text : benign) {
      assertThat(threat(unbatched, text)).as("a benign fixture line").isLessThan(0.5);
    }
  }

  @Test
  void classify_batchedAndUnbatched_agreeWithin1e4() {
    var texts = new ArrayList<String>();
    texts.addAll(harmful);
    texts.addAll(benign);
    texts.add(String.join(" ", benign)); // a longer text pads the others
    try (var fp32 =
        OnnxTextClassifier.builder(TestModels.threatModelFp32()).batching(Batching.off()).build()) {
      var together = fp32.classify(texts);
      for (int i = 0; i < texts.size(); i++) {
        var alone = fp32.classify(List.of(texts.get(i))).get(0);
        for (var category : alone.keySet()) {
          assertThat(together.get(i).get(category)).isCloseTo(alone.get(category), within(1e-4));
        }
      }
    }
  }

  @Test
  void load_dynamicallyQuantisedModel_batchesOnlyWhenAskedTo() {
    // Dynamic int8 quantisation takes one activation scale per run, so batch-mates would move a
    // text's scores: by default such a model does not batch.
    assertThat(unbatched.batching().enabled()).isFalse();
    try (var defaults = OnnxTextClassifier.load(TestModels.threatModel());
        var fp32 = OnnxTextClassifier.load(TestModels.threatModelFp32());
        var asked =
            OnnxTextClassifier.builder(TestModels.threatModel())
                .batching(Batching.defaults())
                .build()) {
      assertThat(defaults.batching()).isEqualTo(Batching.off());
      assertThat(fp32.batching()).isEqualTo(Batching.defaults());
      assertThat(asked.batching()).isEqualTo(Batching.defaults());
    }
  }

  @Test
  void classify_threatAfter5000BenignWords_isCaught() {
    var text = new StringBuilder();
    int words = 0;
    for (int i = 0; words < 5_000; i++) {
      var sentence = benign.get(i % benign.size());
      text.append(sentence).append(' ');
      words += sentence.split(" ").length;
    }
    var benignOnly = text.toString();
    var withThreat = benignOnly + harmful.get(0);

    assertThat(threat(unbatched, benignOnly)).isLessThan(0.5);
    assertThat(threat(unbatched, withThreat)).isGreaterThan(0.5);
  }

  @Test
  void classify_concurrentCallersWithBatching_eachGetOwnResult() throws Exception {
    var registry = new SimpleMeterRegistry();
    var batching = new Batching(16, Duration.ofMillis(5), 4096, 64, 1);
    try (var single =
            OnnxTextClassifier.builder(TestModels.threatModelFp32())
                .batching(Batching.off())
                .build();
        var batched =
            OnnxTextClassifier.builder(TestModels.threatModelFp32())
                .id("batched")
                .batching(batching)
                .meterRegistry(registry)
                .build()) {
      var texts = new ArrayList<String>();
      for (int i = 0; i < 48; i++) {
        texts.add(i % 3 == 0 ? harmful.get(i % harmful.size()) : benign.get(i % benign.size()));
      }
      var expected = texts.stream().map(t -> threat(single, t)).toList();
      var pool = Executors.newFixedThreadPool(12);
      var start = new CountDownLatch(1);
      try {
        var futures = new ArrayList<Future<Double>>();
        for (var text : texts) {
          Callable<Double> call =
              () -> {
                start.await();
                return threat(batched, text);
              };
          futures.add(pool.submit(call));
        }
        start.countDown();
        for (int i = 0; i < texts.size(); i++) {
          assertThat(futures.get(i).get(60, TimeUnit.SECONDS))
              .isCloseTo(expected.get(i), within(1e-4));
        }
      } finally {
        pool.shutdownNow();
      }
      var sizes = registry.get("parapet.batch.size").tag("model", "batched").summary();
      assertThat(sizes.max()).as("largest batch").isGreaterThan(1.0);
    }
  }

  @Test
  void classify_queueFull_rejectsAtOnce() {
    var tiny = new Batching(8, Duration.ofMillis(1), 2, 64, 1);
    try (var classifier =
        OnnxTextClassifier.builder(TestModels.threatModel()).batching(tiny).build()) {
      assertThatThrownBy(() -> classifier.classify(List.of("one", "two", "three")))
          .isInstanceOf(ClassifierException.class)
          .hasMessageContaining("batch queue full");
    }
  }

  @Test
  void classify_queueFullInsideFilter_handledByFailMode() {
    var tiny = new Batching(8, Duration.ofMillis(1), 1, 64, 1);
    try (var classifier =
        OnnxTextClassifier.builder(TestModels.threatModel()).batching(tiny).maxLength(8).build()) {
      var filter =
          SafetyFilter.builder()
              .policy(Policy.of(Profile.builder("p").block("threat", 0.5).build()))
              .outputStage(classifier)
              .build();
      // A text of several windows overflows a queue of one window: the stage fails closed.
      var verdict = filter.check(String.join(" ", benign), Direction.OUTPUT);

      assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
      assertThat(verdict.reasons()).extracting(r -> r.category()).containsExactly("stage_error");
    }
  }

  @Test
  void classify_oddUnicode_doesNotCrash() {
    var scores =
        unbatched.classify(
            List.of("\uD800 lone \uDFFF", "\u0000\u0007\u202E\u200B", "", "\uD83D\uDE00 ok"));

    assertThat(scores).hasSize(4).allSatisfy(s -> assertThat(s).containsKeys("threat", "cooking"));
  }

  @Test
  void softmaxModel_scoresSumToOne() {
    try (var softmax = OnnxTextClassifier.load(TestModels.softmaxModel())) {
      var scores = softmax.classify(List.of("a recipe for soup")).get(0);

      assertThat(scores.get("threat") + scores.get("cooking")).isCloseTo(1.0, within(1e-6));
      assertThat(scores.get("cooking")).isGreaterThan(scores.get("threat"));
    }
  }

  @Test
  void labelMapping_renamesAndDrops() {
    try (var mapped =
        OnnxTextClassifier.builder(TestModels.threatModel())
            .label("threat", "violence")
            .ignoreLabel("cooking")
            .batching(Batching.off())
            .build()) {
      assertThat(mapped.categories()).containsExactly("violence");
      assertThat(mapped.classify(List.of("hello")).get(0)).containsOnlyKeys("violence");
    }
  }

  @Test
  void labelMapping_unknownLabel_rejected() {
    assertThatThrownBy(
            () -> OnnxTextClassifier.builder(TestModels.threatModel()).label("nope", "x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 'nope' is not in");
  }

  @Test
  void fromClasspath_loadsSameModel() throws Exception {
    var root = TestModels.threatModel();
    try (var loader =
            new URLClassLoader(new java.net.URL[] {root.getParent().toUri().toURL()}, null);
        var fromClasspath =
            OnnxTextClassifier.builder(root.getFileName().toString())
                .classLoader(loader)
                .batching(Batching.off())
                .build()) {
      assertThat(fromClasspath.version()).isEqualTo(unbatched.version());
      assertThat(threat(fromClasspath, harmful.get(1)))
          .isCloseTo(threat(unbatched, harmful.get(1)), within(1e-6));
    }
  }

  @Test
  void guard_withOnnxStage_blocksThreateningCompletion() {
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(Profile.builder("p").block("threat", 0.5).build()))
            .outputStage(unbatched)
            .build();

    assertThat(filter.guard("summarise the menu", p -> benign.get(10))).isEqualTo(benign.get(10));
    assertThatThrownBy(() -> filter.guard("write something", p -> harmful.get(2)))
        .isInstanceOf(dev.parapet.ContentBlockedException.class);
  }

  @Test
  void stream_threatInTheMiddleOfAnAnswer_neverReachesTheConsumer() throws Exception {
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(Profile.builder("p").block("threat", 0.5).build()))
            .outputStage(unbatched)
            .build();
    var before = String.join(" ", benign.subList(0, 5)) + " ";
    var answer = before + harmful.get(0) + " " + String.join(" ", benign.subList(5, benign.size()));
    var events = new LinkedBlockingQueue<StreamEvent>();
    var stream = filter.openStream(Context.defaults(), events::add);
    var cancelled = new java.util.concurrent.atomic.AtomicBoolean();
    stream.onCancel(() -> cancelled.set(true));
    var producer =
        new Thread(
            () -> {
              for (var word : answer.split("(?<= )")) { // one word per token, 2 ms apart
                if (cancelled.get()) {
                  return;
                }
                stream.accept(word);
                try {
                  Thread.sleep(2);
                } catch (InterruptedException e) {
                  return;
                }
              }
              stream.complete();
            });
    producer.start();

    var released = new StringBuilder();
    StreamEvent event;
    while (!(event = events.poll(30, TimeUnit.SECONDS)).terminal()) {
      released.append(((StreamEvent.Released) event).text());
    }
    producer.join(10_000);

    assertThat(event).isInstanceOf(StreamEvent.Blocked.class);
    // Nothing of the harmful sentence or after it (compared without echoing the fixture text).
    assertThat(before.startsWith(released.toString()))
        .as("released only text before the threat")
        .isTrue();
    assertThat(released.length()).as("released the benign sentences before it").isPositive();
    assertThat(cancelled).isTrue();
  }

  @Test
  void close_isIdempotentAndLaterUseThrows() {
    var classifier = OnnxTextClassifier.builder(TestModels.threatModel()).id("closing").build();
    classifier.close();
    classifier.close();

    assertThatThrownBy(() -> classifier.classify(List.of("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closing is closed");
  }

  @Test
  void textPrefix_startsEveryWindow_asIfTheTextBeganWithIt() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    var config = (ObjectNode) new ObjectMapper().readTree(copy.resolve("config.json").toFile());
    ((ObjectNode) config.get("parapet")).put("text_prefix", "query: ");
    Files.writeString(copy.resolve("config.json"), config.toString());
    var text = "I will hurt you if you come near my house again.";

    try (var prefixed = OnnxTextClassifier.builder(copy).batching(Batching.off()).build()) {
      var withPrefix = prefixed.classify(List.of(text)).get(0);
      var spelledOut = unbatched.classify(List.of("query: " + text)).get(0);
      var without = unbatched.classify(List.of(text)).get(0);

      assertThat(withPrefix.get("threat")).isCloseTo(spelledOut.get("threat"), within(1e-6));
      assertThat(withPrefix.get("cooking")).isCloseTo(spelledOut.get("cooking"), within(1e-6));
      assertThat(withPrefix.get("threat")).isNotCloseTo(without.get("threat"), within(1e-4));
      // Long texts: every window carries the prefix, and the text still scores.
      var longText = (text + " ").repeat(40);
      assertThat(prefixed.classify(List.of(longText)).get(0).get("threat")).isBetween(0.0, 1.0);
    }
  }

  @Test
  void textPrefix_notAString_rejectedAtLoad() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    var config = (ObjectNode) new ObjectMapper().readTree(copy.resolve("config.json").toFile());
    ((ObjectNode) config.get("parapet")).put("text_prefix", 7);
    Files.writeString(copy.resolve("config.json"), config.toString());

    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("parapet.text_prefix must be a string");
  }

  @Test
  void load_missingModelFile_namesIt() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    Files.delete(copy.resolve("model.onnx"));

    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("missing model file " + copy.resolve("model.onnx"));
  }

  @Test
  void load_missingDirectory_namesIt() {
    assertThatThrownBy(() -> OnnxTextClassifier.load(dir.resolve("nowhere")))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("nowhere does not exist");
  }

  @Test
  void load_corruptModel_namesFile() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    Files.write(copy.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("cannot load " + copy.resolve("model.onnx"));
  }

  @Test
  void load_tokenizerNotMatchingModel_failsAtLoad() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    var tokenizer = Files.readString(copy.resolve("tokenizer.json"));
    // A tokenizer whose vocabulary runs past the model's embedding table.
    var extra =
        "{\"id\": 99999, \"content\": \"[EXTRA]\", \"single_word\": false, \"lstrip\": false,"
            + " \"rstrip\": false, \"normalized\": false, \"special\": true},";
    Files.writeString(
        copy.resolve("tokenizer.json"),
        tokenizer.replaceFirst("\"added_tokens\":\\s*\\[", "\"added_tokens\": [" + extra));

    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("tokenizer.json (largest token id 99999) does not match")
        .hasMessageContaining("model.onnx");
  }

  @Test
  void load_id2labelNotMatchingLogits_namesConfig() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    Files.writeString(
        copy.resolve("config.json"),
        "{\"problem_type\": \"multi_label_classification\", \"id2label\": {\"0\": \"a\", \"1\": \"b\", \"2\": \"c\"}}");

    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("config.json maps 3 labels in id2label but")
        .hasMessageContaining("emits 2 logits");
  }

  @Test
  void load_missingOrBadConfig_namesIt() throws Exception {
    var copy = TestModels.copyOfThreatModel(dir.resolve("m"));
    Files.writeString(copy.resolve("config.json"), "{\"labels\": []}");
    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("config.json has no id2label");

    Files.delete(copy.resolve("config.json"));
    assertThatThrownBy(() -> OnnxTextClassifier.load(copy))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("missing model file " + copy.resolve("config.json"));
  }

  @Test
  void load_encoderWithoutLogits_namesOutput() throws Exception {
    var encoder = TestModels.encoderFiles();
    var bare = Files.createDirectories(dir.resolve("bare"));
    Files.write(bare.resolve("model.onnx"), encoder.model());
    Files.write(bare.resolve("tokenizer.json"), encoder.tokenizer());
    Files.writeString(bare.resolve("config.json"), "{\"id2label\": {\"0\": \"a\"}}");

    assertThatThrownBy(() -> OnnxTextClassifier.load(bare))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("has no output 'logits'");
  }

  @Test
  void cudaRequested_withoutUsableCuda_fallsBackToCpuAndSaysSo() {
    try (var classifier =
        OnnxTextClassifier.builder(TestModels.threatModel())
            .options(OnnxOptions.defaults().withProvider(ExecutionProvider.CUDA))
            .build()) {
      if (!Gpu.usable()) {
        assertThat(classifier.executionProvider()).isEqualTo(ExecutionProvider.CPU);
      }
      assertThat(threat(classifier, harmful.get(0)))
          .isCloseTo(threat(unbatched, harmful.get(0)), within(1e-3));
    }
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledIf("dev.parapet.classifiers.Gpu#usable")
  void cudaRequested_onGpuWithGpuBuild_runsOnCuda() {
    var registry = new SimpleMeterRegistry();
    try (var classifier =
        OnnxTextClassifier.builder(TestModels.threatModel())
            .options(OnnxOptions.defaults().withProvider(ExecutionProvider.CUDA))
            .meterRegistry(registry)
            .build()) {
      assertThat(classifier.executionProvider()).isEqualTo(ExecutionProvider.CUDA);
      assertThat(registry.get("parapet.model.loaded").tag("provider", "cuda").gauge().value())
          .isEqualTo(1.0);
      assertThat(threat(classifier, harmful.get(0)))
          .isCloseTo(threat(unbatched, harmful.get(0)), within(1e-2));
    }
  }

  @Test
  void meterRegistry_reportsProviderInUse() {
    var registry = new SimpleMeterRegistry();
    try (var classifier =
        OnnxTextClassifier.builder(TestModels.threatModel())
            .id("metered")
            .meterRegistry(registry)
            .build()) {
      var provider = classifier.executionProvider().name().toLowerCase(java.util.Locale.ROOT);
      assertThat(
              registry
                  .get("parapet.model.loaded")
                  .tag("model", "metered")
                  .tag("provider", provider)
                  .gauge()
                  .value())
          .isEqualTo(1.0);
    }
  }

  @Test
  void windows_useModelWindowAndKeepTextWhole() {
    try (var tokens =
        dev.parapet.classifiers.internal.TokenWindows.load(
            TestModels.encoderFiles().tokenizer(), 128, 32, "tokenizer.json")) {
      var shortWindows = tokens.windows("hello world");
      assertThat(shortWindows).hasSize(1);
      assertThat(shortWindows.get(0)).containsExactly(101L, 7592L, 2088L, 102L);

      var longText = String.join(" ", java.util.Collections.nCopies(400, "word"));
      var windows = tokens.windows(longText);
      assertThat(windows).allSatisfy(w -> assertThat(w.length).isLessThanOrEqualTo(128));
      int covered = windows.stream().mapToInt(w -> w.length - 2).sum();
      assertThat(covered).isGreaterThan(400); // overlap repeats some tokens, none is lost
      assertThat(tokens.ids(longText)).hasSize(400);
    }
  }

  static Map<String, Double> scores(OnnxTextClassifier c, String text) {
    return c.classify(List.of(text)).get(0);
  }
}
