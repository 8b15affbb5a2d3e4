package dev.parapet.classifiers;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this test JVM can run CUDA: the GPU build of ONNX Runtime and an NVIDIA device. */
final class Gpu {

  private Gpu() {}

  static boolean usable() {
    return gpuBuild() && Files.exists(Path.of("/dev/nvidia0"));
  }

  static boolean gpuBuild() {
    return Gpu.class
            .getClassLoader()
            .getResource("ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so")
        != null;
  }
}
