package dev.parapet.classifiers;

/** Where ONNX Runtime executes a model. */
public enum ExecutionProvider {
  /** The CPU: always available. */
  CPU,
  /**
   * An NVIDIA GPU through CUDA. Needs the {@code onnxruntime_gpu} artifact (build with {@code
   * -Pcuda}) and a matching CUDA and cuDNN; where CUDA cannot start, the model runs on the CPU and
   * says so.
   */
  CUDA
}
