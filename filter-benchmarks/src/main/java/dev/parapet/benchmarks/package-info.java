/**
 * JMH benchmarks of Parapet against the bare model: overhead, cache hits, rules, batching. Each
 * class documents its run command; {@link dev.parapet.benchmarks.Bench} runs the suite.
 */
package dev.parapet.benchmarks;
