package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What an {@link dev.parapet.spi.AuditSink} receives for each check: the verdict and the call's
 * ids.
 *
 * <p>The verdict's {@link Verdict#text()} is the released text; sinks that must not store text
 * should write the scores, spans and reasons only (as {@link JsonLinesAuditSink} does).
 *
 * @param time when the check finished
 * @param context the call's context
 * @param verdict the verdict
 * @param nanos how long the check took
 */
public record AuditRecord(Instant time, Context context, Verdict verdict, long nanos) {

  /** Validates the fields. */
  public AuditRecord {
    requireNonNull(time, "time");
    requireNonNull(context, "context");
    requireNonNull(verdict, "verdict");
  }
}
