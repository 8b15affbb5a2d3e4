package dev.parapet;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of all guarded streams: it only closes windows whose hold-back time is up
 * (the checks run on the filter's executor). A daemon that ends after a second without timers.
 */
final class StreamTimer {

  private static final ScheduledThreadPoolExecutor TIMER = create();

  private StreamTimer() {}

  static ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
    return TIMER.schedule(task, delay, unit);
  }

  private static ScheduledThreadPoolExecutor create() {
    var timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              var thread = new Thread(task, "parapet-stream-timer");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
    timer.setKeepAliveTime(1, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    return timer;
  }
}
