package dev.parapet.classifiers.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.spi.Detector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of the default PII and secrets detectors on a fixture the team wrote: real
 * values in varied formats and countries, and benign look-alikes (order numbers, timestamps,
 * version strings, paths, placeholders). A real value counts as found when a span of its type
 * covers most of it; a look-alike counts as reported when any span of its category touches it.
 * Writes the table the README shows to {@code target/pii-precision.md}.
 */
class PiiPrecisionTest {

  private record Row(
      String id, String kind, String category, String type, String text, String value) {}

  /** True and false positives and negatives of one category or type. */
  private static final class Counts {
    int truePositives;
    int falseNegatives;
    int falsePositives;
    int trueNegatives;

    double precision() {
      return truePositives / (double) Math.max(1, truePositives + falsePositives);
    }

    double recall() {
      return truePositives / (double) Math.max(1, truePositives + falseNegatives);
    }
  }

  @Test
  void defaultDetectors_onTheFixture_meetTheirFloors() throws IOException {
    var detectors =
        Map.<String, Detector>of("pii", PiiDetector.create(), "secrets", SecretsDetector.create());
    var byCategory = new TreeMap<String, Counts>();
    var byType = new TreeMap<String, Counts>();
    var misses = new ArrayList<String>();
    for (var row : rows()) {
      int at = row.text().indexOf(row.value());
      int end = at + row.value().length();
      var spans = detectors.get(row.category()).detect(row.text());
      // A real value is found when a span of its type (any type, for secrets) covers at least 60%
      // of
      // it; a look-alike is reported when any span touches it.
      boolean found =
          row.kind().equals("real")
              ? spans.stream()
                  .anyMatch(
                      s ->
                          (row.category().equals("secrets") || s.type().equals(row.type()))
                              && Math.min(end, s.end()) - Math.max(at, s.start())
                                  >= 0.6 * (end - at))
              : spans.stream().anyMatch(s -> s.start() < end && at < s.end());
      for (var counts :
          List.of(
              byCategory.computeIfAbsent(row.category(), k -> new Counts()),
              byType.computeIfAbsent(row.category() + " " + row.type(), k -> new Counts()))) {
        if (row.kind().equals("real")) {
          if (found) {
            counts.truePositives++;
          } else {
            counts.falseNegatives++;
          }
        } else if (found) {
          counts.falsePositives++;
        } else {
          counts.trueNegatives++;
        }
      }
      if (found != row.kind().equals("real")) {
        misses.add(row.id());
      }
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(
        Path.of("target", "pii-precision.md"),
        table(byCategory, byType) + "\nwrong: " + misses + "\n");

    assertThat(byCategory.get("pii").truePositives + byCategory.get("pii").falseNegatives)
        .isGreaterThanOrEqualTo(200);
    assertThat(byCategory.get("pii").falsePositives + byCategory.get("pii").trueNegatives)
        .isGreaterThanOrEqualTo(200);
    assertThat(byCategory.get("pii").precision()).as("pii precision").isGreaterThanOrEqualTo(0.97);
    assertThat(byCategory.get("pii").recall()).as("pii recall").isGreaterThanOrEqualTo(0.95);
    assertThat(byCategory.get("secrets").precision())
        .as("secrets precision")
        .isGreaterThanOrEqualTo(0.85);
    assertThat(byCategory.get("secrets").recall())
        .as("secrets recall")
        .isGreaterThanOrEqualTo(0.95);
  }

  private static String table(Map<String, Counts> byCategory, Map<String, Counts> byType) {
    var out =
        new StringBuilder(
            "| detector, type | real values | found | look-alikes | reported | precision | recall |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (var map : List.of(byCategory, byType)) {
      map.forEach(
          (name, c) ->
              out.append(
                  String.format(
                      java.util.Locale.ROOT,
                      "| %s | %d | %d | %d | %d | %.3f | %.3f |%n",
                      map == byCategory ? "**" + name + "**" : name,
                      c.truePositives + c.falseNegatives,
                      c.truePositives,
                      c.falsePositives + c.trueNegatives,
                      c.falsePositives,
                      c.precision(),
                      c.recall())));
    }
    return out.toString();
  }

  private static List<Row> rows() throws IOException {
    var mapper = new ObjectMapper();
    var rows = new ArrayList<Row>();
    try (InputStream in =
        PiiPrecisionTest.class.getResourceAsStream("/fixtures/pii-precision.jsonl")) {
      assertThat(in).as("fixtures/pii-precision.jsonl").isNotNull();
      for (var line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          rows.add(mapper.readValue(line, Row.class));
        }
      }
    }
    return rows;
  }
}
