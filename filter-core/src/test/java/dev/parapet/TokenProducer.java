package dev.parapet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real producer thread that emits a text as tokens at a steady rate, as a streaming model does,
 * and stops when cancelled. Records when each token was sent.
 */
final class TokenProducer {

  private final List<String> tokens;
  private final long intervalMillis;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final long[] sentNanos;
  private Thread thread;

  TokenProducer(String text, int tokenChars, long intervalMillis) {
    this.tokens = split(text, tokenChars);
    this.intervalMillis = intervalMillis;
    this.sentNanos = new long[tokens.size()];
  }

  /**
   * Splits after every space, and long words every {@code tokenChars}, like a subword tokenizer.
   */
  static List<String> split(String text, int tokenChars) {
    var tokens = new ArrayList<String>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ' || i + 1 - start >= tokenChars) {
        tokens.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      tokens.add(text.substring(start));
    }
    return tokens;
  }

  /**
   * Starts the thread: every token goes to {@code sink}, then {@code done} runs unless cancelled.
   */
  TokenProducer start(Consumer<String> sink, Runnable done) {
    thread =
        new Thread(
            () -> {
              for (int i = 0; i < tokens.size() && !cancelled.get(); i++) {
                sentNanos[i] = System.nanoTime();
                sink.accept(tokens.get(i));
                sent.incrementAndGet();
                try {
                  Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                  return;
                }
              }
              if (!cancelled.get()) {
                done.run();
              }
            },
            "test-producer");
    thread.start();
    return this;
  }

  void cancel() {
    cancelled.set(true);
    thread.interrupt();
  }

  boolean cancelled() {
    return cancelled.get();
  }

  int sent() {
    return sent.get();
  }

  int total() {
    return tokens.size();
  }

  List<String> tokens() {
    return tokens;
  }

  /** When the token holding char {@code offset} of the text was sent. */
  long sentAt(long offset) {
    long end = 0;
    for (int i = 0; i < tokens.size(); i++) {
      end += tokens.get(i).length();
      if (offset < end) {
        return sentNanos[i];
      }
    }
    throw new IllegalArgumentException("offset " + offset + " is past the text");
  }

  boolean join(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }
}
