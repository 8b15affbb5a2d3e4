package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzz tests (Jazzer) of what reads untrusted text: normalisation, the policy
 * parser and the placeholder vault. Under {@code mvn verify} each runs on its committed inputs
 * ({@code src/test/resources/dev/parapet/CoreFuzzTestInputs}) and is then fuzzed for a fixed time
 * by its own surefire execution (see the pom; {@code -Dfuzz.seconds=600} fuzzes longer).
 */
class CoreFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void normalization(FuzzedDataProvider data) {
    var original = data.consumeRemainingAsString();
    var n = Normalization.standard().apply(original);

    assertThat((long) n.text().length()).isLessThanOrEqualTo(55L * original.length());
    assertThat(n.text().codePoints()).noneMatch(Normalization::invisible); // stages never see them
    for (int i = 0; i < n.text().length(); i++) {
      var back = n.toOriginal(new Span(i, i + 1, "x", "y", 1.0));
      assertThat(back.start()).isBetween(0, original.length());
      assertThat(back.end()).isBetween(back.start(), original.length());
    }
    for (var span : n.invisible()) {
      assertThat(span.end()).isLessThanOrEqualTo(original.length());
    }
    var released = Normalization.removeInvisible(original, 0);
    assertThat(released.length()).isLessThanOrEqualTo(original.length());
  }

  @FuzzTest(maxDuration = "10s")
  void policyParser(FuzzedDataProvider data) {
    var json = data.consumeRemainingAsString();
    try {
      var policy = Policy.parse(json, "fuzz.json");
      assertThat(policy.names()).isNotEmpty();
    } catch (PolicyException expected) {
      assertThat(expected.getMessage()).contains("fuzz.json");
    }
  }

  @FuzzTest(maxDuration = "10s")
  void vault(FuzzedDataProvider data) {
    var text = data.consumeString(400);
    var spans = new ArrayList<Span>();
    int count = data.consumeInt(0, 4);
    for (int i = 0; i < count && !text.isEmpty(); i++) {
      int start = data.consumeInt(0, text.length() - 1);
      int end = data.consumeInt(start + 1, text.length());
      if (Character.isLowSurrogate(text.charAt(start))
          || (end < text.length() && Character.isLowSurrogate(text.charAt(end)))) {
        continue;
      }
      spans.add(
          new Span(
              start, end, "pii", data.pickValue(List.of("email", "phone", "credit_card")), 1.0));
    }
    var vault = new Redaction.Vault();
    var masked = Redaction.placeholders().apply(text, spans, vault);

    // What the model sees, echoed back, is restored to exactly what the user wrote.
    assertThat(vault.restore(masked)).isEqualTo(text);
  }
}
