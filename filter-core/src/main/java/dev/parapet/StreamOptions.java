package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a {@link GuardedStream} cuts a token stream into windows, and how long it may hold text back.
 *
 * <p>Text reaches the consumer only after the window holding it has passed the output stages. A
 * window closes at the end of a sentence (a {@code . ! ?} followed by a space, or a line break),
 * when {@link #windowChars()} chars are waiting (cut at a space where there is one), or when the
 * oldest waiting char is {@link #maxDelay()} old, whichever comes first. One sentence per window
 * keeps a harmful sentence from being averaged away among benign ones by a pooled classifier. When
 * a window was cut inside a sentence, the released part of that sentence (up to {@link
 * #contextChars()} chars) is checked again in front of the next window, so a phrase split across
 * two windows is still seen whole.
 *
 * <p>Hold-back bound: a char waits at most {@code maxDelay} before its window is handed to the
 * stages, plus the rest of the check in flight (one window) if there is one, plus its own window's
 * check. While the stages keep up with the producer, at most {@code windowChars} chars wait for a
 * window to close.
 *
 * @param windowChars the most chars in one window, at least 16 (default 400)
 * @param contextChars the most chars of a released, unfinished sentence checked again in front of
 *     the next window, 0 to {@code windowChars} (default 120)
 * @param maxDelay the longest a char waits for its window to close, positive (default 250 ms)
 * @param finalCheck whether the whole text is checked once more at the end, before the last window
 *     is released (default true); the last window is then released only if the whole text passes. A
 *     longer text than that check can score (every output stage's {@code maxChars}, and a
 *     normalised text within {@code maxTextLength}) is checked by its windows and, at the end, its
 *     last part that fits
 */
public record StreamOptions(
    int windowChars, int contextChars, Duration maxDelay, boolean finalCheck) {

  private static final StreamOptions DEFAULTS =
      new StreamOptions(400, 120, Duration.ofMillis(250), true);

  /** Validates the settings. */
  public StreamOptions {
    if (windowChars < 16) {
      throw new IllegalArgumentException("windowChars must be >= 16, was " + windowChars);
    }
    if (contextChars < 0 || contextChars > windowChars) {
      throw new IllegalArgumentException(
          "contextChars must be in [0, windowChars=" + windowChars + "], was " + contextChars);
    }
    requireNonNull(maxDelay, "maxDelay");
    if (maxDelay.isNegative() || maxDelay.isZero()) {
      throw new IllegalArgumentException("maxDelay must be positive, was " + maxDelay);
    }
  }

  /** Returns the defaults: 400-char windows, 120 chars of context, 250 ms, final check on. */
  public static StreamOptions defaults() {
    return DEFAULTS;
  }

  /** Returns a copy with the given window size. */
  public StreamOptions withWindowChars(int windowChars) {
    return new StreamOptions(
        windowChars, Math.min(contextChars, windowChars), maxDelay, finalCheck);
  }

  /** Returns a copy with the given context size. */
  public StreamOptions withContextChars(int contextChars) {
    return new StreamOptions(windowChars, contextChars, maxDelay, finalCheck);
  }

  /** Returns a copy with the given longest hold-back time. */
  public StreamOptions withMaxDelay(Duration maxDelay) {
    return new StreamOptions(windowChars, contextChars, maxDelay, finalCheck);
  }

  /** Returns a copy with the final whole-text check on or off. */
  public StreamOptions withFinalCheck(boolean finalCheck) {
    return new StreamOptions(windowChars, contextChars, maxDelay, finalCheck);
  }
}
