package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloadTest {

  private static final String FLAG_AT_HALF =
      """
      {"profiles": {"p": {"thresholds": {"toxicity": {"flag": 0.5}}}}}
      """;
  private static final String BLOCK_AT_HALF =
      """
      {"profiles": {"p": {"thresholds": {"toxicity": {"block": 0.5}}}}}
      """;

  @TempDir Path dir;

  private final KeywordClassifier toxicity =
      KeywordClassifier.single("toxicity", "toxicity", "rude", 0.6);

  @Test
  void reloadPolicy_validFile_appliesToNextCheck() throws IOException {
    var file = Files.writeString(dir.resolve("policy.json"), FLAG_AT_HALF);
    var filter = SafetyFilter.builder().policyFile(file).outputStage(toxicity).build();
    assertThat(filter.check("rude", Direction.OUTPUT).decision()).isEqualTo(Decision.FLAG);

    Files.writeString(file, BLOCK_AT_HALF);
    filter.reloadPolicy();

    assertThat(filter.check("rude", Direction.OUTPUT).decision()).isEqualTo(Decision.BLOCK);
  }

  @Test
  void reloadPolicy_invalidFile_rejectedWholeAndOldPolicyStays() throws IOException {
    var file = Files.writeString(dir.resolve("policy.json"), FLAG_AT_HALF);
    var filter = SafetyFilter.builder().policyFile(file).outputStage(toxicity).build();
    var before = filter.policy();
    // The first profile is valid, the second is not: nothing of the file may apply.
    Files.writeString(
        file,
        """
        {"profiles": {"p": {"thresholds": {"toxicity": {"block": 0.1}}},
                      "q": {"thresholds": {"toxicity": {"block": 7}}}}}
        """);

    assertThatThrownBy(filter::reloadPolicy)
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("profiles.q.thresholds.toxicity.block");
    assertThat(filter.policy()).isSameAs(before);
    assertThat(filter.check("rude", Direction.OUTPUT).decision()).isEqualTo(Decision.FLAG);
  }

  @Test
  void reloadPolicy_underConcurrentChecks_everyVerdictUsesOneWholePolicy() throws Exception {
    var file = Files.writeString(dir.resolve("policy.json"), FLAG_AT_HALF);
    var filter = SafetyFilter.builder().policyFile(file).outputStage(toxicity).build();
    var stop = new AtomicBoolean();
    var pool = Executors.newFixedThreadPool(4);
    try {
      var futures = new ArrayList<Future<Boolean>>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  while (!stop.get()) {
                    var decision = filter.check("rude", Direction.OUTPUT).decision();
                    if (decision != Decision.FLAG && decision != Decision.BLOCK) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (int i = 0; i < 50; i++) {
        Files.writeString(file, i % 2 == 0 ? BLOCK_AT_HALF : FLAG_AT_HALF);
        filter.reloadPolicy();
      }
      stop.set(true);
      for (var future : futures) {
        assertThat(future.get(10, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reloadPolicy_filterBuiltInCode_throws() {
    var filter = SafetyFilter.builder().policy(Policy.of(Profile.builder("p").build())).build();

    assertThatThrownBy(filter::reloadPolicy).isInstanceOf(IllegalStateException.class);
  }
}
