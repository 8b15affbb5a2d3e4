package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConcurrencyTest {

  private static final Policy POLICY =
      Policy.of(
          Profile.builder("p")
              .flag("toxicity", 0.5)
              .block("toxicity", 0.9)
              .redact("pii", 0.5)
              .build());

  private static final String[] PARTS = {
    "hello",
    "rude",
    "awful",
    "mail bob@example.com",
    "plain",
    "tea",
    "amy@example.org",
    "\uD83D\uDE00"
  };

  @ParameterizedTest(name = "cache size {0}")
  @ValueSource(ints = {0, 16, 10_000})
  void check_manyThreads_sameVerdictsAsOneThread(int cacheSize) throws Exception {
    var texts = texts(500, new Random(7));
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(
                KeywordClassifier.of(
                    "toxicity", Map.of("toxicity", Map.of("rude", 0.6, "awful", 0.95))))
            .outputStage(PatternDetector.emails())
            .verdictCache(Math.max(cacheSize, 0), Duration.ofMinutes(5))
            .build();
    var expected = texts.stream().map(t -> key(filter.check(t, Direction.OUTPUT))).toList();

    var pool = Executors.newFixedThreadPool(16);
    try {
      var futures = new ArrayList<Future<List<String>>>();
      for (int thread = 0; thread < 16; thread++) {
        int offset = thread;
        Callable<List<String>> task =
            () -> {
              var results = new ArrayList<String>();
              for (int i = 0; i < texts.size(); i++) {
                int index = (i + offset * 31) % texts.size();
                results.add(index + "=" + key(filter.check(texts.get(index), Direction.OUTPUT)));
              }
              return results;
            };
        futures.add(pool.submit(task));
      }
      for (var future : futures) {
        for (var result : future.get(60, TimeUnit.SECONDS)) {
          int index = Integer.parseInt(result.substring(0, result.indexOf('=')));
          assertThat(result.substring(result.indexOf('=') + 1)).isEqualTo(expected.get(index));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String key(Verdict verdict) {
    return verdict.decision()
        + "|"
        + new java.util.TreeMap<>(verdict.scores())
        + "|"
        + verdict.text();
  }

  private static List<String> texts(int count, Random random) {
    var texts = new ArrayList<String>();
    for (int i = 0; i < count; i++) {
      var text = new StringBuilder();
      int words = 1 + random.nextInt(5);
      for (int w = 0; w < words; w++) {
        text.append(PARTS[random.nextInt(PARTS.length)]).append(' ');
      }
      texts.add(text.toString());
    }
    return texts;
  }
}
