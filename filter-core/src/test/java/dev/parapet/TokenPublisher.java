package dev.parapet;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real Flow source of tokens: per subscriber a producer thread emits one token per interval while
 * there is demand, and stops when the subscription is cancelled.
 */
final class TokenPublisher implements Flow.Publisher<String> {

  private final List<String> tokens;
  private final long intervalMillis;
  private final CountDownLatch cancelled = new CountDownLatch(1);

  TokenPublisher(String text, int tokenChars, long intervalMillis) {
    this.tokens = TokenProducer.split(text, tokenChars);
    this.intervalMillis = intervalMillis;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super String> subscriber) {
    var demand = new AtomicLong();
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    var thread =
        new Thread(
            () -> {
              try {
                for (var token : tokens) {
                  while (demand.get() == 0 && !stop.get()) {
                    Thread.sleep(1);
                  }
                  if (stop.get()) {
                    return;
                  }
                  demand.decrementAndGet();
                  subscriber.onNext(token);
                  if (intervalMillis > 0) {
                    Thread.sleep(intervalMillis);
                  }
                }
                subscriber.onComplete();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "test-publisher");
    subscriber.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
          }

          @Override
          public void cancel() {
            stop.set(true);
            cancelled.countDown();
          }
        });
    thread.start();
  }

  boolean awaitCancelled() throws InterruptedException {
    return cancelled.await(10, TimeUnit.SECONDS);
  }
}
