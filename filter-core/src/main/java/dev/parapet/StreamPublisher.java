package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A cold {@link Flow.Publisher} of guarded stream events: every subscriber gets its own upstream
 * subscription, through its own {@link GuardedStream}. Released text and {@link
 * StreamEvent.Blocked} or {@link StreamEvent.Completed} go to {@code onNext} (the last then {@code
 * onComplete}); {@link StreamEvent.Failed} goes to {@code onError}. Cancelling downstream cancels
 * upstream.
 */
final class StreamPublisher implements Flow.Publisher<StreamEvent> {

  /** Starts one subscriber's stream: wires a fresh bridge's attempts to the upstream. */
  private final Consumer<Bridge> start;

  StreamPublisher(Consumer<Bridge> start) {
    this.start = start;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super StreamEvent> subscriber) {
    requireNonNull(subscriber, "subscriber");
    var bridge = new Bridge(subscriber);
    subscriber.onSubscribe(bridge);
    if (!bridge.cancelled) {
      start.accept(bridge);
    }
  }

  /** The downstream subscription: buffers events until they are requested. */
  final class Bridge implements Flow.Subscription {
    private final Flow.Subscriber<? super StreamEvent> downstream;
    private final ConcurrentLinkedQueue<StreamEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private volatile Attempt current;
    private boolean finished; // touched only inside drain

    Bridge(Flow.Subscriber<? super StreamEvent> downstream) {
      this.downstream = downstream;
    }

    /**
     * Opens a guarded stream whose events reach this subscriber; it replaces the current one as the
     * stream a downstream cancel reaches.
     */
    Attempt open(Function<Consumer<StreamEvent>, GuardedStream> opener) {
      var attempt = new Attempt(opener.apply(this::offer));
      current = attempt;
      if (cancelled) {
        attempt.stream.cancel();
      }
      return attempt;
    }

    void offer(StreamEvent event) {
      queue.add(event);
      drain();
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        downstream.onError(
            new IllegalArgumentException("request must be positive (rule 3.9), was " + n));
        return;
      }
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    @Override
    public void cancel() {
      cancelled = true;
      var attempt = current;
      if (attempt != null) {
        attempt.stream.cancel();
      }
      queue.clear();
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      do {
        while (!cancelled && !finished) {
          var event = queue.peek();
          if (event == null) {
            break;
          }
          if (event instanceof StreamEvent.Failed failed) {
            queue.poll();
            finished = true;
            downstream.onError(failed.error());
            break;
          }
          if (demand.get() == 0) {
            break;
          }
          queue.poll();
          demand.decrementAndGet();
          downstream.onNext(event);
          if (event.terminal()) {
            finished = true;
            downstream.onComplete();
          }
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }
  }

  /** One upstream subscription feeding one guarded stream. */
  final class Attempt implements Flow.Subscriber<String> {
    final GuardedStream stream;
    private final Object lock = new Object();
    private Flow.Subscription upstream;
    private boolean cancelRequested;

    Attempt(GuardedStream stream) {
      this.stream = stream;
      stream.onCancel(this::cancelUpstream);
    }

    /** Subscribes this attempt to its upstream. */
    void subscribeTo(Flow.Publisher<String> upstream) {
      upstream.subscribe(this);
    }

    private void cancelUpstream() {
      Flow.Subscription subscription;
      synchronized (lock) {
        cancelRequested = true;
        subscription = upstream;
      }
      if (subscription != null) {
        subscription.cancel();
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      requireNonNull(subscription, "subscription");
      boolean cancel;
      synchronized (lock) {
        cancel = cancelRequested || upstream != null;
        if (upstream == null) {
          upstream = subscription;
        }
      }
      if (cancel) {
        subscription.cancel();
        return;
      }
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String chunk) {
      stream.accept(requireNonNull(chunk, "chunk"));
    }

    @Override
    public void onError(Throwable error) {
      stream.fail(requireNonNull(error, "error"));
    }

    @Override
    public void onComplete() {
      stream.complete();
    }
  }
}
