package dev.parapet.spi;

import dev.parapet.Feedback;

/**
 * Receives users' reports of wrong verdicts, for review and retraining.
 *
 * <p>Implementations must be thread-safe. An exception thrown here propagates to the reporter.
 */
@FunctionalInterface
public interface FeedbackSink {

  /** Accepts one report. */
  void accept(Feedback feedback);
}
