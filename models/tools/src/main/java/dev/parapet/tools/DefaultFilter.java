package dev.parapet.tools;

import dev.parapet.Policy;
import dev.parapet.SafetyFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Assembles the filter the command-line tools use: every stage Parapet ships, under the default
 * policy (or a policy file).
 */
final class DefaultFilter {

  static final String POLICY_RESOURCE = "/dev/parapet/tools/default-policy.json";

  private DefaultFilter() {}

  /** Returns the default policy shipped with the tools. */
  static Policy defaultPolicy() {
    try (var in = DefaultFilter.class.getResourceAsStream(POLICY_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + POLICY_RESOURCE);
      }
      return Policy.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), POLICY_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Builds the default filter; {@code policyFile} may be null for the shipped policy. */
  static SafetyFilter build(Path policyFile) {
    var builder = SafetyFilter.builder();
    if (policyFile != null) {
      builder.policyFile(policyFile);
    } else {
      builder.policy(defaultPolicy());
    }
    return builder.build();
  }
}
