package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VerdictCacheTest {

  private static final Policy POLICY =
      Policy.of(Profile.builder("p").flag("toxicity", 0.5).block("toxicity", 0.9).build());

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final KeywordClassifier toxicity =
      KeywordClassifier.single("toxicity", "toxicity", "rude", 0.6);

  private double cacheGets(String result) {
    var counter =
        registry
            .find("cache.gets")
            .tag("cache", "parapet.verdicts")
            .tag("result", result)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void check_repeatedText_hitsCacheWithSameVerdict() {
    var filter =
        SafetyFilter.builder().policy(POLICY).outputStage(toxicity).meterRegistry(registry).build();

    var first = filter.check("rude text", Direction.OUTPUT);
    var second = filter.check("rude text", Direction.OUTPUT);

    assertThat(toxicity.calls()).isEqualTo(1);
    assertThat(second.decision()).isEqualTo(first.decision());
    assertThat(second.scores()).isEqualTo(first.scores());
    assertThat(first.stages().get(0).cached()).isFalse();
    assertThat(second.stages().get(0).cached()).isTrue();
    assertThat(cacheGets("hit")).isEqualTo(1.0);
    assertThat(cacheGets("miss")).isEqualTo(1.0);
  }

  @Test
  void check_newModelVersion_missesCache() {
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(toxicity).build();
    filter.check("rude text", Direction.OUTPUT);

    toxicity.setVersion("v2");
    var verdict = filter.check("rude text", Direction.OUTPUT);

    assertThat(toxicity.calls()).isEqualTo(2);
    assertThat(verdict.stages().get(0).cached()).isFalse();
  }

  @Test
  void check_policyChange_appliesToCachedScores() {
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(toxicity).build();
    assertThat(filter.check("rude text", Direction.OUTPUT).decision()).isEqualTo(Decision.FLAG);

    filter.updatePolicy(Policy.of(Profile.builder("p").block("toxicity", 0.5).build()));
    var verdict = filter.check("rude text", Direction.OUTPUT);

    assertThat(verdict.stages().get(0).cached()).isTrue();
    assertThat(verdict.decision()).isEqualTo(Decision.BLOCK);
  }

  @Test
  void check_textsDifferingOnlyInLoneSurrogate_doNotShareEntry() {
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(toxicity).build();

    filter.check("a\uD800", Direction.OUTPUT);
    filter.check("a?", Direction.OUTPUT);

    assertThat(toxicity.calls()).isEqualTo(2);
  }

  @Test
  void check_afterTtl_recomputes() {
    var now = new AtomicLong();
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(toxicity)
            .verdictCache(100, Duration.ofMinutes(10))
            .cacheTicker(now::get)
            .build();
    filter.check("rude text", Direction.OUTPUT);
    now.addAndGet(Duration.ofMinutes(9).toNanos());
    filter.check("rude text", Direction.OUTPUT);
    assertThat(toxicity.calls()).isEqualTo(1);

    now.addAndGet(Duration.ofMinutes(2).toNanos());
    filter.check("rude text", Direction.OUTPUT);

    assertThat(toxicity.calls()).isEqualTo(2);
  }

  @Test
  void check_cacheOff_alwaysComputes() {
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(toxicity)
            .verdictCache(0, Duration.ofMinutes(1))
            .build();

    filter.check("rude text", Direction.OUTPUT);
    filter.check("rude text", Direction.OUTPUT);

    assertThat(toxicity.calls()).isEqualTo(2);
  }

  @Test
  void check_failure_isNotCached() {
    var failures = new AtomicInteger();
    var flaky =
        new dev.parapet.spi.Classifier() {
          @Override
          public String id() {
            return "flaky";
          }

          @Override
          public String version() {
            return "1";
          }

          @Override
          public Set<String> categories() {
            return Set.of("toxicity");
          }

          @Override
          public List<Map<String, Double>> classify(List<String> texts) {
            if (failures.getAndIncrement() == 0) {
              throw new IllegalStateException("first call fails");
            }
            return List.of(Map.of("toxicity", 0.0));
          }
        };
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(flaky).build();

    assertThat(filter.check("x", Direction.OUTPUT).decision()).isEqualTo(Decision.BLOCK);
    assertThat(filter.check("x", Direction.OUTPUT).decision()).isEqualTo(Decision.ALLOW);
  }

  @Test
  void check_concurrentIdenticalTexts_computeOnce() throws Exception {
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var calls = new AtomicInteger();
    var slow =
        new dev.parapet.spi.Classifier() {
          @Override
          public String id() {
            return "slow";
          }

          @Override
          public String version() {
            return "1";
          }

          @Override
          public Set<String> categories() {
            return Set.of("toxicity");
          }

          @Override
          public List<Map<String, Double>> classify(List<String> texts) {
            calls.incrementAndGet();
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return List.of(Map.of("toxicity", 0.7));
          }
        };
    var filter = SafetyFilter.builder().policy(POLICY).outputStage(slow).build();
    var pool = Executors.newFixedThreadPool(8);
    try {
      var futures = new ArrayList<Future<Verdict>>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> filter.check("same text", Direction.OUTPUT)));
      }
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();
      for (var future : futures) {
        assertThat(future.get(10, TimeUnit.SECONDS).decision()).isEqualTo(Decision.FLAG);
      }
      assertThat(calls).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
