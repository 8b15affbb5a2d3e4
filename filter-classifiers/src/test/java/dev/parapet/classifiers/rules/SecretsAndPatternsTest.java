package dev.parapet.classifiers.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parapet.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsAndPatternsTest {

  private final SecretsDetector secrets = SecretsDetector.create();

  // Documented example or made-up credentials, never real ones.
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          aws_access_key  | key AKIAIOSFODNN7EXAMPLE here
          github_token    | token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 here
          gitlab_token    | glpat-aBcDeFgHiJkLmNoPqRsT here
          slack_token     | xoxb-123456789012-abcdefghijklmnop here
          stripe_key      | sk_live_aBcDeFgHiJkLmNoPqRsTuVwX here
          google_api_key  | AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW here
          jwt             | eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
          database_url    | postgres://admin:s3cretPass@db.internal:5432/app
          private_key     | -----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA -----END RSA PRIVATE KEY-----
          high_entropy    | export TOKEN=Zx9Qw2Lk8Vb4Nm7Rt1Yp3Hs6Df0Gj5Ka
          """)
  void detect_knownFormatsAndHighEntropyTokens(String type, String text) {
    assertThat(secrets.detect(text)).extracting(Span::type).containsExactly(type);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Request id 550e8400-e29b-41d4-a716-446655440000",
        "sha256 3f9a2c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd",
        "See https://example.com/docs/getting-started/installation-guide",
        "postgres://db.internal:5432/app has no password",
        "A perfectly ordinary sentence about configuration management tools."
      })
  void detect_benignLookAlikes_notFlagged(String text) {
    assertThat(secrets.detect(text)).as(text).isEmpty();
  }

  @Test
  void privateKeyHeaders_withoutAnEnd_areEachReported_andABlockIsReportedWhole() {
    var secrets = SecretsDetector.create();
    var header = "-----BEGIN PRIVATE KEY-----\n";

    assertThat(secrets.detect(header.repeat(300)))
        .hasSize(300)
        .allMatch(s -> s.type().equals("private_key"));
    var block =
        "key: "
            + header
            + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY----- done "
            + header;
    var spans = secrets.detect(block);
    assertThat(spans).extracting(Span::type).containsExactly("private_key", "private_key");
    assertThat(block.substring(spans.get(0).start(), spans.get(0).end()))
        .endsWith("-----END PRIVATE KEY-----");
  }

  @Test
  void pathsAndBase64OfProse_areNotSecrets_randomTokensAre() {
    var secrets = SecretsDetector.create();
    var prose =
        java.util.Base64.getEncoder()
            .encodeToString(
                "the quick brown fox jumps over the lazy dog"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    assertThat(secrets.detect("see /usr/local/lib/python3/site-packages/numpy/core for it"))
        .isEmpty();
    assertThat(secrets.detect("encoded: " + prose + " end")).isEmpty();
    assertThat(secrets.detect("token: 8f3KxQ2mZr7Lp0VtWc9YbN4sHe6Ju1Ad ok"))
        .extracting(Span::type)
        .containsExactly("high_entropy");
    assertThat(secrets.detect("key aB3/xYz9+Qw8/Lm2Np7Rt5Vu here"))
        .extracting(Span::type)
        .containsExactly("high_entropy");
  }

  @Test
  void withMinEntropyInfinity_reportsKnownFormatsOnly() {
    var strict = SecretsDetector.withMinEntropy(Double.POSITIVE_INFINITY);
    assertThat(strict.detect("TOKEN=Zx9Qw2Lk8Vb4Nm7Rt1Yp3Hs6Df0Gj5Ka AKIAIOSFODNN7EXAMPLE"))
        .extracting(Span::type)
        .containsExactly("aws_access_key");
  }

  @Test
  void regexDetector_exponentialPatternForJavaRegex_completesLinearly() {
    var pattern = "(a+)+$";
    var text = "a".repeat(100_000) + "!";
    var detector = RegexDetector.builder("ops").pattern("ops", "evil", pattern).build();

    // java.util.regex needs 2^n steps here; RE2/J is linear. The timeout only guards against a
    // hang.
    var spans = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> detector.detect(text));

    assertThat(spans).isEmpty();
    assertThat(detector.detect("aaaa")).extracting(Span::type).containsExactly("evil");
  }

  @Test
  void regexDetector_invalidPattern_rejectedNamingIt() {
    assertThatThrownBy(() -> RegexDetector.builder("ops").pattern("ops", "lookahead", "a(?=b)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pattern 'lookahead' is not valid RE2");
    assertThatThrownBy(() -> RegexDetector.builder("ops").build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void denyList_matchesWholeWordsIgnoringCaseAndDiacritics() {
    var deny =
        DenyListDetector.builder("deny", "banned").phrases(List.of("globex", "acme corp")).build();

    assertThat(deny.detect("We met GLÖBEX and Acme   Corp today")).hasSize(2);
    assertThat(deny.detect("globexx and macme corp are fine")).isEmpty();
  }

  @Test
  void denyList_findsSpacedAndLeetspeakSpellingsAtOriginalOffsets() {
    var deny = DenyListDetector.builder("deny", "banned").phrases(List.of("globex")).build();
    var text = "try g l o b e x or gl0b3x now";

    var spans = deny.detect(text);

    assertThat(spans)
        .extracting(s -> text.substring(s.start(), s.end()))
        .containsExactlyInAnyOrder("g l o b e x", "gl0b3x");
    var plain =
        DenyListDetector.builder("deny", "banned")
            .phrases(List.of("globex"))
            .deobfuscate(false)
            .build();
    assertThat(plain.detect(text)).isEmpty();
  }

  @Test
  void denyList_hundredThousandPhrases_findTheirMatches() {
    var phrases = new ArrayList<String>();
    for (int i = 0; i < 100_000; i++) {
      phrases.add("phrase" + Integer.toString(i, 36) + " term");
    }
    var deny = DenyListDetector.builder("deny", "banned").phrases(phrases).build();
    var text = "this text mentions phrase" + Integer.toString(77_777, 36) + " term once";

    assertThat(deny.detect(text)).hasSize(1);
    assertThat(deny.detect("nothing here")).isEmpty();
  }
}
