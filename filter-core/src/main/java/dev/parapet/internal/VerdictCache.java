package dev.parapet.internal;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineStatsCounter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Caches stage scores by {@link CacheKey}. Concurrent lookups of one key compute once; failures are
 * not cached. Scores are computed on the calling thread outside any cache lock: the cache holds a
 * future per key (Caffeine's synchronous {@code get} would hold a hash-bin lock for the whole model
 * call and stall lookups of unrelated keys that share the bin). Statistics go to Micrometer as
 * cache {@value MeterNames#VERDICT_CACHE}. Thread-safe. Internal.
 */
public final class VerdictCache {

  private final AsyncCache<CacheKey, StageScores> cache;

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
    this.cache = builder.buildAsync();
    if (registry != null) {
      // Gauges hold their object weakly; the filter holds this cache strongly for its lifetime.
      Gauge.builder("cache.size", cache, c -> c.synchronous().estimatedSize())
          .description("Entries in the verdict cache")
          .tag("cache", MeterNames.VERDICT_CACHE)
          .register(registry);
    }
  }

  /** A cache lookup's result, and whether it was already cached. */
  public record Lookup(StageScores scores, boolean hit) {}

  /** Returns the cached scores of a key, computing them once if absent. */
  public Lookup get(CacheKey key, Supplier<StageScores> compute) {
    var mine = new CompletableFuture<StageScores>();
    var future = cache.get(key, (k, executor) -> mine);
    if (future == mine) {
      StageScores scores;
      try {
        scores = compute.get();
      } catch (RuntimeException | Error e) {
        mine.complete(
            null); // a null value removes the entry: waiters and later lookups compute anew
        throw e;
      }
      mine.complete(scores);
      return new Lookup(scores, false);
    }
    var scores = future.join();
    return scores != null ? new Lookup(scores, true) : new Lookup(compute.get(), false);
  }

  /** Drops every entry. */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
