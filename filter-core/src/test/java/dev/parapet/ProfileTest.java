package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProfileTest {

  private final Profile profile =
      Profile.builder("balanced")
          .flag("toxicity", 0.5)
          .redact("toxicity", 0.7)
          .block("toxicity", 0.9)
          .flag(Profile.ANY_CATEGORY, 0.8)
          .build();

  @Test
  void decide_scoreAtEachThreshold_returnsThatDecision() {
    assertThat(profile.decide("toxicity", 0.49)).isEqualTo(Decision.ALLOW);
    assertThat(profile.decide("toxicity", 0.5)).isEqualTo(Decision.FLAG);
    assertThat(profile.decide("toxicity", 0.7)).isEqualTo(Decision.REDACT);
    assertThat(profile.decide("toxicity", 0.9)).isEqualTo(Decision.BLOCK);
    assertThat(profile.decide("toxicity", 1.0)).isEqualTo(Decision.BLOCK);
  }

  @Test
  void decide_categoryWithoutEntry_usesWildcard() {
    assertThat(profile.decide("hate", 0.79)).isEqualTo(Decision.ALLOW);
    assertThat(profile.decide("hate", 0.8)).isEqualTo(Decision.FLAG);
  }

  @Test
  void decide_noEntryNoWildcard_isAlwaysAllow() {
    var plain = Profile.builder("p").block("toxicity", 0.5).build();
    assertThat(plain.decide("hate", 1.0)).isEqualTo(Decision.ALLOW);
  }

  @Test
  void decide_higherScore_neverLowersDecision() {
    var random = new Random(42);
    IntStream.range(0, 10_000)
        .forEach(
            i -> {
              double a = random.nextDouble();
              double b = random.nextDouble();
              double low = Math.min(a, b);
              double high = Math.max(a, b);
              assertThat(profile.decide("toxicity", high).atLeast(profile.decide("toxicity", low)))
                  .as("score %s vs %s", high, low)
                  .isTrue();
            });
  }

  @Test
  void threshold_outOfRange_rejectedNamingValue() {
    assertThatThrownBy(() -> Profile.builder("p").block("toxicity", 1.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("block threshold must be in [0, 1], was 1.2");
  }

  @Test
  void threshold_nan_rejectedRatherThanUnsettingIt() {
    var builder = Profile.builder("p").block("toxicity", 0.9);

    assertThatThrownBy(() -> builder.block("toxicity", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("block threshold must be in [0, 1], was NaN");
    assertThat(builder.build().decide("toxicity", 0.95)).isEqualTo(Decision.BLOCK);
  }

  @Test
  void refusal_blank_rejected() {
    assertThatThrownBy(() -> Profile.builder("p").refusal("self_harm", " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Profile.builder("p").refusal("self_harm", "Reach out.").build().refusals())
        .containsEntry("self_harm", "Reach out.");
  }

  @Test
  void threshold_flagAboveBlock_rejected() {
    assertThatThrownBy(() -> Profile.builder("p").block("toxicity", 0.5).flag("toxicity", 0.7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flag threshold (0.7) must not exceed block threshold (0.5)");
  }

  @Test
  void decision_max_isMostSevere() {
    assertThat(Decision.FLAG.max(Decision.BLOCK)).isEqualTo(Decision.BLOCK);
    assertThat(Decision.REDACT.max(Decision.ALLOW)).isEqualTo(Decision.REDACT);
  }

  @Test
  void policy_profileByName_orDefault() {
    var strict = Profile.builder("strict").block("toxicity", 0.3).build();
    var policy = Policy.builder().profile(profile).profile(strict).defaultProfile("strict").build();
    assertThat(policy.profile(null)).isSameAs(strict);
    assertThat(policy.profile("balanced")).isSameAs(profile);
    assertThatThrownBy(() -> policy.profile("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown profile 'nope'");
  }

  @Test
  void policy_defaultNotAmongProfiles_rejected() {
    assertThatThrownBy(() -> Policy.builder().profile(profile).defaultProfile("other").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("default profile 'other'");
  }
}
