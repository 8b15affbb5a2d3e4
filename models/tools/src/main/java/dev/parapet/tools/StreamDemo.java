package dev.parapet.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.Context;
import dev.parapet.GuardedStream;
import dev.parapet.Reason;
import dev.parapet.SafetyFilter;
import dev.parapet.StreamEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bin/parapet demo --stream}: replays shipped sample answers word by word, at a steady rate,
 * through a {@link GuardedStream} of the default filter, and prints each event as it happens: what
 * was released and when, how long it was held back, and where a stream was stopped. Blocked text is
 * never printed.
 */
final class StreamDemo {

  static final String SAMPLES = "/dev/parapet/tools/demo-stream-samples.jsonl";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private StreamDemo() {}

  static void run(SafetyFilter filter, Context context, long tokenMillis, PrintStream out) {
    for (var sample : samples()) {
      replay(filter, context, sample[0], sample[1], tokenMillis, out);
      out.println();
    }
  }

  private static void replay(
      SafetyFilter filter,
      Context context,
      String id,
      String text,
      long tokenMillis,
      PrintStream out) {
    var tokens = List.of(text.split("(?<= )"));
    out.printf(
        Locale.ROOT, "stream %s: %d tokens, one every %d ms%n", id, tokens.size(), tokenMillis);
    var events = new LinkedBlockingQueue<StreamEvent>();
    GuardedStream stream = filter.openStream(context, events::add);
    var cancelled = new AtomicBoolean();
    var sent = new AtomicInteger();
    long start = System.nanoTime();
    var producer =
        new Thread(
            () -> {
              for (var token : tokens) {
                if (cancelled.get()) {
                  return;
                }
                stream.accept(token);
                sent.incrementAndGet();
                try {
                  Thread.sleep(tokenMillis);
                } catch (InterruptedException e) {
                  return;
                }
              }
              stream.complete();
            },
            "demo-model");
    stream.onCancel(
        () -> {
          cancelled.set(true);
          producer.interrupt();
        });
    producer.start();
    try {
      StreamEvent event;
      do {
        event = events.poll(60, TimeUnit.SECONDS);
        if (event == null) {
          throw new IllegalStateException("stream " + id + " produced no event for 60 s");
        }
        print(event, start, text.length(), out);
      } while (!event.terminal());
      producer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stream.cancel();
      return;
    }
    if (cancelled.get()) {
      out.printf(
          Locale.ROOT, "  upstream cancelled after %d of %d tokens%n", sent.get(), tokens.size());
    }
  }

  private static void print(StreamEvent event, long start, int total, PrintStream out) {
    long now = System.nanoTime();
    if (event instanceof StreamEvent.Released released) {
      out.printf(
          Locale.ROOT,
          "  %6d ms  released %4d chars  \"%s\"%n",
          TimeUnit.NANOSECONDS.toMillis(released.nanos() - start),
          released.text().length(),
          released.text().strip().replace("\n", "\\n"));
    } else if (event instanceof StreamEvent.Blocked blocked) {
      out.printf(
          Locale.ROOT,
          "  %6d ms  BLOCKED after %d of %d chars (%s); the window and the rest are withheld%n",
          TimeUnit.NANOSECONDS.toMillis(now - start),
          blocked.releasedChars(),
          total,
          causes(blocked.verdict().reasons()));
    } else if (event instanceof StreamEvent.Completed completed) {
      out.printf(
          Locale.ROOT,
          "  %6d ms  completed: %s, %d chars released%n",
          TimeUnit.NANOSECONDS.toMillis(now - start),
          completed.decision(),
          completed.releasedChars());
    } else if (event instanceof StreamEvent.Failed failed) {
      out.printf(
          Locale.ROOT,
          "  %6d ms  FAILED after %d chars: %s%n",
          TimeUnit.NANOSECONDS.toMillis(now - start),
          failed.releasedChars(),
          failed.error());
    }
  }

  private static String causes(List<Reason> reasons) {
    var sorted = new ArrayList<>(reasons);
    sorted.sort(Comparator.comparingDouble(Reason::score).reversed());
    var parts = new ArrayList<String>();
    for (var reason : sorted.subList(0, Math.min(3, sorted.size()))) {
      parts.add(
          String.format(
              Locale.ROOT, "%s %.2f %s", reason.category(), reason.score(), reason.decision()));
    }
    return String.join(", ", parts);
  }

  private static List<String[]> samples() {
    try (var in = StreamDemo.class.getResourceAsStream(SAMPLES)) {
      var samples = new ArrayList<String[]>();
      for (var line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
        if (!line.isBlank()) {
          var node = MAPPER.readTree(line);
          samples.add(new String[] {node.get("id").asText(), node.get("text").asText()});
        }
      }
      return samples;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
