package dev.parapet.models.assembler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assembles a shipped model at build time: the fused graph under {@code <out>/<id>/} and one label
 * view per {@code --view}, and checks the graph's SHA-256 against the committed one.
 *
 * <pre>
 * Main --encoder-onnx all-minilm-l6-v2-q.onnx --encoder-tokenizer all-minilm-l6-v2-q-tokenizer.json
 *      --encoder-name dev.langchain4j:...:1.19.0-beta29 [--encoder-patch-if-present encoder-patch.onnx.gz]
 *      [--text-prefix "query: "] --max-length 128 --head head.json
 *      --id guard --out target/classes/dev/parapet/models --expect SHA256SUMS [--mode verify|update]
 *      --view content-safety=toxicity,hate,... --view prompt-attack=jailbreak,prompt_injection
 * Main --encoder-onnx e5-small-v2.onnx ... --graph guard-int8.onnx.gz ...   (instead of --head)
 * </pre>
 *
 * <p>With {@code --graph}, the model is a whole fine-tuned graph ({@link FineTunedGraph}) completed
 * from the stock encoder's word-piece table, and no head is fused.
 *
 * <p>An encoder patch ({@link EncoderPatch}, a fine-tuned encoder as its difference from the stock
 * one) is applied when its file exists; without it the stock encoder is fused. A text prefix (the
 * input format some encoders, such as e5, were trained with) goes into every config.json written,
 * so the classifier starts every window with it.
 *
 * <p>A view is a directory holding only {@code config.json}, whose {@code parapet.view_of} names
 * the graph's directory and {@code parapet.categories} the labels it reports.
 */
public final class Main {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final Set<String> OPTIONS =
      Set.of(
          "--encoder-onnx",
          "--encoder-tokenizer",
          "--encoder-name",
          "--encoder-patch-if-present",
          "--graph",
          "--text-prefix",
          "--max-length",
          "--head",
          "--id",
          "--out",
          "--expect",
          "--mode");

  private Main() {}

  /** Runs the assembly; exits non-zero with a message on any problem. */
  public static void main(String[] args) throws IOException {
    var options = new LinkedHashMap<String, String>();
    var views = new LinkedHashMap<String, List<String>>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--view" -> {
          var spec = args[++i].split("=", 2);
          views.put(spec[0], List.of(spec[1].split(",")));
        }
        default -> {
          if (!OPTIONS.contains(args[i]) || i + 1 == args.length) {
            throw new IllegalArgumentException(
                "unknown option or missing value: " + args[i] + "; options: " + OPTIONS);
          }
          options.put(args[i], args[++i]);
        }
      }
    }
    var encoder =
        new ModelAssembler.Encoder(
            resource(options.get("--encoder-onnx")),
            resource(options.get("--encoder-tokenizer")),
            Integer.parseInt(options.get("--max-length")),
            options.get("--encoder-name"),
            options.getOrDefault("--text-prefix", ""));
    var patchFile = options.get("--encoder-patch-if-present");
    if (patchFile != null && Files.exists(Path.of(patchFile))) {
      var patch = Files.readAllBytes(Path.of(patchFile));
      encoder =
          encoder.patched(
              EncoderPatch.read(patch),
              "fine-tuned by Parapet, patch "
                  + Path.of(patchFile).getFileName()
                  + " sha256 "
                  + ModelAssembler.sha256(patch));
      System.out.println("applied encoder patch " + patchFile);
    }
    var out = Path.of(options.get("--out"));
    var id = options.get("--id");
    Map<String, String> sums;
    List<String> labels;
    if (options.containsKey(
        "--graph")) { // a whole fine-tuned graph, completed from the stock encoder
      var graph = FineTunedGraph.read(Files.readAllBytes(Path.of(options.get("--graph"))));
      labels = graph.labels();
      encoder =
          new ModelAssembler.Encoder(
              encoder.onnx(),
              encoder.tokenizer(),
              encoder.maxLength(),
              encoder.description()
                  + "; fine-tuned by Parapet, "
                  + Path.of(options.get("--graph")).getFileName()
                  + " sha256 "
                  + ModelAssembler.sha256(Files.readAllBytes(Path.of(options.get("--graph")))),
              encoder.textPrefix());
      sums = ModelAssembler.assemble(encoder, graph, out.resolve(id));
    } else {
      var head = Head.read(Path.of(options.get("--head")));
      labels = head.labels();
      sums = ModelAssembler.assemble(encoder, head, out.resolve(id));
    }
    for (var view : views.entrySet()) {
      writeView(out.resolve(view.getKey()), id, labels, view.getValue(), encoder.textPrefix());
    }
    var expected = Path.of(options.get("--expect"));
    var actual = Files.readString(out.resolve(id).resolve("SHA256SUMS"));
    if ("update".equals(options.get("--mode"))) {
      Files.writeString(expected, actual);
      System.out.println("updated " + expected);
    } else if (!Files.exists(expected) || !Files.readString(expected).equals(actual)) {
      System.err.println(
          "assembled model differs from "
              + expected
              + ":\n"
              + actual
              + "(if you retrained on purpose, rebuild once with -Dmodel.mode=update)");
      System.exit(1);
    }
    System.out.println(
        "assembled " + id + " " + sums.get("model.onnx") + " with views " + views.keySet());
  }

  private static void writeView(
      Path directory, String graph, List<String> labels, List<String> categories, String textPrefix)
      throws IOException {
    var missing = new ArrayList<>(categories);
    missing.removeAll(labels);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("view categories not in the head: " + missing);
    }
    Files.createDirectories(directory);
    var root = MAPPER.createObjectNode();
    root.put("problem_type", "multi_label_classification");
    var id2label = root.putObject("id2label");
    for (int i = 0; i < labels.size(); i++) {
      id2label.put(Integer.toString(i), labels.get(i));
    }
    var parapet = root.putObject("parapet");
    parapet.put("view_of", graph);
    var array = parapet.putArray("categories");
    categories.forEach(array::add);
    if (!textPrefix.isEmpty()) {
      parapet.put("text_prefix", textPrefix);
    }
    Files.writeString(directory.resolve("config.json"), MAPPER.writeValueAsString(root) + "\n");
  }

  private static byte[] resource(String name) throws IOException {
    try (var in = Main.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no classpath resource '" + name + "'");
      }
      return in.readAllBytes();
    }
  }
}
