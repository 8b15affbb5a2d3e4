package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyFileTest {

  @TempDir Path dir;

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("policy.json"), json);
  }

  @Test
  void fromJson_validFile_loadsProfilesAndDefault() throws IOException {
    var file =
        write(
            """
            {"version": 1, "defaultProfile": "strict",
             "profiles": {
               "balanced": {"thresholds": {"toxicity": {"flag": 0.5, "block": 0.85}, "pii": {"redact": 0.5}}},
               "strict": {"shadow": true, "thresholds": {"*": {"block": 0.3}}}
             }}
            """);

    var policy = Policy.fromJson(file);

    assertThat(policy.names()).containsExactlyInAnyOrder("balanced", "strict");
    assertThat(policy.defaultProfile().name()).isEqualTo("strict");
    assertThat(policy.defaultProfile().shadow()).isTrue();
    var balanced = policy.profile("balanced");
    assertThat(balanced.decide("toxicity", 0.6)).isEqualTo(Decision.FLAG);
    assertThat(balanced.decide("toxicity", 0.85)).isEqualTo(Decision.BLOCK);
    assertThat(balanced.decide("pii", 0.5)).isEqualTo(Decision.REDACT);
    assertThat(policy.profile("strict").decide("anything", 0.3)).isEqualTo(Decision.BLOCK);
  }

  @Test
  void fromJson_refusals_loadedPerCategory() throws IOException {
    var file =
        write(
            """
            {"profiles": {"balanced": {"thresholds": {"self_harm": {"block": 0.8}},
                                       "refusals": {"self_harm": "You are not alone; please reach out."}}}}
            """);

    var balanced = Policy.fromJson(file).profile("balanced");

    assertThat(balanced.refusals())
        .containsExactly(Map.entry("self_harm", "You are not alone; please reach out."));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          threshold above 1   | {"profiles": {"p": {"thresholds": {"toxicity": {"block": 1.2}}}}}                  | profiles.p.thresholds.toxicity.block: block threshold must be in [0, 1], was 1.2
          threshold not number| {"profiles": {"p": {"thresholds": {"toxicity": {"block": "high"}}}}}               | profiles.p.thresholds.toxicity.block: must be a number
          flag above block    | {"profiles": {"p": {"thresholds": {"toxicity": {"flag": 0.9, "block": 0.5}}}}}     | profiles.p.thresholds.toxicity.block: flag threshold (0.9) must not exceed block threshold (0.5)
          unknown decision    | {"profiles": {"p": {"thresholds": {"toxicity": {"deny": 0.5}}}}}                   | profiles.p.thresholds.toxicity.deny: unknown key
          unknown profile key | {"profiles": {"p": {"thresold": {}}}}                                               | profiles.p.thresold: unknown key
          unknown root key    | {"profiles": {"p": {"thresholds": {}}}, "extra": 1}                                 | extra: unknown key
          no profiles         | {"defaultProfile": "p"}                                                             | profiles: must be a non-empty object
          default unknown     | {"defaultProfile": "q", "profiles": {"p": {"thresholds": {}}}}                      | defaultProfile: must name one of [p]
          refusal not text    | {"profiles": {"p": {"thresholds": {}, "refusals": {"self_harm": 3}}}}               | profiles.p.refusals.self_harm: must be a text
          refusal blank       | {"profiles": {"p": {"thresholds": {}, "refusals": {"self_harm": " "}}}}             | profiles.p.refusals.self_harm: refusal category and text must not be blank
          shadow not boolean  | {"profiles": {"p": {"shadow": "yes", "thresholds": {}}}}                            | profiles.p.shadow: must be true or false
          bad version         | {"version": 2, "profiles": {"p": {"thresholds": {}}}}                               | version: must be 1
          duplicate key       | {"profiles": {"p": {"thresholds": {}}, "p": {"thresholds": {}}}}                    | not valid JSON
          not json            | {"profiles":                                                                        | not valid JSON
          """)
  void fromJson_invalidFile_rejectedNamingEntry(String name, String json, String message)
      throws IOException {
    var file = write(json);

    assertThatThrownBy(() -> Policy.fromJson(file))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith(file.toString() + ": ")
        .hasMessageContaining(message);
  }

  @Test
  void fromJson_nestedTooDeepOrHugeName_rejectedNamingFile() throws IOException {
    var deep = write("{\"profiles\": " + "[".repeat(1_500) + "]".repeat(1_500) + "}");
    var huge = write("{\"profiles\": {\"" + "p".repeat(30_000_000) + "\": {\"thresholds\": {}}}}");

    for (var file : List.of(deep, huge)) {
      assertThatThrownBy(() -> Policy.fromJson(file))
          .isInstanceOf(PolicyException.class)
          .hasMessageStartingWith(file + ": not valid JSON");
    }
  }

  @Test
  void fromJson_missingFile_rejectedNamingFile() {
    var missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> Policy.fromJson(missing))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("cannot read policy file " + missing);
  }
}
