package dev.parapet.classifiers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.parapet.Decision;
import dev.parapet.Direction;
import dev.parapet.Policy;
import dev.parapet.Profile;
import dev.parapet.SafetyFilter;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddingSimilarityClassifierTest {

  private static EmbeddingSimilarityClassifier topics;

  @BeforeAll
  static void load() {
    topics =
        EmbeddingSimilarityClassifier.builder()
            .id("support-topics")
            .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
            .topic(
                "competitor_pricing",
                List.of("how much does Acme charge for its plans", "Acme price list and discounts"))
            .topic(
                "medical_advice",
                List.of("which medicine should I take for my headache", "is this dose safe"))
            .build();
  }

  @AfterAll
  static void close() {
    topics.close();
  }

  @Test
  void classify_textNearATopic_scoresItHighest() {
    var scores = topics.classify(List.of("What are Acme's prices for the premium plan?")).get(0);

    assertThat(scores.get("competitor_pricing")).isGreaterThan(0.6);
    assertThat(scores.get("competitor_pricing")).isGreaterThan(scores.get("medical_advice") + 0.2);
  }

  @Test
  void classify_unrelatedText_scoresLow() {
    var scores = topics.classify(List.of("The tomato plants need water every morning.")).get(0);

    assertThat(scores.values()).allSatisfy(s -> assertThat(s).isBetween(0.0, 0.4));
  }

  @Test
  void classify_topicSentenceAtEndOfLongText_isFound() {
    var benign = String.join(" ", TestModels.fixture("benign.txt"));
    var text =
        benign + " " + benign + " By the way, how much does Acme charge for the premium plan?";

    assertThat(topics.classify(List.of(text)).get(0).get("competitor_pricing")).isGreaterThan(0.6);
  }

  @Test
  void inFilter_customTopic_flagsWithoutTraining() {
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(Profile.builder("support").flag("competitor_pricing", 0.6).build()))
            .inputStage(topics)
            .build();

    assertThat(filter.check("Tell me Acme's price list", Direction.INPUT).decision())
        .isEqualTo(Decision.FLAG);
    assertThat(filter.check("Reset my password please", Direction.INPUT).decision())
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void textPrefix_scoresAsIfEveryTextAndExampleBeganWithIt() {
    try (var prefixed =
            EmbeddingSimilarityClassifier.builder()
                .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
                .textPrefix("query: ")
                .topic("medical_advice", List.of("which medicine should I take for my headache"))
                .build();
        var spelledOut =
            EmbeddingSimilarityClassifier.builder()
                .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
                .topic(
                    "medical_advice",
                    List.of("query: which medicine should I take for my headache"))
                .build();
        var bare =
            EmbeddingSimilarityClassifier.builder()
                .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
                .topic("medical_advice", List.of("which medicine should I take for my headache"))
                .build()) {
      var text = "Is it safe to take two aspirin at once?";
      double withPrefix = prefixed.classify(List.of(text)).get(0).get("medical_advice");

      assertThat(withPrefix)
          .isCloseTo(
              spelledOut.classify(List.of("query: " + text)).get(0).get("medical_advice"),
              within(1e-6));
      assertThat(withPrefix)
          .isNotCloseTo(bare.classify(List.of(text)).get(0).get("medical_advice"), within(1e-4));
      assertThat(prefixed.version()).isNotEqualTo(bare.version());
    }
  }

  @Test
  void version_changesWithExamples() {
    try (var other =
        EmbeddingSimilarityClassifier.builder()
            .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
            .topic("competitor_pricing", List.of("Acme's prices"))
            .build()) {
      assertThat(other.version()).isNotEqualTo(topics.version());
      assertThat(other.categories()).containsExactly("competitor_pricing");
      assertThat(other.executionProvider()).isEqualTo(ExecutionProvider.CPU);
    }
  }

  @Test
  void build_withoutEncoderOrTopics_fails() {
    assertThatThrownBy(
            () -> EmbeddingSimilarityClassifier.builder().topic("t", List.of("x")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("an encoder is required");
    assertThatThrownBy(
            () ->
                EmbeddingSimilarityClassifier.builder()
                    .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one topic");
    assertThatThrownBy(() -> EmbeddingSimilarityClassifier.builder().topic("t", List.of(" ")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                EmbeddingSimilarityClassifier.builder()
                    .encoderFromClasspath("missing.onnx", "x.json"))
        .isInstanceOf(ClassifierException.class)
        .hasMessageContaining("missing model file classpath:missing.onnx");
  }

  @Test
  void close_laterUseThrows() {
    var closing =
        EmbeddingSimilarityClassifier.builder()
            .id("closing-topics")
            .encoderFromClasspath(TestModels.ENCODER, TestModels.TOKENIZER)
            .topic("t", List.of("x"))
            .build();
    closing.close();
    closing.close();

    assertThatThrownBy(() -> closing.classify(List.of("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closing-topics is closed");
  }
}
