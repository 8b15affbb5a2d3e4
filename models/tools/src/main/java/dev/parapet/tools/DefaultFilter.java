package dev.parapet.tools;

import dev.parapet.Policy;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import java.nio.file.Path;

/**
 * The filter the command-line tools use: the shipped {@code guard} model (every category, one encoder
 * pass) on both sides, under the shipped recommended policy or a policy file. Owns the classifier.
 */
final class DefaultFilter implements AutoCloseable {

  private final OnnxTextClassifier classifier;
  private final SafetyFilter filter;

  private DefaultFilter(OnnxTextClassifier classifier, SafetyFilter filter) {
    this.classifier = classifier;
    this.filter = filter;
  }

  /** Builds the default filter; {@code policyFile} may be null for the shipped policy. */
  static DefaultFilter open(Path policyFile) {
    var policy = policyFile != null ? Policy.fromJson(policyFile) : ShippedModels.recommendedPolicy();
    var classifier = ShippedModels.load(ShippedModels.GUARD);
    try {
      var builder = SafetyFilter.builder().stage(Stage.of(classifier).build());
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
