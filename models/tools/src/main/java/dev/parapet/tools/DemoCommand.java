package dev.parapet.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.Context;
import dev.parapet.Decision;
import dev.parapet.StreamOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code bin/parapet demo [--profile NAME] [--stream [--token-ms N]]}: runs a small shipped sample
 * of prompts and answers through the default filter (the shipped models, balanced profile) and
 * prints per text the decision, the top categories and the latency. Blocked texts are not echoed.
 * With {@code --stream} it replays sample answers token by token through a guarded stream instead
 * (see {@link StreamDemo}).
 */
final class DemoCommand {

  static final String SAMPLES = "/dev/parapet/tools/demo-samples.jsonl";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DemoCommand() {}

  static int run(String[] args, PrintStream out) {
    var options = Args.parse(args, Set.of("--profile", "--token-ms"), Set.of("--stream"));
    String samples;
    try (var in = DemoCommand.class.getResourceAsStream(SAMPLES)) {
      samples = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (var defaults = DefaultFilter.open(null)) {
      var filter = defaults.filter();
      var profile = options.get("--profile");
      if (profile != null && !filter.policy().names().contains(profile)) {
        throw new UsageException(
            "unknown profile '" + profile + "', known: " + filter.policy().names());
      }
      var context = Context.defaults().withProfile(profile);
      filter.check("warm-up", CheckCommand.direction("input"), context);
      if (options.has("--stream")) {
        long tokenMillis = tokenMillis(options.get("--token-ms", "40"));
        out.printf(
            "Parapet demo --stream: model guard (%s), profile %s, windows of one sentence (at most %d chars,"
                + " %d ms)%n%n",
            defaults.classifier().executionProvider(),
            filter.policy().profile(profile).name(),
            StreamOptions.defaults().windowChars(),
            StreamOptions.defaults().maxDelay().toMillis());
        StreamDemo.run(filter, context, tokenMillis, out);
        return 0;
      }
      out.printf(
          "Parapet demo: model guard (%s), profile %s%n%n",
          defaults.classifier().executionProvider(), filter.policy().profile(profile).name());
      out.printf(
          Locale.ROOT,
          "%-18s %-6s %-8s %8s  %-44s %s%n",
          "sample",
          "side",
          "decision",
          "ms",
          "top categories",
          "text as released");
      for (var line : samples.lines().filter(l -> !l.isBlank()).toList()) {
        var node = readTree(line);
        var direction = CheckCommand.direction(node.get("direction").asText());
        long start = System.nanoTime();
        var verdict = filter.check(node.get("text").asText(), direction, context);
        double millis = (System.nanoTime() - start) / 1e6;
        var top =
            verdict.scores().entrySet().stream()
                .sorted(
                    Comparator.comparingDouble(
                            (java.util.Map.Entry<String, Double> e) -> e.getValue())
                        .reversed())
                .limit(3)
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        var shown = verdict.decision() == Decision.BLOCK ? "[withheld]" : preview(verdict.text());
        out.printf(
            Locale.ROOT,
            "%-18s %-6s %-8s %8.1f  %-44s %s%n",
            node.get("id").asText(),
            direction.name().toLowerCase(Locale.ROOT),
            verdict.decision(),
            millis,
            top,
            shown);
      }
    }
    return 0;
  }

  private static long tokenMillis(String value) {
    try {
      long millis = Long.parseLong(value);
      if (millis >= 0 && millis <= 10_000) {
        return millis;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        "--token-ms must be a whole number of milliseconds in [0, 10000], was '" + value + "'");
  }

  private static String preview(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String line) {
    try {
      return MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
