package dev.parapet.classifiers.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.parapet.classifiers.ClassifierException;

/**
 * The process-wide ONNX Runtime environment, set up offline. Internal.
 *
 * <p>Before first use this turns ONNX Runtime telemetry off and sets {@code ai.djl.offline=true}
 * (so DJL never probes the cloud metadata address) unless the host application set that property
 * itself. ONNX Runtime's native telemetry also needs the environment variable {@code
 * ORT_DISABLE_TELEMETRY=1}, which a JVM cannot set for itself: {@code bin/parapet} sets it, host
 * applications must.
 */
public final class Ort {

  private static final System.Logger LOG = System.getLogger("dev.parapet.classifiers");

  private static final OrtEnvironment ENV = create();

  private Ort() {}

  /** Returns the shared environment; never close it. */
  public static OrtEnvironment env() {
    return ENV;
  }

  /** Makes DJL offline unless the host decided otherwise; call before any DJL class loads. */
  public static void offline() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  private static OrtEnvironment create() {
    offline();
    if (!"1".equals(System.getenv("ORT_DISABLE_TELEMETRY"))) {
      LOG.log(
          System.Logger.Level.WARNING,
          "ORT_DISABLE_TELEMETRY=1 is not set: ONNX Runtime's native telemetry may try to reach the"
              + " network. Set it in the environment of this process.");
    }
    var env = OrtEnvironment.getEnvironment();
    try {
      env.setTelemetry(false);
    } catch (OrtException e) {
      throw new ClassifierException("cannot turn ONNX Runtime telemetry off", e);
    }
    return env;
  }
}
