package dev.parapet.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineStatsCounter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Caches stage scores by {@link CacheKey}. Concurrent lookups of one key compute once; failures are
 * not cached. Statistics go to Micrometer as cache {@value MeterNames#VERDICT_CACHE}. Thread-safe.
 * Internal.
 */
public final class VerdictCache {

  private final Cache<CacheKey, StageScores> cache;

  /** Creates a cache bounded by entry count and time since write. */
  public VerdictCache(long maximumSize, Duration ttl, Ticker ticker, MeterRegistry registry) {
    var builder =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfterWrite(ttl)
            .ticker(ticker)
            // Evict on the calling thread: no ForkJoinPool tasks, deterministic in tests.
            .executor(Runnable::run);
    if (registry != null) {
      builder.recordStats(() -> new CaffeineStatsCounter(registry, MeterNames.VERDICT_CACHE));
    }
    this.cache = builder.build();
    if (registry != null) {
      // Gauges hold their object weakly; the filter holds this cache strongly for its lifetime.
      Gauge.builder("cache.size", cache, Cache::estimatedSize)
          .description("Entries in the verdict cache")
          .tag("cache", MeterNames.VERDICT_CACHE)
          .register(registry);
    }
  }

  /** A cache lookup's result, and whether it was already cached. */
  public record Lookup(StageScores scores, boolean hit) {}

  /** Returns the cached scores of a key, computing them once if absent. */
  public Lookup get(CacheKey key, Supplier<StageScores> compute) {
    boolean[] computed = {false};
    var scores =
        cache.get(
            key,
            k -> {
              computed[0] = true;
              return compute.get();
            });
    return new Lookup(scores, !computed[0]);
  }

  /** Drops every entry. */
  public void invalidateAll() {
    cache.invalidateAll();
  }
}
