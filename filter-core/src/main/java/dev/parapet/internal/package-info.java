/**
 * Parapet's implementation: the pipeline, cache keys, metrics and policy parsing.
 *
 * <p>Not API: public only so other Parapet modules can use it; it may change in any release.
 */
package dev.parapet.internal;
