/**
 * Tokenization, ONNX Runtime sessions and micro-batching behind the classifiers.
 *
 * <p>Not API: public only for Parapet's own modules and benchmarks; it may change in any release.
 */
package dev.parapet.classifiers.internal;
