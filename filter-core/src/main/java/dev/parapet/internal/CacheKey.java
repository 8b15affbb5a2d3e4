package dev.parapet.internal;

import static java.util.Objects.requireNonNull;

/**
 * Verdict-cache key: stage id, stage version and the SHA-256 of the text as the stage sees it.
 * Internal.
 *
 * @param stage the stage id
 * @param version the model or rule version
 * @param h0 hash bits 0-63
 * @param h1 hash bits 64-127
 * @param h2 hash bits 128-191
 * @param h3 hash bits 192-255
 */
public record CacheKey(String stage, String version, long h0, long h1, long h2, long h3) {

  /** Validates the names. */
  public CacheKey {
    requireNonNull(stage, "stage");
    requireNonNull(version, "version");
  }

  /** Returns the key of a text for a stage and version. */
  public static CacheKey of(String stage, String version, CharSequence text) {
    long[] h = TextHash.sha256(text);
    return new CacheKey(stage, version, h[0], h[1], h[2], h[3]);
  }
}
