package dev.parapet.classifiers.internal;

import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.ClassifierException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Coalesces concurrent callers' windows into shared model runs. Callers run the batches themselves:
 * a caller whose windows are queued takes a free run slot, drains a batch of similar-length windows
 * (its own or others'), runs it outside the lock, and hands out the results. With all slots busy,
 * callers wait and their windows pile up into the next batch, so batches grow only under load.
 * Thread-safe. Internal.
 *
 * @param <R> the result of one window
 */
public final class MicroBatcher<R> {

  /** Windows whose lengths differ by less than this many tokens may share a batch. */
  private static final int LENGTH_BUCKET = 16;

  /** Most windows of one caller in one run when batching is off. */
  private static final int MAX_RUN = 64;

  private final Function<List<long[]>, List<R>> runner;
  private final Batching settings;
  private final int slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Item<R>> queue = new ArrayDeque<>();
  private int running;
  private int lastBatchSize;
  private final DistributionSummary batchSizes;
  private final Timer queueWait;

  /**
   * Creates a batcher.
   *
   * @param runner runs one batch of windows and returns one result per window, in order
   * @param intraOpThreads threads one run uses, to size the run slots
   * @param registry where batch metrics go, or {@code null}
   * @param model the model id, as the {@code model} tag
   */
  public MicroBatcher(
      Function<List<long[]>, List<R>> runner,
      Batching settings,
      int intraOpThreads,
      MeterRegistry registry,
      String model) {
    this.runner = runner;
    this.settings = settings;
    int processors = Runtime.getRuntime().availableProcessors();
    this.slots =
        settings.maxConcurrentRuns() > 0
            ? settings.maxConcurrentRuns()
            : Math.max(1, processors / Math.max(1, intraOpThreads));
    if (registry != null) {
      batchSizes =
          DistributionSummary.builder("parapet.batch.size")
              .description("Windows per model run")
              .tag("model", model)
              .register(registry);
      queueWait =
          Timer.builder("parapet.batch.queue.wait")
              .description("Time a window waited for its run")
              .tag("model", model)
              .register(registry);
      Gauge.builder("parapet.batch.queue.depth", this, MicroBatcher::depth)
          .description("Windows waiting for a run")
          .tag("model", model)
          .register(registry);
    } else {
      batchSizes = null;
      queueWait = null;
    }
  }

  /** Returns the number of windows waiting. */
  public int depth() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the results of the windows, in order, once runs have produced them.
   *
   * @throws ClassifierException if the queue is full or a run failed
   */
  public List<R> submit(List<long[]> windows) {
    if (!settings.enabled()) {
      return runByLength(windows);
    }
    var results = new ArrayList<R>(windows.size());
    var longOnes = new ArrayList<long[]>();
    var items = new ArrayList<Item<R>>();
    for (var window : windows) {
      if (window.length > settings.maxBatchTokens()) {
        longOnes.add(window);
      } else {
        items.add(new Item<>(window, System.nanoTime()));
      }
    }
    // Long windows never batch: padding and memory traffic cost more than batching saves.
    var longResults = longOnes.isEmpty() ? List.<R>of() : runner.apply(longOnes);
    if (!items.isEmpty()) {
      await(items);
    }
    Iterator<R> longIt = longResults.iterator();
    Iterator<Item<R>> itemIt = items.iterator();
    for (var window : windows) {
      results.add(window.length > settings.maxBatchTokens() ? longIt.next() : itemIt.next().result);
    }
    return results;
  }

  /**
   * Runs one caller's windows without waiting for others: in runs of similar length, so a long
   * text's short sentence windows are not padded to its full windows' length.
   */
  private List<R> runByLength(List<long[]> windows) {
    if (windows.size() == 1) {
      return runner.apply(windows);
    }
    var order = new java.util.ArrayList<Integer>(windows.size());
    for (int i = 0; i < windows.size(); i++) {
      order.add(i);
    }
    order.sort(java.util.Comparator.comparingInt(i -> windows.get(i).length));
    var results = new ArrayList<R>(windows.size());
    for (int i = 0; i < windows.size(); i++) {
      results.add(null);
    }
    int from = 0;
    while (from < order.size()) {
      int bucket = windows.get(order.get(from)).length / LENGTH_BUCKET;
      int to = from;
      while (to < order.size()
          && to - from < MAX_RUN
          && windows.get(order.get(to)).length / LENGTH_BUCKET == bucket) {
        to++;
      }
      var run = new ArrayList<long[]>(to - from);
      for (int k = from; k < to; k++) {
        run.add(windows.get(order.get(k)));
      }
      var out = runner.apply(run);
      for (int k = from; k < to; k++) {
        results.set(order.get(k), out.get(k - from));
      }
      from = to;
    }
    return results;
  }

  private void await(List<Item<R>> items) {
    lock.lock();
    try {
      if (queue.size() + items.size() > settings.maxQueue()) {
        throw new ClassifierException(
            "batch queue full: " + queue.size() + " windows waiting, limit " + settings.maxQueue());
      }
      queue.addAll(items);
      changed.signalAll();
      while (!allDone(items)) {
        if (running < slots && !queue.isEmpty()) {
          runOneBatch();
        } else {
          changed.awaitUninterruptibly();
        }
      }
    } finally {
      lock.unlock();
    }
    for (var item : items) {
      if (item.error != null) {
        throw new ClassifierException(
            "batched inference failed: " + item.error.getMessage(), item.error);
      }
    }
  }

  /** Called holding the lock; releases it while the model runs. */
  private void runOneBatch() {
    running++;
    try {
      // Under recent load, let the batch fill to the last batch's size, for at most maxWait.
      int target = Math.min(settings.maxBatchSize(), lastBatchSize);
      if (queue.size() < target) {
        long remaining = settings.maxWait().toNanos();
        while (queue.size() < target && remaining > 0) {
          try {
            remaining = changed.awaitNanos(remaining);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      var batch = drainBatch();
      if (batch.isEmpty()) {
        return;
      }
      lock.unlock();
      List<R> out = null;
      Throwable error = null;
      long now = System.nanoTime();
      try {
        var windows = new ArrayList<long[]>(batch.size());
        for (var item : batch) {
          windows.add(item.window);
          if (queueWait != null) {
            queueWait.record(now - item.enqueued, TimeUnit.NANOSECONDS);
          }
        }
        if (batchSizes != null) {
          batchSizes.record(batch.size());
        }
        out = runner.apply(windows);
        if (out.size() != batch.size()) {
          error =
              new IllegalStateException(
                  "runner returned " + out.size() + " results for " + batch.size());
        }
      } catch (RuntimeException | Error e) {
        error = e;
      } finally {
        lock.lock();
      }
      for (int i = 0; i < batch.size(); i++) {
        var item = batch.get(i);
        if (error != null) {
          item.error = error;
        } else {
          item.result = out.get(i);
        }
        item.done = true;
      }
      lastBatchSize = batch.size();
    } finally {
      running--;
      changed.signalAll();
    }
  }

  /**
   * Takes up to maxBatchSize queued windows of about the head's length; others keep their place.
   */
  private List<Item<R>> drainBatch() {
    var batch = new ArrayList<Item<R>>();
    if (queue.isEmpty()) {
      return batch;
    }
    int bucket = queue.peekFirst().window.length / LENGTH_BUCKET;
    for (var it = queue.iterator(); it.hasNext() && batch.size() < settings.maxBatchSize(); ) {
      var item = it.next();
      if (item.window.length / LENGTH_BUCKET == bucket) {
        batch.add(item);
        it.remove();
      }
    }
    return batch;
  }

  private static <R> boolean allDone(List<Item<R>> items) {
    for (var item : items) {
      if (!item.done) {
        return false;
      }
    }
    return true;
  }

  private static final class Item<R> {
    final long[] window;
    final long enqueued;
    R result;
    Throwable error;
    boolean done;

    Item(long[] window, long enqueued) {
      this.window = window;
      this.enqueued = enqueued;
    }
  }
}
