package dev.parapet.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parapet.Context;
import dev.parapet.Direction;
import dev.parapet.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code bin/parapet check [--profile NAME] [--direction input|output] [--policy FILE]}: reads text
 * on stdin and prints one JSON object: {@code {"decision", "scores", "spans", "text"}}.
 */
final class CheckCommand {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CheckCommand() {}

  static int run(String[] args, InputStream in, PrintStream out) {
    var options = Args.parse(args, Set.of("--profile", "--direction", "--policy"), Set.of());
    var direction = direction(options.get("--direction", "output"));
    var policy = options.get("--policy");
    try (var defaults = DefaultFilter.open(policy == null ? null : Path.of(policy))) {
      return check(defaults.filter(), options, direction, in, out);
    }
  }

  private static int check(
      dev.parapet.SafetyFilter filter,
      Args options,
      Direction direction,
      InputStream in,
      PrintStream out) {
    var profile = options.get("--profile");
    if (profile != null && !filter.policy().names().contains(profile)) {
      throw new UsageException(
          "unknown profile '"
              + profile
              + "', known: "
              + filter.policy().names().stream().sorted().toList());
    }
    String text;
    try {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read stdin", e);
    }
    var verdict = filter.check(text, direction, Context.defaults().withProfile(profile));
    out.println(toJson(verdict));
    out.flush();
    return 0;
  }

  static Direction direction(String value) {
    return switch (value) {
      case "input" -> Direction.INPUT;
      case "output" -> Direction.OUTPUT;
      default ->
          throw new UsageException("--direction must be input or output, was '" + value + "'");
    };
  }

  /** The check output: decision, scores (sorted by category), spans, and the text as released. */
  static ObjectNode toJson(Verdict verdict) {
    var node = MAPPER.createObjectNode();
    node.put("decision", verdict.decision().name());
    var scores = node.putObject("scores");
    new TreeMap<>(verdict.scores()).forEach(scores::put);
    var spans = node.putArray("spans");
    for (var span : verdict.spans()) {
      spans
          .addObject()
          .put("start", span.start())
          .put("end", span.end())
          .put("category", span.category())
          .put("type", span.type());
    }
    node.put("text", verdict.text());
    return node;
  }
}
