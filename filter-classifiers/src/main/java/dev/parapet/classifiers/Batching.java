package dev.parapet.classifiers;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Cross-request micro-batching: concurrent calls to one model are coalesced into one ONNX Runtime
 * run.
 *
 * <p>Runs are limited to {@code maxConcurrentRuns} at once; requests that arrive while every run
 * slot is busy queue up and go into the next run together, up to {@code maxBatchSize} windows of
 * similar length. So a lone caller never waits, and batches grow only under load. When the last run
 * held more than one request, a free slot may wait up to {@code maxWait} for the batch to fill.
 * Windows longer than {@code maxBatchTokens} never batch: for long texts a batch costs more than it
 * saves.
 *
 * @param maxBatchSize most windows in one run; 1 turns batching off
 * @param maxWait longest a free slot waits for more requests; zero turns batching off
 * @param maxQueue most windows waiting; beyond it, calls fail at once with {@link
 *     ClassifierException} (which the stage's fail mode handles)
 * @param maxBatchTokens longest window, in tokens, that is batched
 * @param maxConcurrentRuns runs at once; 0 means the number of processors divided by the intra-op
 *     thread count, at least 1
 */
public record Batching(
    int maxBatchSize, Duration maxWait, int maxQueue, int maxBatchTokens, int maxConcurrentRuns) {

  /** Validates the settings. */
  public Batching {
    requireNonNull(maxWait, "maxWait");
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must be >= 0, was " + maxWait);
    }
    if (maxQueue < 1) {
      throw new IllegalArgumentException("maxQueue must be >= 1, was " + maxQueue);
    }
    if (maxBatchTokens < 1) {
      throw new IllegalArgumentException("maxBatchTokens must be >= 1, was " + maxBatchTokens);
    }
    if (maxConcurrentRuns < 0) {
      throw new IllegalArgumentException(
          "maxConcurrentRuns must be >= 0, was " + maxConcurrentRuns);
    }
  }

  /**
   * Returns the defaults: batches of up to 32 windows of at most 64 tokens, 2 ms wait, queue 4096.
   */
  public static Batching defaults() {
    return new Batching(32, Duration.ofMillis(2), 4096, 64, 0);
  }

  /** Returns settings that turn batching off: every call runs on its own thread at once. */
  public static Batching off() {
    return new Batching(1, Duration.ZERO, Integer.MAX_VALUE, 1, 0);
  }

  /** Returns whether batching is on. */
  public boolean enabled() {
    return maxBatchSize > 1 && !maxWait.isZero();
  }

  /** Returns a copy with the given queue bound. */
  public Batching withMaxQueue(int newMaxQueue) {
    return new Batching(maxBatchSize, maxWait, newMaxQueue, maxBatchTokens, maxConcurrentRuns);
  }

  /** Returns a copy with the given number of concurrent runs. */
  public Batching withMaxConcurrentRuns(int runs) {
    return new Batching(maxBatchSize, maxWait, maxQueue, maxBatchTokens, runs);
  }
}
