package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NormalizationTest {

  private final Normalization standard = Normalization.standard();

  @Test
  void apply_plainAscii_isIdentity() {
    var n = standard.apply("plain text, 42!");

    assertThat(n.unchanged()).isTrue();
    assertThat(n.invisible()).isEmpty();
  }

  @Test
  void apply_zeroWidthAndBidi_removedAndReported() {
    var original = "ki\u200Bll \u202Eme\u202C now\uDB40\uDC41";
    var n = standard.apply(original);

    assertThat(n.text()).isEqualTo("kill me now");
    assertThat(n.invisible())
        .extracting(Span::start, Span::end)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, 3),
            org.assertj.core.groups.Tuple.tuple(6, 7),
            org.assertj.core.groups.Tuple.tuple(9, 10),
            org.assertj.core.groups.Tuple.tuple(14, 16));
    assertThat(n.invisible()).allMatch(s -> s.category().equals(Normalization.INVISIBLE_TEXT));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "fullwidth, ｈａｔｅ, hate",
    "cyrillic homoglyphs, һаtе, hate",
    "greek homoglyphs, ΗΑΤΕ, HATE",
    "math bold, \uD835\uDC21\uD835\uDC1A\uD835\uDC2D\uD835\uDC1E, hate",
    "ligature, ﬁne, fine",
  })
  void apply_lookAlikes_foldToLatin(String name, String original, String expected) {
    assertThat(standard.apply(original).text()).isEqualTo(expected);
  }

  @Test
  void toOriginal_spansThroughCombiningMarksEmojiAndSurrogates_mapBack() {
    // "e" + combining acute composes to one char; the emoji is a surrogate pair; ｍ is full-width.
    var original = "cafe\u0301 \uD83D\uDE00 ｍail bob@x.io";
    var n = standard.apply(original);
    assertThat(n.text()).isEqualTo("café \uD83D\uDE00 mail bob@x.io");

    int at = n.text().indexOf("bob@x.io");
    var mapped = n.toOriginal(new Span(at, at + 8, "pii", "email", 1.0));
    assertThat(original.substring(mapped.start(), mapped.end())).isEqualTo("bob@x.io");

    var cafe = n.toOriginal(new Span(0, 4, "x", "y", 1.0));
    assertThat(original.substring(cafe.start(), cafe.end())).isEqualTo("cafe\u0301");
    var mail = n.toOriginal(new Span(n.text().indexOf("mail"), n.text().indexOf("mail") + 4, "x", "y", 1.0));
    assertThat(original.substring(mail.start(), mail.end())).isEqualTo("ｍail");
  }

  @Test
  void none_leavesTextAlone() {
    var n = Normalization.none().apply("ｈａｔｅ\u200B");
    assertThat(n.text()).isEqualTo("ｈａｔｅ\u200B");
  }

  @Test
  void filter_invisibleText_isReportedAndStagesSeeNormalisedText() {
    var classifier = KeywordClassifier.of("toxicity", Map.of("toxicity", Map.of("hate", 0.95)));
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(Profile.builder("p").block("toxicity", 0.9).flag("invisible_text", 0.5).build()))
            .outputStage(classifier)
            .build();

    var smuggled = filter.check("I һ\u200Bаtе this", Direction.OUTPUT);
    assertThat(smuggled.decision()).isEqualTo(Decision.BLOCK);
    assertThat(smuggled.reasons()).extracting(Reason::category).contains("toxicity", "invisible_text");

    var invisibleOnly = filter.check("fine\u200D", Direction.OUTPUT);
    assertThat(invisibleOnly.decision()).isEqualTo(Decision.FLAG);
    assertThat(invisibleOnly.spans()).extracting(Span::start).containsExactly(4);
  }

  @Test
  void filter_redactionInNormalisedText_editsWhatTheUserWrote() {
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(Profile.builder("p").redact("pii", 0.5).build()))
            .outputStage(PatternDetector.emails())
            .build();

    var verdict = filter.check("write to ｂｏｂ@example.com today", Direction.OUTPUT);

    assertThat(verdict.text()).isEqualTo("write to [EMAIL_1] today");
  }
}
