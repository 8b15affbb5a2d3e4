package dev.parapet.classifiers.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parapet.spi.Detector;
import java.util.List;

/**
 * Coverage-guided fuzz test (Jazzer) of every built-in detector: any text gives spans inside it, of
 * the detector's category, and the PII detector's spans never overlap. Under {@code mvn verify} it
 * runs on its committed inputs and is then fuzzed for a fixed time (see the pom).
 */
class DetectorFuzzTest {

  private static final PiiDetector PII = PiiDetector.create();
  private static final List<Detector> DETECTORS =
      List.of(
          PII,
          SecretsDetector.create(),
          DenyListDetector.builder("deny", "banned")
              .phrases(List.of("acme corp", "globex", "ünïcode"))
              .build(),
          RegexDetector.builder("ops").pattern("ops", "ticket", "OPS-[0-9]{4,8}").build());

  @FuzzTest(maxDuration = "10s")
  void detectors(FuzzedDataProvider data) {
    var text = data.consumeRemainingAsString();
    for (var detector : DETECTORS) {
      var spans = detector.detect(text);
      for (var span : spans) {
        assertThat(span.start()).isBetween(0, text.length());
        assertThat(span.end()).isBetween(span.start() + 1, text.length());
        assertThat(detector.categories()).contains(span.category());
      }
      if (detector == PII) {
        for (int i = 1; i < spans.size(); i++) {
          assertThat(spans.get(i).start()).isGreaterThanOrEqualTo(spans.get(i - 1).end());
        }
      }
    }
  }
}
