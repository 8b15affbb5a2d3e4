package dev.parapet;

import static java.util.Objects.requireNonNull;

import dev.parapet.internal.FilterMetrics;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Guards one streamed completion: the producer pushes chunks in, the consumer receives only text
 * whose window has passed the output stages, as {@link StreamEvent}s.
 *
 * <p>Windows and the hold-back bound are set by {@link StreamOptions}. Windows are checked one at a
 * time, in order, on the filter's executor; events reach the consumer on that executor's threads,
 * one at a time and in order: {@link StreamEvent.Released} events, then one terminal event.
 *
 * <ul>
 *   <li>BLOCK: upstream is cancelled (the {@link #onCancel} hook runs), nothing of the blocked
 *       window is released, and {@link StreamEvent.Blocked} carries the verdict and the refusal.
 *   <li>REDACT: the window is released masked; text released earlier is never changed.
 *   <li>A stage error under {@link FailMode#CLOSED} blocks like any BLOCK: a stream that cannot be
 *       checked is stopped, never passed through.
 *   <li>{@link #fail(Throwable)} from the producer: the text received so far is checked and
 *       released as usual, then {@link StreamEvent.Failed} ends the stream.
 * </ul>
 *
 * <p>Thread-safe: the producer's calls never block on a check and may come from any thread, one at
 * a time. After {@link #cancel()} returns, no event starts being delivered. A consumer that throws
 * cancels the stream. Chunks pushed after the stream ended (blocked, cancelled) are dropped.
 *
 * <pre>{@code
 * GuardedStream stream = filter.openStream(context, event -> {
 *   if (event instanceof StreamEvent.Released r) response.write(r.text());
 *   if (event instanceof StreamEvent.Blocked b) response.write(b.refusal());
 * });
 * stream.onCancel(modelCall::cancel);
 * model.stream(prompt, stream::accept, stream::complete, stream::fail);
 * }</pre>
 */
public final class GuardedStream {

  private final Pipeline pipeline;
  private final Context context;
  private final StreamOptions options;
  private final Executor executor;
  private final Consumer<? super StreamEvent> consumer;
  private final LongSupplier nanoTime;
  private final FilterMetrics metrics;
  private final Redaction.Vault vault;
  private final Redaction.Vault restore;

  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private final StringBuilder pending = new StringBuilder();
  private final ArrayDeque<long[]> arrivals = new ArrayDeque<>(); // {end offset received, nanos}
  private final StringBuilder checked = new StringBuilder(); // original text released so far
  private long received;
  private long consumed;
  private long releasedChars;
  private boolean checking;
  private boolean upstreamDone;
  private Throwable upstreamError;
  private boolean gateOpen = true;
  private boolean ended;
  private boolean upstreamCancelled;
  private Runnable cancelHook;
  private ScheduledFuture<?> timer;
  private Decision strongest = Decision.ALLOW;
  private volatile boolean silenced;

  GuardedStream(
      Pipeline pipeline,
      Context context,
      StreamOptions options,
      Executor executor,
      Consumer<? super StreamEvent> consumer,
      LongSupplier nanoTime,
      FilterMetrics metrics,
      Redaction.Vault vault,
      Redaction.Vault restore) {
    this.pipeline = pipeline;
    this.context = context;
    this.options = options;
    this.executor = executor;
    this.consumer = consumer;
    this.nanoTime = nanoTime;
    this.metrics = metrics;
    this.vault = vault != null ? vault : new Redaction.Vault(); // one numbering for all windows
    this.restore = restore;
  }

  /**
   * Pushes the next chunk of the completion. Never blocks on a check.
   *
   * @throws IllegalStateException if the producer already called {@link #complete} or {@link #fail}
   */
  public void accept(String chunk) {
    requireNonNull(chunk, "chunk");
    Window start;
    synchronized (lock) {
      if (upstreamDone) {
        throw new IllegalStateException("accept after complete() or fail()");
      }
      if (ended || chunk.isEmpty()) {
        return;
      }
      long now = nanoTime.getAsLong();
      pending.append(chunk);
      received += chunk.length();
      arrivals.addLast(new long[] {received, now});
      start = nextCheck(now);
    }
    submit(start);
  }

  /**
   * Ends the completion normally: what is held is checked (with the whole text, if set) and
   * released.
   */
  public void complete() {
    end(null);
  }

  /**
   * Ends the completion with an error: what arrived is still checked and released, then {@link
   * StreamEvent.Failed} carries the error.
   */
  public void fail(Throwable error) {
    end(requireNonNull(error, "error"));
  }

  /**
   * Cancels the stream from the consumer's side: held text is dropped, the {@link #onCancel} hook
   * runs, and no further event starts being delivered. Idempotent.
   */
  public void cancel() {
    Runnable hook;
    synchronized (lock) {
      silenced = true;
      if (ended) {
        return;
      }
      hook = endLocked();
    }
    metrics.streamEnded("cancelled");
    runHook(hook);
  }

  /**
   * Sets what cancels the upstream producer (for example the model call's cancel). It runs at most
   * once, on BLOCK, on {@link #cancel()}, or when the text cannot be checked; at once if that
   * already happened.
   */
  public void onCancel(Runnable hook) {
    requireNonNull(hook, "hook");
    boolean runNow;
    synchronized (lock) {
      runNow = upstreamCancelled;
      if (!runNow) {
        cancelHook = hook;
      }
    }
    if (runNow) {
      runHook(hook);
    }
  }

  /**
   * Returns whether the stream has ended: terminal event delivered or being delivered, or
   * cancelled.
   */
  public boolean isDone() {
    synchronized (lock) {
      return ended;
    }
  }

  /**
   * Holds every check until {@link #openGate()}; used while a speculative call's prompt is checked.
   */
  void closeGate() {
    synchronized (lock) {
      gateOpen = false;
    }
  }

  /** Lets checks start; what arrived meanwhile is windowed as usual. */
  void openGate() {
    Window start;
    synchronized (lock) {
      gateOpen = true;
      start = nextCheck(nanoTime.getAsLong());
    }
    submit(start);
  }

  /** Ends the stream with a verdict reached elsewhere (a blocked prompt): cancels upstream. */
  void block(Verdict verdict) {
    stop("blocked", released -> new StreamEvent.Blocked(verdict, released));
  }

  /** Cancels upstream and ends the stream without any event (a discarded speculative call). */
  void discard() {
    silenced = true;
    cancel();
  }

  private void end(Throwable error) {
    Window start;
    synchronized (lock) {
      if (upstreamDone) {
        throw new IllegalStateException("complete() or fail() was already called");
      }
      upstreamDone = true;
      upstreamError = error;
      if (ended) {
        return;
      }
      cancelTimer();
      start = nextCheck(nanoTime.getAsLong());
    }
    submit(start);
  }

  /** A window to check: released context in front, the new text, and whether it is the last. */
  private record Window(String context, String text, boolean last, long firstArrival) {}

  /** Under lock: takes the next window if one is due and nothing runs; else arms the timer. */
  private Window nextCheck(long now) {
    if (ended || checking || !gateOpen) {
      return null;
    }
    var window = nextWindow(now);
    if (window == null) {
      armTimer(now);
      return null;
    }
    cancelTimer();
    checking = true;
    return window;
  }

  private Window nextWindow(long now) {
    if (upstreamDone && pending.length() <= options.windowChars()) {
      long first = arrivals.isEmpty() ? now : arrivals.peekFirst()[1];
      var text = pending.toString();
      consume(text.length());
      return new Window(
          options.finalCheck() ? finalContext(text.length()) : tail(), text, true, first);
    }
    if (pending.length() == 0) {
      return null;
    }
    // A backlog, even after complete(), leaves window by window: one whole-backlog check would hold
    // it all until the slowest verdict and could exceed the longest text a check takes.
    long first = arrivals.peekFirst()[1];
    boolean force = upstreamDone || now - first >= options.maxDelay().toNanos();
    int cut = StreamWindows.cut(pending, options.windowChars(), force);
    if (cut <= 0) {
      return null;
    }
    var text = pending.substring(0, cut);
    consume(cut);
    return new Window(tail(), text, false, first);
  }

  /**
   * The final check's context: the text released so far, or, when the whole text would be longer
   * than the check can score ({@link Pipeline#finalCheckChars}), its last part, which the windows
   * before have checked in full.
   */
  private String finalContext(int lastWindow) {
    return StreamWindows.lastPart(checked, pipeline.finalCheckChars() - lastWindow);
  }

  private void consume(int chars) {
    pending.delete(0, chars);
    consumed += chars;
    while (!arrivals.isEmpty() && arrivals.peekFirst()[0] <= consumed) {
      arrivals.removeFirst();
    }
  }

  private String tail() {
    return StreamWindows.tail(checked, options.contextChars());
  }

  private void armTimer(long now) {
    if (timer != null || pending.length() == 0 || upstreamDone) {
      return;
    }
    long due = arrivals.peekFirst()[1] + options.maxDelay().toNanos();
    timer = StreamTimer.schedule(this::onTimer, Math.max(0, due - now), TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    Window start;
    synchronized (lock) {
      timer = null;
      start = nextCheck(nanoTime.getAsLong());
    }
    submit(start);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private Runnable cancelUpstream() {
    if (upstreamCancelled) {
      return null;
    }
    upstreamCancelled = true;
    var hook = cancelHook;
    cancelHook = null;
    return hook;
  }

  private void submit(Window window) {
    if (window == null) {
      return;
    }
    try {
      executor.execute(
          () -> {
            try {
              check(window);
            } catch (
                RuntimeException e) { // a bug of ours must end the stream, not leave it checking
              fatal(e);
            }
          });
    } catch (RejectedExecutionException e) {
      fatal(e);
    }
  }

  /** Runs on the executor; only one runs at a time per stream, so events keep their order. */
  private void check(Window window) {
    Verdict verdict;
    try {
      verdict =
          pipeline.check(
              window.context() + window.text(),
              Direction.OUTPUT,
              context,
              vault,
              window.context().length());
    } catch (RuntimeException e) {
      fatal(e);
      return;
    }
    long now = nanoTime.getAsLong();
    if (verdict.blocked()) {
      stop("blocked", released -> new StreamEvent.Blocked(verdict, released));
      return;
    }
    var text = verdict.text().substring(window.context().length());
    if (restore != null) {
      text = restore.restore(text);
    }
    StreamEvent.Released released = null;
    StreamEvent terminal = null;
    synchronized (lock) {
      if (ended) {
        return;
      }
      strongest = strongest.max(verdict.decision());
      checked.append(window.text());
      long keep = options.finalCheck() ? pipeline.finalCheckChars() : options.contextChars() + 32;
      if (checked.length() > 2 * keep + 64) {
        checked.delete(
            0, (int) (checked.length() - keep - 32)); // the final context never needs more
      }
      if (!text.isEmpty()) {
        released = new StreamEvent.Released(text, releasedChars, now);
        releasedChars += text.length();
      }
      if (window.last()) {
        ended = true;
        terminal =
            upstreamError == null
                ? new StreamEvent.Completed(verdict, strongest, releasedChars)
                : new StreamEvent.Failed(upstreamError, releasedChars);
      }
    }
    if (released != null) {
      metrics.holdBack(now - window.firstArrival());
      emit(released);
    }
    if (terminal != null) {
      metrics.streamEnded(terminal instanceof StreamEvent.Completed ? "completed" : "failed");
      emit(terminal);
      return;
    }
    Window next;
    synchronized (lock) {
      checking = false;
      next = nextCheck(nanoTime.getAsLong());
    }
    submit(next);
  }

  /** The text could not be checked: stop, cancel upstream, release nothing more. */
  void fatal(Throwable error) {
    stop("failed", released -> new StreamEvent.Failed(error, released));
  }

  /** Ends the stream early: cancels upstream, releases nothing more, emits one terminal event. */
  private void stop(String outcome, LongFunction<StreamEvent> terminal) {
    Runnable hook;
    long released;
    synchronized (lock) {
      if (ended) {
        return;
      }
      hook = endLocked();
      released = releasedChars;
    }
    runHook(hook);
    metrics.streamEnded(outcome);
    emit(terminal.apply(released));
  }

  /**
   * Under lock: marks the stream ended, drops held text, stops the timer; returns the cancel hook.
   */
  private Runnable endLocked() {
    ended = true;
    pending.setLength(0);
    cancelTimer();
    return cancelUpstream();
  }

  private void emit(StreamEvent event) {
    if (silenced) {
      return;
    }
    try {
      consumer.accept(event);
    } catch (RuntimeException e) {
      cancel();
    }
  }

  /**
   * Runs the upstream cancel hook; its failure must not keep the terminal event from the consumer.
   */
  private static void runHook(Runnable hook) {
    if (hook != null) {
      try {
        hook.run();
      } catch (RuntimeException ignored) {
        // upstream is being abandoned either way
      }
    }
  }
}
