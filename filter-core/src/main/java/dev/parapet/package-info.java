/**
 * Parapet's API: {@link dev.parapet.SafetyFilter} wraps model calls; {@link dev.parapet.Policy} and
 * {@link dev.parapet.Profile} turn scores into {@link dev.parapet.Decision decisions}; {@link
 * dev.parapet.Verdict} reports them.
 */
package dev.parapet;
