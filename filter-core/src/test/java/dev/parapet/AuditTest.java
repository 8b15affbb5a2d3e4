package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTest {

  private static final Policy POLICY =
      Policy.of(Profile.builder("p").flag("toxicity", 0.5).redact("pii", 0.5).build());

  @TempDir Path dir;

  @Test
  void jsonLinesSink_writesOneLinePerCheckWithoutText() throws Exception {
    var file = dir.resolve("audit.jsonl");
    try (var sink = JsonLinesAuditSink.open(file)) {
      var filter =
          SafetyFilter.builder()
              .policy(POLICY)
              .outputStage(KeywordClassifier.single("toxicity", "toxicity", "rude", 0.6))
              .outputStage(PatternDetector.emails())
              .auditSink(sink)
              .clock(Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC))
              .build();

      filter.check(
          "rude, mail bob@example.com",
          Direction.OUTPUT,
          Context.profile("p").withRequestId("r-1"));
      filter.check("fine", Direction.INPUT);
    }

    var lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(String.join("\n", lines)).doesNotContain("bob@").doesNotContain("rude,");
    var first = new ObjectMapper().readTree(lines.get(0));
    assertThat(first.get("time").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(first.get("requestId").asText()).isEqualTo("r-1");
    assertThat(first.get("decision").asText()).isEqualTo("REDACT");
    assertThat(first.get("scores").get("toxicity").asDouble()).isEqualTo(0.6);
    assertThat(first.get("spans").get(0).get("type").asText()).isEqualTo("email");
    assertThat(first.get("spans").get(0).get("start").asInt()).isEqualTo(11);
  }

  @Test
  void jsonLinesSink_afterClose_rejectsRecords() {
    var sink = JsonLinesAuditSink.open(dir.resolve("audit.jsonl"));
    sink.close();
    sink.close(); // idempotent

    var verdict = SafetyFilter.builder().policy(POLICY).build().check("x", Direction.INPUT);
    assertThatThrownBy(
            () -> sink.record(new AuditRecord(Instant.now(), Context.defaults(), verdict, 1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void failingSink_countedAndVerdictUnchanged() {
    var registry = new SimpleMeterRegistry();
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .outputStage(KeywordClassifier.of("toxicity", Map.of("toxicity", Map.of("rude", 0.6))))
            .meterRegistry(registry)
            .auditSink(
                record -> {
                  throw new IllegalStateException("disk full");
                })
            .build();

    var verdict = filter.check("rude", Direction.OUTPUT);

    assertThat(verdict.decision()).isEqualTo(Decision.FLAG);
    assertThat(registry.get("parapet.audit.failures").counter().count()).isEqualTo(1.0);
  }
}
