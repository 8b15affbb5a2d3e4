package dev.parapet.classifiers.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.parapet.classifiers.ClassifierException;
import dev.parapet.classifiers.ExecutionProvider;
import dev.parapet.classifiers.OnnxOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session over a transformer graph with inputs {@code input_ids}, {@code
 * attention_mask} and optionally {@code token_type_ids}, shared by all threads. Input tensors are
 * built from per-thread direct buffers (no copy into native memory), and only the one output asked
 * for is read. Internal.
 */
public final class OrtModel implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("dev.parapet.classifiers");

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private final OrtSession session;
  private final ExecutionProvider provider;
  private final boolean tokenTypes;
  private final String output;
  private final Set<String> outputs;

  private OrtModel(
      OrtSession session, ExecutionProvider provider, boolean tokenTypes, String output) {
    this.session = session;
    this.provider = provider;
    this.tokenTypes = tokenTypes;
    this.output = output;
    this.outputs = Set.of(output);
  }

  /** A run's output: row-major data and its shape. */
  public record Output(float[] data, long[] shape) {}

  /**
   * Creates a session and checks the graph's interface.
   *
   * @param model the ONNX bytes
   * @param name names the file in errors
   * @param output the output to read, such as {@code logits}
   */
  public static OrtModel load(byte[] model, String name, OnnxOptions options, String output) {
    var env = Ort.env();
    var provider = options.provider();
    OrtSession session = null;
    if (provider == ExecutionProvider.CUDA) {
      try (var cuda = sessionOptions(options)) {
        cuda.addCUDA(options.cudaDevice());
        session = env.createSession(model, cuda);
      } catch (OrtException | RuntimeException | LinkageError e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "CUDA is not available for " + name + " (" + e.getMessage() + "); running on the CPU");
        provider = ExecutionProvider.CPU;
      }
    }
    if (session == null) {
      try (var cpu = sessionOptions(options)) {
        session = env.createSession(model, cpu);
      } catch (OrtException e) {
        throw new ClassifierException("cannot load " + name + ": " + e.getMessage(), e);
      }
    }
    try {
      boolean tokenTypes = checkInterface(session, name, output);
      LOG.log(System.Logger.Level.INFO, "loaded " + name + " on " + provider);
      return new OrtModel(session, provider, tokenTypes, output);
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
  }

  private static OrtSession.SessionOptions sessionOptions(OnnxOptions options) throws OrtException {
    var opts = new OrtSession.SessionOptions();
    try {
      opts.setIntraOpNumThreads(options.intraOpThreads());
      opts.setInterOpNumThreads(options.interOpThreads());
      opts.setOptimizationLevel(options.optimization());
      return opts;
    } catch (OrtException e) {
      opts.close();
      throw e;
    }
  }

  private static boolean checkInterface(OrtSession session, String name, String output) {
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      for (var required : List.of(INPUT_IDS, ATTENTION_MASK)) {
        if (!inputs.containsKey(required)) {
          throw new ClassifierException(
              name + " has no input '" + required + "'; its inputs are " + inputs.keySet());
        }
      }
      for (var input : inputs.keySet()) {
        if (!Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).contains(input)) {
          throw new ClassifierException(name + " has an unexpected input '" + input + "'");
        }
      }
      var outputs = session.getOutputInfo();
      var info = outputs.get(output);
      if (info == null) {
        throw new ClassifierException(
            name + " has no output '" + output + "'; its outputs are " + outputs.keySet());
      }
      if (!(info.getInfo() instanceof TensorInfo tensor)
          || tensor.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
        throw new ClassifierException(name + ": output '" + output + "' must be a float tensor");
      }
      return inputs.containsKey(TOKEN_TYPE_IDS);
    } catch (OrtException e) {
      throw new ClassifierException("cannot inspect " + name + ": " + e.getMessage(), e);
    }
  }

  /** Returns the provider the session actually runs on. */
  public ExecutionProvider provider() {
    return provider;
  }

  /**
   * Runs a batch of windows, padded to the longest.
   *
   * @throws ClassifierException if ONNX Runtime fails
   */
  public Output run(List<long[]> windows) {
    int batch = windows.size();
    int length = 0;
    for (var window : windows) {
      length = Math.max(length, window.length);
    }
    var buffers = BUFFERS.get();
    int size = batch * length;
    var ids = buffers.ids(size);
    var mask = buffers.mask(size);
    for (int b = 0; b < batch; b++) {
      var window = windows.get(b);
      int base = b * length;
      for (int t = 0; t < length; t++) {
        boolean real = t < window.length;
        ids.put(base + t, real ? window[t] : 0L);
        mask.put(base + t, real ? 1L : 0L);
      }
    }
    long[] shape = {batch, length};
    var env = Ort.env();
    var inputs = new HashMap<String, OnnxTensor>(4);
    try {
      inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, ids, shape));
      inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, mask, shape));
      if (tokenTypes) {
        inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, buffers.zeros(size), shape));
      }
      try (var result = session.run(inputs, outputs)) {
        var tensor = (OnnxTensor) result.get(0);
        FloatBuffer data = tensor.getFloatBuffer();
        var values = new float[data.remaining()];
        data.get(values);
        return new Output(values, tensor.getInfo().getShape());
      }
    } catch (OrtException e) {
      throw new ClassifierException("inference failed: " + e.getMessage(), e);
    } finally {
      for (var tensor : inputs.values()) {
        tensor.close();
      }
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new ClassifierException("cannot close session: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(OrtSession session, RuntimeException cause) {
    try {
      session.close();
    } catch (OrtException e) {
      cause.addSuppressed(e);
    }
  }

  /** Per-thread direct buffers, grown on demand and reused for every run on that thread. */
  private static final class Buffers {
    private LongBuffer ids = allocate(1024);
    private LongBuffer mask = allocate(1024);
    private LongBuffer zeros = allocate(1024);

    LongBuffer ids(int size) {
      if (ids.capacity() < size) {
        ids = allocate(size);
      }
      return view(ids, size);
    }

    LongBuffer mask(int size) {
      if (mask.capacity() < size) {
        mask = allocate(size);
      }
      return view(mask, size);
    }

    LongBuffer zeros(int size) {
      if (zeros.capacity() < size) {
        zeros = allocate(size); // direct buffers start zeroed and are never written
      }
      return view(zeros, size);
    }

    private static LongBuffer view(LongBuffer buffer, int size) {
      return buffer.clear().limit(size).slice();
    }

    private static LongBuffer allocate(int size) {
      int capacity = Integer.highestOneBit(Math.max(size - 1, 1)) << 1;
      return ByteBuffer.allocateDirect(capacity * Long.BYTES)
          .order(ByteOrder.nativeOrder())
          .asLongBuffer();
    }
  }
}
