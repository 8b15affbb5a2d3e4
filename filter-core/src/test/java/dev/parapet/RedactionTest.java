package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {

  private static final String TEXT = "mail bob@x.io, then amy@y.io, then bob@x.io again";
  private static final List<Span> SPANS = List.of(span(5, 13), span(20, 28), span(35, 43));

  private static Span span(int start, int end) {
    return new Span(start, end, "pii", "email", 1.0);
  }

  @Test
  void placeholders_numberDistinctValues() {
    assertThat(Redaction.placeholders().apply(TEXT, SPANS, null))
        .isEqualTo("mail [EMAIL_1], then [EMAIL_2], then [EMAIL_1] again");
  }

  @Test
  void mask_saysNothing() {
    assertThat(Redaction.mask().apply(TEXT, SPANS, null))
        .isEqualTo("mail [REDACTED], then [REDACTED], then [REDACTED] again");
  }

  @Test
  void keyedHash_isStablePerValueAndKey() {
    var key = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    var out = Redaction.keyedHash(key).apply(TEXT, SPANS, null);

    assertThat(out)
        .matches(
            "mail \\[EMAIL_[0-9a-f]{8}\\], then \\[EMAIL_[0-9a-f]{8}\\], then \\[EMAIL_[0-9a-f]{8}\\] again");
    var tags = out.split(", then ");
    assertThat(tags[0].substring(5)).isEqualTo(tags[2].substring(0, tags[0].length() - 5));
    assertThat(out).doesNotContain("bob").doesNotContain("amy");
    assertThatThrownBy(() -> Redaction.keyedHash(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void overlappingSpans_mergeIntoOneMask() {
    var out = Redaction.mask().apply("abcdefgh", List.of(span(1, 4), span(3, 6)), null);
    assertThat(out).isEqualTo("a[REDACTED]gh");
  }

  @Test
  void vault_restoresOnlyWhatItHeldAtSnapshot() {
    var vault = new Redaction.Vault();
    var prompt = Redaction.placeholders().apply("to bob@x.io", List.of(span(3, 11)), vault);
    var restore = vault.snapshot();
    var answer =
        Redaction.placeholders()
            .apply("cc bob@x.io and eve@z.io", List.of(span(3, 11), span(16, 24)), vault);

    assertThat(prompt).isEqualTo("to [EMAIL_1]");
    assertThat(answer).isEqualTo("cc [EMAIL_1] and [EMAIL_2]");
    assertThat(restore.restore(answer)).isEqualTo("cc bob@x.io and [EMAIL_2]");
  }

  @Test
  void guard_anonymizeInputs_modelSeesPlaceholdersCallerSeesValues() {
    var seen = new java.util.ArrayList<String>();
    var filter = anonymizing();

    var answer =
        filter.guard(
            "Draft a reply to bob@example.com about the invoice",
            prompt -> {
              seen.add(prompt);
              return "Dear [EMAIL_1], I copied eve@example.org.";
            });

    assertThat(seen).containsExactly("Draft a reply to [EMAIL_1] about the invoice");
    assertThat(answer).isEqualTo("Dear bob@example.com, I copied [EMAIL_2].");
  }

  @Test
  void guard_anonymizeInputs_placeholderTheUserTyped_isNeverReplacedByAValue() {
    var seen = new java.util.ArrayList<String>();
    var filter = anonymizing();

    var answer =
        filter.guard(
            "Write [EMAIL_1] in the template, and send it to bob@example.com",
            prompt -> {
              seen.add(prompt);
              return prompt; // the model echoes its prompt
            });

    assertThat(seen).containsExactly("Write [EMAIL_1] in the template, and send it to [EMAIL_2]");
    assertThat(answer).isEqualTo("Write [EMAIL_1] in the template, and send it to bob@example.com");
  }

  @Test
  void guard_anonymizeInputs_placeholderTypedWithAnInvisibleChar_isNeverReplacedByAValue() {
    var filter = anonymizing();

    var answer = filter.guard("Keep [EMAIL\u200B_1] and mail bob@example.com", prompt -> prompt);

    assertThat(answer).isEqualTo("Keep [EMAIL_1] and mail bob@example.com");
  }

  @Test
  void vault_restoresEachPlaceholderByExactToken_whateverBracketsSurroundIt() {
    var vault = new Redaction.Vault();
    Redaction.placeholders().apply("to bob@x.io", List.of(span(3, 11)), vault);

    assertThat(
            vault.restore("a [ b [EMAIL_1] c ] [EMAIL_1][EMAIL_1] [[EMAIL_1]] [EMAIL_10] [EMAIL_1"))
        .isEqualTo("a [ b bob@x.io c ] bob@x.iobob@x.io [bob@x.io] [EMAIL_10] [EMAIL_1");
  }

  @Test
  void anonymizeInputs_needsPlaceholders() {
    assertThatThrownBy(
            () ->
                SafetyFilter.builder()
                    .policy(Policy.of(Profile.builder("p").build()))
                    .redaction(Redaction.mask())
                    .anonymizeInputs(true)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("anonymizeInputs needs Redaction.placeholders()");
  }

  /** A filter that redacts e-mail addresses and restores them in the answer. */
  private static SafetyFilter anonymizing() {
    return SafetyFilter.builder()
        .policy(Policy.of(Profile.builder("p").redact("pii", 0.5).build()))
        .stage(Stage.of(PatternDetector.emails()).build())
        .anonymizeInputs(true)
        .build();
  }
}
