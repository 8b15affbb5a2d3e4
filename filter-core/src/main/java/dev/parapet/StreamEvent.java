package dev.parapet;

import static java.util.Objects.requireNonNull;

/**
 * What a {@link GuardedStream} tells its consumer: released text, in order, then exactly one
 * terminal event ({@link Blocked}, {@link Completed} or {@link Failed}) unless the consumer
 * cancelled first.
 */
public sealed interface StreamEvent {

  /** Returns whether this event ends the stream. */
  default boolean terminal() {
    return !(this instanceof Released);
  }

  /**
   * Text that passed the output stages (masked if a window was REDACTed).
   *
   * @param text the released text, never empty
   * @param offset how many chars were released before this text
   * @param nanos when the text was released, on the filter's {@code System.nanoTime} scale
   */
  record Released(String text, long offset, long nanos) implements StreamEvent {
    /** Validates the fields. */
    public Released {
      requireNonNull(text, "text");
    }
  }

  /**
   * A window was blocked: upstream was cancelled and nothing of that window was released.
   *
   * @param verdict the verdict on the window (with its context), whose {@link Verdict#text()} is
   *     the refusal
   * @param releasedChars how many chars had been released before the block
   */
  record Blocked(Verdict verdict, long releasedChars) implements StreamEvent {
    /** Validates the fields. */
    public Blocked {
      requireNonNull(verdict, "verdict");
    }

    /** Returns the refusal text to show in place of the rest of the answer ({@code ""} if none). */
    public String refusal() {
      return verdict.text();
    }
  }

  /**
   * The stream ended and all of it was released.
   *
   * @param verdict the verdict of the final whole-text check, or of the last window if that is off
   * @param decision the strongest decision enforced on any window (FLAG if one window was flagged)
   * @param releasedChars how many chars were released in all
   */
  record Completed(Verdict verdict, Decision decision, long releasedChars) implements StreamEvent {
    /** Validates the fields. */
    public Completed {
      requireNonNull(verdict, "verdict");
      requireNonNull(decision, "decision");
    }
  }

  /**
   * The stream failed: the producer reported an error (the text that arrived before it was checked
   * and released first), or the text could not be checked at all (nothing unchecked was released).
   *
   * @param error the cause
   * @param releasedChars how many chars were released before the failure
   */
  record Failed(Throwable error, long releasedChars) implements StreamEvent {
    /** Validates the fields. */
    public Failed {
      requireNonNull(error, "error");
    }
  }
}
