/**
 * Parapet's API: {@link dev.parapet.SafetyFilter} wraps model calls (synchronous, asynchronous and
 * streamed, through {@link dev.parapet.GuardedStream}); {@link dev.parapet.Policy} and {@link
 * dev.parapet.Profile} turn scores into {@link dev.parapet.Decision decisions}; {@link
 * dev.parapet.Verdict} and {@link dev.parapet.StreamEvent} report them.
 */
package dev.parapet;
