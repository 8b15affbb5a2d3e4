package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streaming model calls end to end, and speculative model calls. */
class SpeculativeCallTest {

  private static final Policy POLICY =
      Policy.of(Profile.builder("p").block("toxicity", 0.9).redact("pii", 0.5).build());
  private static final String ANSWER =
      "Tea is brewed with hot water. Let it steep for three minutes. ";

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<String> prompts = new CopyOnWriteArrayList<>();

  @AfterEach
  void shutdown() {
    executor.shutdownNow();
  }

  private SafetyFilter filter(boolean speculative) {
    return SafetyFilter.builder()
        .policy(POLICY)
        .executor(executor)
        .speculativeModelCall(speculative)
        .inputStage(KeywordClassifier.single("prompt-check", "toxicity", "awful", 0.95))
        .inputStage(PatternDetector.emails())
        .outputStage(KeywordClassifier.single("answer-check", "toxicity", "awful", 0.95))
        .build();
  }

  /** A streaming model: records each prompt it is called with and streams the answer. */
  private TokenPublisher model(String prompt, TokenPublisher answer) {
    prompts.add(prompt);
    return answer;
  }

  @Test
  void guardStream_blockedPrompt_neverCallsTheModel() throws Exception {
    var subscriber = new StreamingTest.CollectingSubscriber(Long.MAX_VALUE);
    filter(false)
        .guardStream(
            "an awful prompt", Context.defaults(), p -> model(p, new TokenPublisher(ANSWER, 5, 1)))
        .subscribe(subscriber);

    assertThat(subscriber.done.get(10, TimeUnit.SECONDS)).isNull();
    var blocked = (StreamEvent.Blocked) subscriber.items.get(0);
    assertThat(blocked.verdict().direction()).isEqualTo(Direction.INPUT);
    assertThat(subscriber.items).hasSize(1);
    assertThat(prompts).isEmpty();
  }

  @Test
  void guardStream_passingPrompt_streamsTheCheckedAnswer() throws Exception {
    var subscriber = new StreamingTest.CollectingSubscriber(2);
    filter(false)
        .guardStream(
            "how is tea made?", Context.defaults(), p -> model(p, new TokenPublisher(ANSWER, 5, 1)))
        .subscribe(subscriber);

    assertThat(subscriber.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(subscriber.released()).isEqualTo(ANSWER);
    assertThat(subscriber.items.get(subscriber.items.size() - 1))
        .isInstanceOf(StreamEvent.Completed.class);
    assertThat(prompts).containsExactly("how is tea made?");
  }

  @Test
  void guardStream_speculative_blockedPromptCancelsTheCallAndReleasesNothing() throws Exception {
    var answer = new TokenPublisher(ANSWER.repeat(20), 5, 2);
    var subscriber = new StreamingTest.CollectingSubscriber(Long.MAX_VALUE);
    filter(true)
        .guardStream("an awful prompt", Context.defaults(), p -> model(p, answer))
        .subscribe(subscriber);

    assertThat(subscriber.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(subscriber.items).singleElement().isInstanceOf(StreamEvent.Blocked.class);
    assertThat(prompts).containsExactly("an awful prompt"); // called at once, speculatively
    assertThat(answer.awaitCancelled()).isTrue();
  }

  @Test
  void guardStream_speculative_redactedPromptCallsAgainWithTheRedactedText() throws Exception {
    var subscriber = new StreamingTest.CollectingSubscriber(Long.MAX_VALUE);
    filter(true)
        .guardStream(
            "mail bob@example.com about tea",
            Context.defaults(),
            p -> model(p, new TokenPublisher(ANSWER, 5, 1)))
        .subscribe(subscriber);

    assertThat(subscriber.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(subscriber.released())
        .isEqualTo(ANSWER); // once: the discarded call released nothing
    assertThat(prompts)
        .containsExactly("mail bob@example.com about tea", "mail [EMAIL_1] about tea");
  }

  @Test
  void guard_speculative_blockedPromptInterruptsTheModel() throws Exception {
    var started = new CountDownLatch(1);
    var interrupted = new CompletableFuture<Boolean>();
    // The prompt's check waits until the model call has started, so the block must interrupt it.
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .executor(executor)
            .speculativeModelCall(true)
            .inputStage(Stages.blockingUntil("wait-for-model", "other", started))
            .inputStage(KeywordClassifier.single("prompt-check", "toxicity", "awful", 0.95))
            .build();

    assertThatThrownBy(
            () ->
                filter.guard(
                    "an awful prompt",
                    prompt -> {
                      started.countDown();
                      try {
                        Thread.sleep(Duration.ofSeconds(30).toMillis());
                        interrupted.complete(false);
                      } catch (InterruptedException e) {
                        interrupted.complete(true);
                      }
                      return "late answer";
                    }))
        .isInstanceOf(ContentBlockedException.class);
    assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void guard_speculative_passingAndRedactedPrompts() {
    var filter = filter(true);
    Function<String, String> model =
        prompt -> {
          prompts.add(prompt);
          return "answer to " + prompt;
        };

    assertThat(filter.guard("how is tea made?", model)).isEqualTo("answer to how is tea made?");
    assertThat(prompts).containsExactly("how is tea made?");
    prompts.clear();

    assertThat(filter.guard("mail bob@example.com about tea", model))
        .isEqualTo("answer to mail [EMAIL_1] about tea");
    // The speculative call with the raw prompt is discarded: cancelled, or run and its answer
    // dropped (which one depends on whether the executor started it before the check ended).
    assertThat(prompts)
        .contains("mail [EMAIL_1] about tea")
        .isSubsetOf("mail bob@example.com about tea", "mail [EMAIL_1] about tea");
  }

  @Test
  void guardAsync_speculative_blockedPromptCancelsTheModelFuture() throws Exception {
    var call = new CompletableFuture<String>();
    var result =
        filter(true)
            .guardAsync("an awful prompt", Context.defaults(), p -> call)
            .toCompletableFuture();

    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ContentBlockedException.class);
    assertThat(call.isCancelled()).isTrue();
    var passing =
        filter(true)
            .guardAsync(
                "tea?", Context.defaults(), p -> CompletableFuture.completedFuture("Steep it."));
    assertThat(passing.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("Steep it.");
  }

  @Test
  void guardStream_unknownProfile_failsAtOnce() {
    assertThatThrownBy(() -> filter(false).guardStream("x", Context.profile("nope"), p -> null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
