package dev.parapet;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A pull view of a {@link GuardedStream} over a blocking token iterator: {@link #next()} returns
 * {@link StreamEvent}s, released text first and one terminal event last.
 *
 * <p>The token iterator is drained on its own daemon thread ({@code parapet-stream-pump}), so the
 * hold-back time bound holds even while the consumer is not pulling. {@link #close()} (or a BLOCK)
 * stops that thread: it is interrupted, and the token iterator is closed if it is {@link
 * AutoCloseable}. Use from one consumer thread; close it, ideally with try-with-resources.
 */
public final class GuardedIterator implements Iterator<StreamEvent>, AutoCloseable {

  private final LinkedBlockingQueue<StreamEvent> events = new LinkedBlockingQueue<>();
  private final GuardedStream stream;
  private final Thread pump;
  private StreamEvent next;
  private boolean finished;

  GuardedIterator(Iterator<String> tokens, Function<Consumer<StreamEvent>, GuardedStream> open) {
    this.stream = open.apply(events::add);
    this.pump = new Thread(() -> pump(tokens), "parapet-stream-pump");
    pump.setDaemon(true);
    stream.onCancel(
        () -> {
          pump.interrupt();
          if (tokens instanceof AutoCloseable closeable) {
            try {
              closeable.close();
            } catch (Exception ignored) {
              // the producer is being abandoned either way
            }
          }
        });
    pump.start();
  }

  private void pump(Iterator<String> tokens) {
    try {
      while (!stream.isDone() && tokens.hasNext()) {
        stream.accept(tokens.next());
      }
      if (!stream.isDone()) {
        stream.complete();
      }
    } catch (
        Throwable e) { // an Error or a sneaky checked exception too: the consumer must not hang
      if (!stream.isDone()) {
        try {
          stream.fail(e);
        } catch (RuntimeException alreadyEnded) { // complete() itself threw after ending the input
          stream.fatal(e);
        }
      }
      if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
        throw fatal;
      }
    }
  }

  /**
   * Waits for the next event. If the waiting thread is interrupted, the stream is cancelled, the
   * interrupt flag stays set, and this returns {@code false}.
   */
  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (finished) {
      return false;
    }
    try {
      next = events.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      return false;
    }
    if (next.terminal()) {
      finished = true;
    }
    return true;
  }

  @Override
  public StreamEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    var event = next;
    next = null;
    return event;
  }

  /** Cancels the stream, if it has not ended, and stops the pump thread. Idempotent. */
  @Override
  public void close() {
    finished = true;
    next = null;
    stream.cancel();
  }

  /** Returns whether the pump thread is still running (it ends soon after the stream ends). */
  boolean pumping() {
    return pump.isAlive();
  }
}
