package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A set of named {@link Profile profiles}, one per use case, and the default among them.
 *
 * <p>Immutable and thread-safe. Built in code, or loaded from a JSON file so operators can change
 * thresholds without a redeploy (see {@link SafetyFilter#reloadPolicy()}):
 *
 * <pre>{@code
 * {
 *   "defaultProfile": "balanced",
 *   "profiles": {
 *     "balanced": {"thresholds": {"toxicity": {"flag": 0.5, "block": 0.85}, "pii": {"redact": 0.5}}},
 *     "threat-report": {"shadow": true, "thresholds": {"*": {"flag": 0.9}}}
 *   }
 * }
 * }</pre>
 *
 * A file is validated whole: any unknown key, bad number or unordered thresholds rejects it with a
 * {@link PolicyException} that names the entry (for example {@code
 * profiles.balanced.thresholds.toxicity.block}).
 */
public final class Policy {

  private final Map<String, Profile> profiles;
  private final Profile defaultProfile;

  private Policy(Map<String, Profile> profiles, String defaultProfile) {
    this.profiles = Map.copyOf(profiles);
    this.defaultProfile = this.profiles.get(defaultProfile);
  }

  /** Returns a policy with one profile, which is its default. */
  public static Policy of(Profile profile) {
    return builder().profile(profile).build();
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a policy from a JSON file.
   *
   * @throws PolicyException if the file cannot be read or is invalid; the message names the entry
   */
  public static Policy fromJson(Path file) {
    requireNonNull(file, "file");
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new PolicyException("cannot read policy file " + file + ": " + e.getMessage(), e);
    }
    return PolicyParser.parse(json, file.toString());
  }

  /**
   * Parses a policy from JSON text.
   *
   * @param source names the text in error messages, for example a file name
   * @throws PolicyException if the text is invalid; the message names the entry
   */
  public static Policy parse(String json, String source) {
    return PolicyParser.parse(requireNonNull(json, "json"), requireNonNull(source, "source"));
  }

  /** Returns the default profile. */
  public Profile defaultProfile() {
    return defaultProfile;
  }

  /**
   * Returns the named profile, or the default for {@code null}.
   *
   * @throws IllegalArgumentException if there is no profile of that name
   */
  public Profile profile(String name) {
    if (name == null) {
      return defaultProfile;
    }
    var profile = profiles.get(name);
    if (profile == null) {
      throw new IllegalArgumentException("unknown profile '" + name + "', known: " + names());
    }
    return profile;
  }

  /** Returns the profile names. */
  public Set<String> names() {
    return profiles.keySet();
  }

  @Override
  public String toString() {
    return "Policy[default=" + defaultProfile.name() + ", profiles=" + names() + "]";
  }

  /** Builds a {@link Policy}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Profile> profiles = new LinkedHashMap<>();
    private String defaultProfile;

    private Builder() {}

    /** Adds a profile; the first one added is the default unless {@link #defaultProfile} says. */
    public Builder profile(Profile profile) {
      requireNonNull(profile, "profile");
      if (profiles.putIfAbsent(profile.name(), profile) != null) {
        throw new IllegalArgumentException("duplicate profile '" + profile.name() + "'");
      }
      return this;
    }

    /** Names the default profile, used when a call's {@link Context} names none. */
    public Builder defaultProfile(String name) {
      this.defaultProfile = requireNonNull(name, "name");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalStateException if there is no profile, or the default names none of them
     */
    public Policy build() {
      if (profiles.isEmpty()) {
        throw new IllegalStateException("a policy needs at least one profile");
      }
      var name = defaultProfile != null ? defaultProfile : profiles.keySet().iterator().next();
      if (!profiles.containsKey(name)) {
        throw new IllegalStateException(
            "default profile '" + name + "' is not among " + profiles.keySet());
      }
      return new Policy(profiles, name);
    }
  }
}
