package dev.parapet.internal;

/** Every meter name and tag key Parapet registers, in one place. Internal. */
public final class MeterNames {

  /** Timer: one check of one text; tags direction, decision, profile. */
  public static final String CHECKS = "parapet.checks";

  /** Timer: one stage's call; tags stage, outcome (success, error, timeout). */
  public static final String STAGE_CALLS = "parapet.stage.calls";

  /** Counter: stage failures; tags stage, cause (error, timeout), mode (open, closed). */
  public static final String STAGE_FAILURES = "parapet.stage.failures";

  /**
   * Counter: categories that called for a decision above allow; tags category, decision, shadow.
   */
  public static final String CATEGORY_DECISIONS = "parapet.category.decisions";

  /** Counter: audit records a sink failed to take. */
  public static final String AUDIT_FAILURES = "parapet.audit.failures";

  /** Counter: user feedback; tags kind, category. */
  public static final String FEEDBACK = "parapet.feedback";

  /** Counter: guarded streams that ended; tag outcome (completed, blocked, failed, cancelled). */
  public static final String STREAMS = "parapet.streams";

  /**
   * Timer: how long released stream text was held back, from its first char's arrival to release.
   */
  public static final String STREAM_HOLDBACK = "parapet.stream.holdback";

  /** The cache name under which Caffeine's statistics are exported ({@code cache.gets} etc.). */
  public static final String VERDICT_CACHE = "parapet.verdicts";

  /** Tag keys. */
  public static final String DIRECTION = "direction";

  /** Tag key. */
  public static final String DECISION = "decision";

  /** Tag key. */
  public static final String PROFILE = "profile";

  /** Tag key. */
  public static final String STAGE = "stage";

  /** Tag key. */
  public static final String OUTCOME = "outcome";

  /** Tag key. */
  public static final String CATEGORY = "category";

  /** Tag key. */
  public static final String SHADOW = "shadow";

  /** Tag key. */
  public static final String CAUSE = "cause";

  /** Tag key. */
  public static final String MODE = "mode";

  /** Tag key. */
  public static final String KIND = "kind";

  private MeterNames() {}
}
