package dev.parapet.classifiers;

import static java.util.Objects.requireNonNull;

import dev.parapet.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Parapet's shipped models, loaded by id from the classpath (artifact {@code
 * dev.parapet:parapet-model-guard}), with no download.
 *
 * <ul>
 *   <li>{@value #GUARD}: every category below from one pass of the encoder: the default filter's
 *       one stage;
 *   <li>{@value #CONTENT_SAFETY}: {@code toxicity, hate, harassment, sexual, violence, self_harm,
 *       harmful_request, unsafe};
 *   <li>{@value #PROMPT_ATTACK}: {@code jailbreak, prompt_injection}.
 * </ul>
 *
 * The last two are label views of the first: loading both runs the encoder twice per text, so a
 * filter that needs both should load {@value #GUARD}. Each model's {@code MODEL_CARD.md} lies
 * beside it.
 */
public final class ShippedModels {

  /** The multi-head graph behind both views. */
  public static final String GUARD = "guard";

  /** Content-safety categories, for prompts and completions. */
  public static final String CONTENT_SAFETY = "content-safety";

  /** Jailbreak and prompt-injection, for prompts and retrieved or tool text. */
  public static final String PROMPT_ATTACK = "prompt-attack";

  /** Every shipped id. */
  public static final List<String> IDS = List.of(GUARD, CONTENT_SAFETY, PROMPT_ATTACK);

  private static final String ROOT = "dev/parapet/models/";

  private ShippedModels() {}

  /**
   * Loads a shipped model with default settings.
   *
   * @throws IllegalArgumentException for an unknown id
   * @throws ClassifierException if the model jar is not on the classpath
   */
  public static OnnxTextClassifier load(String id) {
    return builder(id).build();
  }

  /** Returns a builder for a shipped model, for custom options. */
  public static OnnxTextClassifier.Builder builder(String id) {
    requireNonNull(id, "id");
    if (!IDS.contains(id)) {
      throw new IllegalArgumentException("unknown model '" + id + "', shipped: " + IDS);
    }
    requireJar();
    return OnnxTextClassifier.builder(ROOT + id).id(id);
  }

  /** Returns the recommended policy: profiles strict, balanced (default) and permissive. */
  public static Policy recommendedPolicy() {
    requireJar();
    try (var in =
        ShippedModels.class.getClassLoader().getResourceAsStream(ROOT + GUARD + "/policy.json")) {
      return Policy.parse(
          new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "classpath:" + ROOT + GUARD + "/policy.json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns whether the model jar is on the classpath. */
  public static boolean available() {
    return ShippedModels.class.getClassLoader().getResource(ROOT + GUARD + "/model.onnx") != null;
  }

  private static void requireJar() {
    if (!available()) {
      throw new ClassifierException(
          "the shipped models are not on the classpath: add dev.parapet:parapet-model-guard");
    }
  }
}
