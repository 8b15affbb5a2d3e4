package dev.parapet.examples.plain;

import dev.parapet.ContentBlockedException;
import dev.parapet.Context;
import dev.parapet.Policy;
import dev.parapet.Profile;
import dev.parapet.SafetyFilter;
import dev.parapet.Stage;
import dev.parapet.StreamEvent;
import dev.parapet.classifiers.OnnxTextClassifier;
import dev.parapet.classifiers.ShippedModels;
import dev.parapet.classifiers.rules.PiiDetector;
import dev.parapet.classifiers.rules.SecretsDetector;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A support-chat service that guards its model call: prompts are checked for attacks and harm, and
 * personal data is replaced by placeholders the model sees; answers are checked for harm, secrets
 * are redacted, and the user's own data is restored before the answer goes back. Answers can also
 * be streamed, checked sentence by sentence.
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
    // (Strict would block more harmful requests, but also ordinary ones: "How do I reset my
    // password?" scores 0.12 on prompt_injection, over strict's 0.074; see the model cards.)
    var support =
        shipped.profile("balanced").toBuilder().redact("pii", 0.5).redact("secrets", 0.5).build();
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

  /**
   * Streams an answer: text reaches {@code out} only after the output stages passed it, about a
   * sentence at a time; a block mid-answer cancels the model's stream and ends with {@link
   * #REFUSAL}. Returns when the stream has ended.
   *
   * @param streamingModel the streaming model call: prompt in, a publisher of completion chunks out
   * @param out where the user's text goes, in order
   * @return whether the whole answer was released
   */
  public boolean answerStreaming(
      String message,
      String requestId,
      Function<String, Flow.Publisher<String>> streamingModel,
      Consumer<String> out)
      throws InterruptedException {
    var done = new CountDownLatch(1);
    var whole = new AtomicBoolean();
    var context = Context.profile("support").withRequestId(requestId);
    filter
        .guardStream(message, context, streamingModel)
        .subscribe(
            new Flow.Subscriber<StreamEvent>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(StreamEvent event) {
                if (event instanceof StreamEvent.Released released) {
                  out.accept(released.text());
                } else if (event instanceof StreamEvent.Blocked) {
                  out.accept(REFUSAL);
                } else if (event instanceof StreamEvent.Completed) {
                  whole.set(true);
                }
              }

              @Override
              public void onError(
                  Throwable error) { // the model's stream failed, or could not be checked
                out.accept(REFUSAL);
                done.countDown();
              }

              @Override
              public void onComplete() {
                done.countDown();
              }
            });
    done.await();
    return whole.get();
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
