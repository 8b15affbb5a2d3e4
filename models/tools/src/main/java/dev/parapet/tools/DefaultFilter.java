package dev.parapet.tools;

import dev.parapet.Normalization;
import dev.parapet.Policy;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import dev.parapet.classifiers.rules.PiiDetector;
import dev.parapet.classifiers.rules.SecretsDetector;
import java.nio.file.Path;

/**
 * The filter the command-line tools use: the PII and secrets detectors and the shipped {@code
 * guard} model (every category, one encoder pass) on both sides, under the shipped recommended
 * policy (with {@code pii} and {@code secrets} redacted and {@code invisible_text} flagged in every
 * profile) or a policy file. The model scores at most {@value #MODEL_BUDGET_CHARS} chars of a text.
 * Owns the classifier.
 */
final class DefaultFilter implements AutoCloseable {

  /**
   * The model's per-text budget: the first 32,000 chars (about 85 windows of the shipped graph,
   * well under a second on one core); the rest of a longer text is flagged {@code text_unchecked}.
   */
  static final int MODEL_BUDGET_CHARS = 32_000;

  private final OnnxTextClassifier classifier;
  private final SafetyFilter filter;

  private DefaultFilter(OnnxTextClassifier classifier, SafetyFilter filter) {
    this.classifier = classifier;
    this.filter = filter;
  }

  /** Builds the default filter; {@code policyFile} may be null for the shipped policy. */
  static DefaultFilter open(Path policyFile) {
    var policy =
        policyFile != null
            ? Policy.fromJson(policyFile)
            : withRules(ShippedModels.recommendedPolicy());
    var classifier = ShippedModels.load(ShippedModels.GUARD);
    try {
      var builder =
          SafetyFilter.builder()
              .stage(Stage.of(PiiDetector.create()).build())
              .stage(Stage.of(SecretsDetector.create()).build())
              .stage(Stage.of(classifier).maxChars(MODEL_BUDGET_CHARS).build());
      if (policyFile != null) {
        builder.policyFile(policyFile);
      } else {
        builder.policy(policy);
      }
      return new DefaultFilter(classifier, builder.build());
    } catch (RuntimeException e) {
      classifier.close();
      throw e;
    }
  }

  /** Adds the rule categories to every profile of the shipped policy. */
  static Policy withRules(Policy shipped) {
    var builder = Policy.builder();
    for (var name : shipped.names()) {
      builder.profile(
          shipped.profile(name).toBuilder()
              .redact(PiiDetector.CATEGORY, 0.5)
              .redact(SecretsDetector.CATEGORY, 0.5)
              .flag(Normalization.INVISIBLE_TEXT, 0.5)
              .build());
    }
    return builder.defaultProfile(shipped.defaultProfile().name()).build();
  }

  SafetyFilter filter() {
    return filter;
  }

  OnnxTextClassifier classifier() {
    return classifier;
  }

  @Override
  public void close() {
    classifier.close();
  }
}
