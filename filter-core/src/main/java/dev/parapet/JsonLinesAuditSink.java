package dev.parapet;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parapet.spi.AuditSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Appends one JSON object per check to a file: time, ids, profile, direction, decisions, scores,
 * span offsets and reasons. It never writes the checked or released text.
 *
 * <p>Thread-safe: records are written whole, one line each, and flushed, so none is lost on a crash
 * after {@link #record} returns. Writes are synchronous; for high volume, wrap it in an
 * asynchronous sink. Close it when done; records after close throw {@link IllegalStateException}.
 */
public final class JsonLinesAuditSink implements AuditSink, AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final BufferedWriter writer;
  private boolean closed;

  private JsonLinesAuditSink(Path file, BufferedWriter writer) {
    this.file = file;
    this.writer = writer;
  }

  /**
   * Opens a file for appending, creating it if needed.
   *
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static JsonLinesAuditSink open(Path file) {
    requireNonNull(file, "file");
    try {
      var writer =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return new JsonLinesAuditSink(file, writer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit file " + file, e);
    }
  }

  @Override
  public void record(AuditRecord record) {
    var line = toJson(record).toString();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("audit sink for " + file + " is closed");
      }
      try {
        writer.write(line);
        writer.newLine();
        writer.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write audit file " + file, e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close audit file " + file, e);
    }
  }

  static ObjectNode toJson(AuditRecord record) {
    var verdict = record.verdict();
    var context = record.context();
    var node = MAPPER.createObjectNode();
    node.put("time", record.time().toString());
    node.put("requestId", context.requestId());
    node.put("tenant", context.tenant());
    node.put("profile", verdict.profile());
    node.put("direction", lower(verdict.direction()));
    node.put("decision", verdict.decision().name());
    node.put("shadowDecision", verdict.shadowDecision().name());
    node.put("micros", record.nanos() / 1_000);
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
    var reasons = node.putArray("reasons");
    for (var reason : verdict.reasons()) {
      reasons
          .addObject()
          .put("category", reason.category())
          .put("decision", reason.decision().name())
          .put("score", reason.score())
          .put("stage", reason.stage())
          .put("shadow", reason.shadow());
    }
    var attributes = node.putObject("attributes");
    new TreeMap<>(context.attributes()).forEach(attributes::put);
    return node;
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
