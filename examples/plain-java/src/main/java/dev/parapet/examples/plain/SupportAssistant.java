package dev.parapet.examples.plain;

import dev.parapet.ContentBlockedException;
import dev.parapet.Context;
import dev.parapet.Policy;
import dev.parapet.Profile;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import dev.parapet.classifiers.rules.PiiDetector;
import dev.parapet.classifiers.rules.SecretsDetector;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.UnaryOperator;

/**
 * A support-chat service that guards its model call: prompts are checked for attacks and harm, and
 * personal data is replaced by placeholders the model sees; answers are checked for harm, secrets
 * are redacted, and the user's own data is restored before the answer goes back.
 *
 * <p>Thread-safe; build one per service and close it at shutdown.
 */
public final class SupportAssistant implements AutoCloseable {

  /** What users see when a prompt or an answer is blocked. */
  public static final String REFUSAL = "Sorry, I can't help with that here.";

  private final OnnxTextClassifier guard;
  private final SafetyFilter filter;
  private final UnaryOperator<String> model;

  /**
   * Creates the assistant around a model call.
   *
   * @param model the model call: prompt in, completion out (any client: HTTP, local, LangChain4j)
   * @param registry where the filter's metrics go
   */
  public SupportAssistant(UnaryOperator<String> model, MeterRegistry registry) {
    this.model = model;
    this.guard = ShippedModels.load(ShippedModels.GUARD);
    var shipped = ShippedModels.recommendedPolicy();
    // The support use case: the shipped balanced thresholds, personal data and secrets redacted.
    var support = shipped.profile("balanced").toBuilder().redact("pii", 0.5).redact("secrets", 0.5).build();
    this.filter =
        SafetyFilter.builder()
            .stage(Stage.of(PiiDetector.create()).build())
            .outputStage(SecretsDetector.create())
            .stage(Stage.of(guard).build())
            .policy(Policy.of(rename(support, "support")))
            .anonymizeInputs(true)
            .meterRegistry(registry)
            .build();
  }

  /** Answers a user's message, or returns {@link #REFUSAL} when either side is blocked. */
  public String answer(String message, String requestId) {
    try {
      return filter.guard(message, Context.profile("support").withRequestId(requestId), model);
    } catch (ContentBlockedException e) {
      return REFUSAL;
    }
  }

  private static Profile rename(Profile profile, String name) {
    var builder = Profile.builder(name).shadow(profile.shadow());
    profile.thresholds().forEach(builder::thresholds);
    return builder.build();
  }

  @Override
  public void close() {
    guard.close();
  }
}
