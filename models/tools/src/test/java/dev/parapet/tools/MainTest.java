package dev.parapet.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String stdin, String... args) {
    return Main.run(
        args,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private JsonNode json() throws Exception {
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void check_printsOneJsonObjectWithTheFixedKeys() throws Exception {
    int code = run("Hello there \uD83D\uDE00", "check", "--direction", "input");

    assertThat(code).isZero();
    var node = json();
    var keys = new ArrayList<String>();
    node.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("decision", "scores", "spans", "text");
    assertThat(node.get("decision").asText()).isIn("ALLOW", "FLAG", "REDACT", "BLOCK");
    assertThat(node.get("scores").isObject()).isTrue();
    assertThat(node.get("spans").isArray()).isTrue();
    assertThat(node.get("text").asText()).isEqualTo("Hello there \uD83D\uDE00");
    assertThat(out.toString(StandardCharsets.UTF_8).strip().lines()).hasSize(1);
  }

  @Test
  void check_emptyInput_allows() throws Exception {
    assertThat(run("", "check")).isZero();
    assertThat(json().get("decision").asText()).isEqualTo("ALLOW");
  }

  @Test
  void check_policyFile_isUsedAndProfileValidated() throws Exception {
    var policy =
        Files.writeString(
            dir.resolve("p.json"), "{\"profiles\": {\"ops\": {\"thresholds\": {\"*\": {\"block\": 0.5}}}}}");

    assertThat(run("x", "check", "--policy", policy.toString(), "--profile", "ops")).isZero();
    assertThat(run("x", "check", "--policy", policy.toString(), "--profile", "balanced")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown profile 'balanced', known: [ops]");
  }

  @Test
  void check_badDirection_exits2WithUsage() {
    assertThat(run("x", "check", "--direction", "sideways")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--direction must be input or output, was 'sideways'")
        .contains("usage: bin/parapet");
  }

  @Test
  void unknownCommandOrOption_exits2() {
    assertThat(run("", "frobnicate")).isEqualTo(2);
    assertThat(run("", "check", "--nope")).isEqualTo(2);
    assertThat(run("", "check", "--profile")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--profile needs a value");
  }

  @Test
  void invalidPolicyFile_exits1NamingEntry() throws Exception {
    var policy =
        Files.writeString(
            dir.resolve("bad.json"), "{\"profiles\": {\"ops\": {\"thresholds\": {\"*\": {\"block\": 2}}}}}");

    assertThat(run("x", "check", "--policy", policy.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("profiles.ops.thresholds.*.block");
  }
}
