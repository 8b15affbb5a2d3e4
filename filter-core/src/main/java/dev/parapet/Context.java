package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-call information: which policy profile applies, and identifiers that travel to audit records.
 *
 * <p>None of these values ever becomes a metric tag, except the profile name.
 *
 * @param profile the policy profile to apply, or {@code null} for the policy's default profile
 * @param requestId the caller's request id for audit and feedback, or {@code null}
 * @param tenant the caller's tenant for audit, or {@code null}
 * @param attributes free attributes copied into audit records
 */
public record Context(
    String profile, String requestId, String tenant, Map<String, String> attributes) {

  private static final Context DEFAULT = new Context(null, null, null, Map.of());

  /** Copies the attributes; they may not contain nulls. */
  public Context {
    attributes = Map.copyOf(requireNonNull(attributes, "attributes"));
  }

  /** Returns the context that applies the policy's default profile and carries no ids. */
  public static Context defaults() {
    return DEFAULT;
  }

  /** Returns a context that applies the named profile. */
  public static Context profile(String profile) {
    return new Context(requireNonNull(profile, "profile"), null, null, Map.of());
  }

  /** Returns a copy with the given profile ({@code null}: the policy's default). */
  public Context withProfile(String profile) {
    return new Context(profile, requestId, tenant, attributes);
  }

  /** Returns a copy with the given request id. */
  public Context withRequestId(String requestId) {
    return new Context(profile, requestId, tenant, attributes);
  }

  /** Returns a copy with the given tenant. */
  public Context withTenant(String tenant) {
    return new Context(profile, requestId, tenant, attributes);
  }

  /** Returns a copy with one more attribute. */
  public Context withAttribute(String key, String value) {
    var copy = new HashMap<>(attributes);
    copy.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return new Context(profile, requestId, tenant, copy);
  }
}
