package dev.parapet.classifiers.internal;

/** Counts calls in flight so that close waits for them before freeing native memory. Internal. */
public final class UsageGuard {

  private final String name;
  private int inFlight;
  private boolean closed;

  /** Creates a guard; {@code name} names the object in errors. */
  public UsageGuard(String name) {
    this.name = name;
  }

  /**
   * Enters a call.
   *
   * @throws IllegalStateException if closed
   */
  public synchronized void enter() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
    inFlight++;
  }

  /** Leaves a call. */
  public synchronized void exit() {
    if (--inFlight == 0) {
      notifyAll();
    }
  }

  /** Marks closed and waits for calls in flight; returns false if it was closed already. */
  public synchronized boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    boolean interrupted = false;
    while (inFlight > 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return true;
  }
}
