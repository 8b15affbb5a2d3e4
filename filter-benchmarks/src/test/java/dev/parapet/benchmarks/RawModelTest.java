package dev.parapet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.ShippedModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The baselines measure what they claim: the shipped graph's scores, and a real encoder pass. */
class RawModelTest {

  private static final String TEXT = "Summarise the quarterly sales report in three bullet points.";

  @Test
  void raw_scoresLikeTheShippedClassifier() throws Exception {
    try (var raw = new RawModel();
        var guard =
            ShippedModels.builder(ShippedModels.GUARD)
                .batching(Batching.off())
                .maxLength(512)
                .build()) {
      float[] scores = raw.score(TEXT);
      var expected = guard.classify(List.of(TEXT)).get(0);
      // The graph's output order: config.json's id2label.
      var id2label =
          new ObjectMapper()
              .readTree(RawModel.resource(RawModel.ROOT + "config.json"))
              .get("id2label");

      assertThat(scores).hasSize(id2label.size()).hasSize(guard.categories().size());
      for (int i = 0; i < scores.length; i++) {
        var label = id2label.get(Integer.toString(i)).asText();
        assertThat((double) scores[i]).as(label).isCloseTo(expected.get(label), within(1e-4));
      }
    }
  }

  @Test
  void stockMiniLm_encodesTextToItsHiddenWidth() throws Exception {
    try (var stock = RawModel.stockMiniLm()) {
      float[] first = stock.encode(TEXT);
      float[] other = stock.encode("A completely different sentence about the weather.");

      assertThat(first).hasSize(384);
      assertThat(first).isNotEqualTo(other);
      for (float v : first) {
        assertThat(Float.isFinite(v)).isTrue();
      }
    }
  }
}
