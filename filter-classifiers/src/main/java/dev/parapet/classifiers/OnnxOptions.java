package dev.parapet.classifiers;

import static java.util.Objects.requireNonNull;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/**
 * ONNX Runtime session settings for a classifier.
 *
 * <p>Defaults: one intra-op and one inter-op thread (the filter runs many checks concurrently, so
 * parallelism comes from callers, not from inside one forward pass), all graph optimisations, CPU.
 *
 * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose (all cores)
 * @param interOpThreads threads across operators; 0 lets ONNX Runtime choose
 * @param optimization graph optimisation level
 * @param provider where to run; {@link ExecutionProvider#CUDA} falls back to the CPU when CUDA
 *     cannot start
 * @param cudaDevice the CUDA device id, for {@link ExecutionProvider#CUDA}
 */
public record OnnxOptions(
    int intraOpThreads,
    int interOpThreads,
    OptLevel optimization,
    ExecutionProvider provider,
    int cudaDevice) {

  /** Validates the settings. */
  public OnnxOptions {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0, were " + intraOpThreads + " and " + interOpThreads);
    }
    requireNonNull(optimization, "optimization");
    requireNonNull(provider, "provider");
    if (cudaDevice < 0) {
      throw new IllegalArgumentException("cudaDevice must be >= 0, was " + cudaDevice);
    }
  }

  /** Returns the defaults: 1 intra-op thread, 1 inter-op thread, all optimisations, CPU. */
  public static OnnxOptions defaults() {
    return new OnnxOptions(1, 1, OptLevel.ALL_OPT, ExecutionProvider.CPU, 0);
  }

  /** Returns a copy with the given intra-op thread count. */
  public OnnxOptions withIntraOpThreads(int threads) {
    return new OnnxOptions(threads, interOpThreads, optimization, provider, cudaDevice);
  }

  /** Returns a copy that asks for the given provider. */
  public OnnxOptions withProvider(ExecutionProvider newProvider) {
    return new OnnxOptions(intraOpThreads, interOpThreads, optimization, newProvider, cudaDevice);
  }

  /** Returns a copy with the given optimisation level. */
  public OnnxOptions withOptimization(OptLevel level) {
    return new OnnxOptions(intraOpThreads, interOpThreads, level, provider, cudaDevice);
  }
}
