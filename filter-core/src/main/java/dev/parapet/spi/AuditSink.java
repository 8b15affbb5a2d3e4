package dev.parapet.spi;

import dev.parapet.AuditRecord;

/**
 * Receives one record per check, for audit trails.
 *
 * <p>Called on the checking thread: implementations must be fast and thread-safe, and should hand
 * slow I/O to another thread. An exception thrown here is counted ({@code parapet.audit.failures})
 * and never changes the verdict.
 */
@FunctionalInterface
public interface AuditSink {

  /** Records one check. */
  void record(AuditRecord record);
}
