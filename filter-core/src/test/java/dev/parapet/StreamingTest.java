package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamingTest {

  private static final Policy POLICY =
      Policy.of(
          Profile.builder("p")
              .flag("toxicity", 0.5)
              .block("toxicity", 0.9)
              .redact("pii", 0.5)
              .block(Reason.STAGE_ERROR, 1.0)
              .build());

  private static final String BENIGN =
      "The river runs past the old mill. Children play by the water in summer. "
          + "In autumn the leaves turn red and gold. ";

  private final ThreadPoolExecutor executor =
      new ThreadPoolExecutor(0, 8, 1, TimeUnit.SECONDS, new SynchronousQueue<>());

  @AfterEach
  void shutdown() {
    executor.shutdownNow();
  }

  private SafetyFilter.Builder filter() {
    return SafetyFilter.builder()
        .policy(POLICY)
        .executor(executor)
        .refusal("[answer withheld]")
        .outputStage(
            KeywordClassifier.of(
                "toxicity", Map.of("toxicity", Map.of("awful", 0.95, "rude", 0.6))))
        .outputStage(PatternDetector.emails());
  }

  /** Records events and when they arrived. */
  static final class Events implements Consumer<StreamEvent> {
    final List<StreamEvent> events = new CopyOnWriteArrayList<>();

    List<StreamEvent> events() {
      return events;
    }

    final CompletableFuture<StreamEvent> terminal = new CompletableFuture<>();

    @Override
    public void accept(StreamEvent event) {
      events.add(event);
      if (event.terminal()) {
        terminal.complete(event);
      }
    }

    StreamEvent awaitEnd() throws Exception {
      return terminal.get(20, TimeUnit.SECONDS);
    }

    String released() {
      var text = new StringBuilder();
      for (var event : events) {
        if (event instanceof StreamEvent.Released released) {
          assertThat(released.offset()).isEqualTo(text.length());
          text.append(released.text());
        }
      }
      return text.toString();
    }
  }

  private static GuardedStream open(
      SafetyFilter filter, StreamOptions options, Events events, TokenProducer producer) {
    var stream = filter.openStream(Context.defaults(), options, events);
    stream.onCancel(producer::cancel);
    producer.start(stream::accept, stream::complete);
    return stream;
  }

  @Test
  void backlogAtComplete_isReleasedWindowByWindow() throws Exception {
    var checked = new CopyOnWriteArrayList<Integer>();
    var counting =
        new KeywordClassifier.Delegating(
            KeywordClassifier.single("toxicity", "toxicity", "awful", 0.95)) {
          @Override
          public List<Map<String, Double>> classify(List<String> texts) {
            texts.forEach(t -> checked.add(t.length()));
            return super.classify(texts);
          }
        };
    var filter =
        SafetyFilter.builder().policy(POLICY).executor(executor).outputStage(counting).build();
    var events = new Events();
    var stream =
        filter.openStream(
            Context.defaults(), StreamOptions.defaults().withFinalCheck(false), events);
    stream
        .closeGate(); // hold every check, as a busy executor would, while a fast producer sends it
    // all
    var text = BENIGN.repeat(200);
    for (int i = 0; i < text.length(); i += 7) {
      stream.accept(text.substring(i, Math.min(text.length(), i + 7)));
    }
    stream.complete();
    stream.openGate();

    assertThat(events.awaitEnd()).isInstanceOf(StreamEvent.Completed.class);
    assertThat(events.released()).isEqualTo(text);
    assertThat(events.events().stream().filter(e -> e instanceof StreamEvent.Released).count())
        .isGreaterThan(text.length() / StreamOptions.defaults().windowChars());
    assertThat(checked)
        .allMatch(
            length ->
                length
                    <= StreamOptions.defaults().windowChars()
                        + StreamOptions.defaults().contextChars());
  }

  @Test
  void streamLongerThanTheLongestCheck_isCheckedByWindowsAndCompletes() throws Exception {
    var filter = filter().maxTextLength(2_000).build();
    var events = new Events();
    var stream = filter.openStream(Context.defaults(), events); // final whole-text check on
    var text = BENIGN.repeat(100); // about 11,000 chars
    for (int i = 0; i < text.length(); i += 50) {
      stream.accept(text.substring(i, Math.min(text.length(), i + 50)));
    }
    stream.complete();

    var end = events.awaitEnd();
    assertThat(end).isInstanceOf(StreamEvent.Completed.class);
    assertThat(events.released()).isEqualTo(text);
  }

  @Test
  void harmfulSentenceMidStream_neverReachesConsumer_andCancelsProducer() throws Exception {
    var text = BENIGN + "Then it got awful for everyone there. " + BENIGN + BENIGN;
    var producer = new TokenProducer(text, 6, 2);
    var events = new Events();
    open(filter().build(), StreamOptions.defaults(), events, producer);

    var end = events.awaitEnd();

    assertThat(end).isInstanceOf(StreamEvent.Blocked.class);
    var blocked = (StreamEvent.Blocked) end;
    assertThat(blocked.refusal()).isEqualTo("[answer withheld]");
    assertThat(blocked.verdict().reasons()).extracting(Reason::category).contains("toxicity");
    // Nothing of the blocked window: at most the benign sentences before it.
    assertThat(BENIGN).startsWith(events.released());
    assertThat(blocked.releasedChars()).isEqualTo(events.released().length());
    assertThat(producer.join(5_000)).isTrue();
    assertThat(producer.cancelled()).isTrue();
    assertThat(producer.sent()).isLessThan(producer.total());
  }

  @Test
  void benignStream_releasedWhole_inOrder_withFinalVerdict() throws Exception {
    var text = BENIGN + "It was a little rude, " + BENIGN + "no period at the end";
    var producer = new TokenProducer(text, 5, 1);
    var events = new Events();
    var registry = new SimpleMeterRegistry();
    open(
        filter().meterRegistry(registry).build(),
        StreamOptions.defaults().withWindowChars(64),
        events,
        producer);

    var end = (StreamEvent.Completed) events.awaitEnd();

    assertThat(events.released()).isEqualTo(text);
    assertThat(end.releasedChars()).isEqualTo(text.length());
    assertThat(end.decision()).isEqualTo(Decision.FLAG);
    assertThat(end.verdict().score("toxicity"))
        .isEqualTo(0.6); // the final check saw the whole text
    assertThat(events.events.stream().filter(e -> e instanceof StreamEvent.Released).count())
        .isGreaterThan(3);
    assertThat(registry.get("parapet.streams").tag("outcome", "completed").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("parapet.stream.holdback").timer().count()).isGreaterThan(3);
  }

  @Test
  void holdBackBound_holdsForASlowProducerWithoutSentenceEnds() throws Exception {
    // A producer that pauses 600 ms between tokens, mid-sentence: only the timer releases text.
    var text = "words flow on and on without stop ";
    var producer = new TokenProducer(text, 8, 600);
    var options =
        StreamOptions.defaults().withWindowChars(400).withMaxDelay(Duration.ofMillis(100));
    var events = new Events();
    var held = new CopyOnWriteArrayList<Long>();
    var releasedChars = new java.util.concurrent.atomic.AtomicLong();
    Consumer<StreamEvent> tracking =
        event -> {
          if (event instanceof StreamEvent.Released r) {
            releasedChars.addAndGet(r.text().length());
          }
          events.accept(event);
        };
    var stream = filter().build().openStream(Context.defaults(), options, tracking);
    var received = new java.util.concurrent.atomic.AtomicLong();
    producer.start(
        token -> {
          stream.accept(token);
          held.add(received.addAndGet(token.length()) - releasedChars.get());
        },
        stream::complete);

    assertThat(events.awaitEnd()).isInstanceOf(StreamEvent.Completed.class);
    assertThat(events.released()).isEqualTo(text);
    // Time bound: no char waits much longer than maxDelay (100 ms) plus a check; without the timer
    // each token would wait for the next one, 600 ms.
    long worst = 0;
    for (var event : events.events) {
      if (event instanceof StreamEvent.Released r) {
        long firstSent = producer.sentAt(r.offset());
        worst = Math.max(worst, r.nanos() - firstSent);
      }
    }
    assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofMillis(450));
    // Char bound: what was held never exceeded one window.
    assertThat(held).allSatisfy(h -> assertThat(h).isLessThanOrEqualTo(options.windowChars()));
  }

  @Test
  void phraseSplitAcrossWindows_isSeenThroughTheContext() throws Exception {
    var classifier = KeywordClassifier.of("toxicity", Map.of("toxicity", Map.of("bad plan", 0.95)));
    var filter =
        SafetyFilter.builder().policy(POLICY).executor(executor).outputStage(classifier).build();
    // The time limit cuts the stream between "bad" and "plan": each window alone is harmless.
    var withContext =
        StreamOptions.defaults().withMaxDelay(Duration.ofMillis(20)).withFinalCheck(false);
    var withoutContext = withContext.withContextChars(0);

    assertThat(splitPhraseStream(filter, withContext)).isInstanceOf(StreamEvent.Blocked.class);
    assertThat(splitPhraseStream(filter, withoutContext)).isInstanceOf(StreamEvent.Completed.class);
    // ... and the final whole-text check catches it even without context.
    assertThat(splitPhraseStream(filter, withoutContext.withFinalCheck(true)))
        .isInstanceOf(StreamEvent.Blocked.class);
  }

  private static StreamEvent splitPhraseStream(SafetyFilter filter, StreamOptions options)
      throws Exception {
    var events = new Events();
    var stream = filter.openStream(Context.defaults(), options, events);
    stream.accept("We now have a bad");
    Thread.sleep(200); // the first window closes on the time limit and is released
    stream.accept(" plan for the harvest.");
    stream.complete();
    return events.awaitEnd();
  }

  @Test
  void redactMidStream_masksTheWindowAndReleasesTheRest() throws Exception {
    var text = BENIGN + "Write to ann@example.org for the keys. " + BENIGN;
    var producer = new TokenProducer(text, 7, 1);
    var events = new Events();
    open(filter().build(), StreamOptions.defaults(), events, producer);

    var end = (StreamEvent.Completed) events.awaitEnd();

    assertThat(events.released())
        .isEqualTo(BENIGN + "Write to [EMAIL_1] for the keys. " + BENIGN)
        .doesNotContain("ann@");
    assertThat(end.decision()).isEqualTo(Decision.REDACT);
  }

  @Test
  void stageErrorUnderFailClosed_stopsTheStream() throws Exception {
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .executor(executor)
            .outputStage(Stages.throwing("broken", "toxicity"))
            .build();
    var producer = new TokenProducer(BENIGN + BENIGN, 6, 2);
    var events = new Events();
    open(filter, StreamOptions.defaults(), events, producer);

    var end = (StreamEvent.Blocked) events.awaitEnd();

    assertThat(end.verdict().reasons())
        .extracting(Reason::category)
        .containsExactly(Reason.STAGE_ERROR);
    assertThat(events.released()).isEmpty();
    assertThat(producer.join(5_000)).isTrue();
    assertThat(producer.cancelled()).isTrue();
  }

  @Test
  void stageErrorUnderFailOpen_flagsAndPasses() throws Exception {
    var filter =
        SafetyFilter.builder()
            .policy(POLICY)
            .executor(executor)
            .stage(Stage.of(Stages.throwing("broken", "toxicity")).failMode(FailMode.OPEN).build())
            .build();
    var events = new Events();
    open(filter, StreamOptions.defaults(), events, new TokenProducer(BENIGN, 6, 1));

    var end = (StreamEvent.Completed) events.awaitEnd();

    assertThat(events.released()).isEqualTo(BENIGN);
    assertThat(end.decision()).isEqualTo(Decision.FLAG);
  }

  @Test
  void consumerCancel_reachesProducer_andNothingFollows() throws Exception {
    var producer = new TokenProducer(BENIGN.repeat(20), 6, 2);
    var events = new Events();
    var holder = new CompletableFuture<GuardedStream>();
    Consumer<StreamEvent> cancelling =
        event -> {
          events.accept(event);
          holder.join().cancel(); // the consumer hangs up after the first text
        };
    var stream = filter().build().openStream(Context.defaults(), cancelling);
    holder.complete(stream);
    stream.onCancel(producer::cancel);
    producer.start(stream::accept, stream::complete);

    assertThat(producer.join(5_000)).isTrue();
    assertThat(producer.cancelled()).isTrue();
    assertThat(producer.sent()).isLessThan(producer.total());
    Thread.sleep(100);
    assertThat(events.events).hasSize(1);
    assertThat(stream.isDone()).isTrue();
  }

  @Test
  void producerError_releasesWhatWasCheckedThenFails() throws Exception {
    var events = new Events();
    var stream = filter().build().openStream(Context.defaults(), events);
    stream.accept(BENIGN);
    stream.accept("and then the conn");
    var error = new java.io.UncheckedIOException(new java.io.IOException("connection reset"));
    stream.fail(error);

    var end = (StreamEvent.Failed) events.awaitEnd();

    assertThat(end.error()).isSameAs(error);
    assertThat(events.released()).isEqualTo(BENIGN + "and then the conn");
    assertThatThrownBy(() -> stream.accept("more")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void noThreadsLeft_afterCompletionAndCancellation() throws Exception {
    var filter = filter().build();
    var events = new Events();
    open(
        filter,
        StreamOptions.defaults().withMaxDelay(Duration.ofMillis(30)),
        events,
        new TokenProducer(BENIGN, 6, 1));
    events.awaitEnd();
    var tokens = new LinkedBlockingQueue<String>();
    var iterator = filter.guardIterator(new QueueIterator(tokens), Context.defaults());
    tokens.add("A sentence that passes. ");
    assertThat(iterator.next()).isInstanceOf(StreamEvent.Released.class);
    iterator.close(); // the pump thread is blocked waiting for a token: close interrupts it

    awaitTrue(() -> !iterator.pumping());
    awaitTrue(() -> executor.getActiveCount() == 0);
    awaitTrue(
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("parapet-stream")));
  }

  @Test
  void iterator_sourceThrowingAnErrorOrCheckedException_endsFailedInsteadOfHanging() {
    for (Throwable thrown :
        List.of(new AssertionError("broken source"), new java.io.IOException("socket reset"))) {
      var source =
          new java.util.Iterator<String>() {
            int calls;

            @Override
            public boolean hasNext() {
              return true;
            }

            @Override
            public String next() {
              if (calls++ == 1) {
                throw Stages.<RuntimeException>sneaky(thrown);
              }
              return "A sentence that passes. ";
            }
          };
      var events = new ArrayList<StreamEvent>();
      try (var iterator = filter().build().guardIterator(source, Context.defaults())) {
        iterator.forEachRemaining(events::add);
      }

      assertThat(events.get(events.size() - 1))
          .isInstanceOfSatisfying(
              StreamEvent.Failed.class, f -> assertThat(f.error()).isSameAs(thrown));
    }
  }

  @Test
  void iterator_guardsABlockingSource() throws Exception {
    var tokens = new LinkedBlockingQueue<String>();
    var producer = new TokenProducer(BENIGN + "It became awful. " + BENIGN, 5, 1);
    producer.start(tokens::add, () -> tokens.add(QueueIterator.END));
    var released = new StringBuilder();
    StreamEvent last = null;
    try (var iterator =
        filter().build().guardIterator(new QueueIterator(tokens), Context.defaults())) {
      while (iterator.hasNext()) {
        last = iterator.next();
        if (last instanceof StreamEvent.Released r) {
          released.append(r.text());
        }
      }
      awaitTrue(() -> !iterator.pumping()); // the block stopped the pump thread
    }
    assertThat(last).isInstanceOf(StreamEvent.Blocked.class);
    assertThat(BENIGN).startsWith(released.toString());
  }

  @Test
  void publisher_guardsAFlowSource_withBackpressureAndCancellation() throws Exception {
    var filter = filter().build();
    var upstream = new TokenPublisher(BENIGN + "It turned awful. " + BENIGN, 5, 1);
    var subscriber = new CollectingSubscriber(1);
    filter.guardPublisher(upstream, Context.defaults()).subscribe(subscriber);

    assertThat(subscriber.done.get(20, TimeUnit.SECONDS)).isNull();
    assertThat(BENIGN).startsWith(subscriber.released());
    assertThat(subscriber.items.get(subscriber.items.size() - 1))
        .isInstanceOf(StreamEvent.Blocked.class);
    assertThat(upstream.awaitCancelled()).isTrue();

    // A passing stream completes; a downstream cancel reaches upstream.
    var clean = new CollectingSubscriber(Long.MAX_VALUE);
    filter.guardPublisher(new TokenPublisher(BENIGN, 5, 0), Context.defaults()).subscribe(clean);
    assertThat(clean.done.get(20, TimeUnit.SECONDS)).isNull();
    assertThat(clean.released()).isEqualTo(BENIGN);
    var long_ = new TokenPublisher(BENIGN.repeat(50), 5, 2);
    var quitter =
        new CollectingSubscriber(1) {
          @Override
          public void onNext(StreamEvent item) {
            super.onNext(item);
            subscription.cancel();
          }
        };
    filter.guardPublisher(long_, Context.defaults()).subscribe(quitter);
    assertThat(long_.awaitCancelled()).isTrue();
  }

  @Test
  void parallelStages_giveTheSameVerdictsAsSequential() {
    var random = new java.util.Random(11);
    String[] parts = {"hello", "rude", "awful", "mail bob@example.com", "tea", "boom", "plain"};
    var stages =
        List.of(
            Stage.of(
                    KeywordClassifier.of(
                        "toxicity", Map.of("toxicity", Map.of("awful", 0.95, "rude", 0.6))))
                .build(),
            Stage.of(PatternDetector.emails()).build(),
            Stage.of(KeywordClassifier.of("slow", Map.of("topic", Map.of("tea", 0.7))))
                .timeout(Duration.ofSeconds(5))
                .build(),
            Stage.of(new Stages.FailingOn("fragile", "boom")).failMode(FailMode.OPEN).build());
    var base =
        Profile.builder("p")
            .flag("toxicity", 0.5)
            .block("toxicity", 0.9)
            .redact("pii", 0.5)
            .flag("topic", 0.5);
    SafetyFilter sequential = build(stages, base.build());
    SafetyFilter parallel = build(stages, base.parallel(true).build());
    for (int i = 0; i < 300; i++) {
      var text = new StringBuilder();
      for (int w = 1 + random.nextInt(4); w > 0; w--) {
        text.append(parts[random.nextInt(parts.length)]).append(' ');
      }
      var expected = sequential.check(text.toString(), Direction.OUTPUT);
      var actual = parallel.check(text.toString(), Direction.OUTPUT);
      assertThat(actual.decision()).as(text.toString()).isEqualTo(expected.decision());
      assertThat(actual.text()).isEqualTo(expected.text());
      if (!expected.blocked()) {
        assertThat(actual).isEqualTo(expected);
      }
    }
  }

  private SafetyFilter build(List<Stage> stages, Profile profile) {
    var builder =
        SafetyFilter.builder()
            .policy(Policy.of(profile))
            .executor(executor)
            .verdictCache(0, Duration.ofMinutes(1));
    stages.forEach(builder::stage);
    return builder.build();
  }

  @Test
  void parallelStages_saturatedExecutor_callerRunsTheRejectedStages() {
    var single = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new SynchronousQueue<>());
    try {
      var profile =
          Profile.builder("p").flag("toxicity", 0.5).redact("pii", 0.5).parallel(true).build();
      var builder = SafetyFilter.builder().policy(Policy.of(profile)).executor(single);
      builder.stage(Stage.of(KeywordClassifier.single("a", "toxicity", "rude", 0.6)).build());
      builder.stage(Stage.of(KeywordClassifier.single("b", "toxicity", "awful", 0.7)).build());
      builder.stage(Stage.of(PatternDetector.emails()).build());
      var filter = builder.build();

      var verdict = filter.check("rude mail bob@example.com", Direction.OUTPUT);

      assertThat(verdict.stages())
          .extracting(StageReport::outcome)
          .containsOnly(StageReport.Outcome.SUCCESS);
      assertThat(verdict.decision()).isEqualTo(Decision.REDACT);
      assertThat(verdict.text()).isEqualTo("rude mail [EMAIL_1]");
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void parallelStages_firstBlockCancelsTheSlowOnes() {
    var release = new CountDownLatch(1);
    var profile = Profile.builder("p").block("toxicity", 0.9).parallel(true).build();
    var filter =
        SafetyFilter.builder()
            .policy(Policy.of(profile))
            .executor(executor)
            .stage(Stage.of(Stages.blockingUntil("slow", "other", release)).build())
            .stage(
                Stage.of(KeywordClassifier.single("fast", "toxicity", "awful", 0.95))
                    .cost(500)
                    .build())
            .build();

    var verdict = filter.check("awful", Direction.OUTPUT);

    assertThat(verdict.blocked()).isTrue();
    assertThat(verdict.stages())
        .extracting(StageReport::stage, StageReport::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("slow", StageReport.Outcome.SKIPPED),
            org.assertj.core.groups.Tuple.tuple("fast", StageReport.Outcome.SUCCESS));
    awaitTrue(() -> executor.getActiveCount() == 0); // the slow stage was interrupted
    release.countDown();
  }

  @Test
  void policyFile_setsParallelPerProfile() {
    var policy =
        Policy.parse(
            "{\"profiles\": {\"a\": {\"parallel\": true, \"thresholds\": {}}, \"b\": {\"thresholds\": {}}}}",
            "inline");
    assertThat(policy.profile("a").parallel()).isTrue();
    assertThat(policy.profile("b").parallel()).isFalse();
    assertThatThrownBy(
            () ->
                Policy.parse(
                    "{\"profiles\": {\"a\": {\"parallel\": 1, \"thresholds\": {}}}}", "inline"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("profiles.a.parallel");
  }

  @Test
  void options_andArguments_areValidated() {
    assertThatThrownBy(() -> StreamOptions.defaults().withWindowChars(8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamOptions.defaults().withContextChars(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamOptions.defaults().withMaxDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    var filter = filter().build();
    assertThatThrownBy(() -> filter.openStream(Context.profile("nope"), new Events()))
        .isInstanceOf(IllegalArgumentException.class);
    var stream = filter.openStream(Context.defaults(), new Events());
    stream.complete();
    assertThatThrownBy(stream::complete).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> stream.accept("late")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () ->
                SafetyFilter.builder()
                    .policy(POLICY)
                    .anonymizeInputs(true)
                    .speculativeModelCall(true)
                    .build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sentenceEnd_findsTheFirstBoundaryBeforeTheLimit() {
    assertThat(StreamWindows.sentenceEnd("One. Two! Three", 15)).isEqualTo(5);
    assertThat(StreamWindows.sentenceEnd("One. Two! Three", 4)).isZero();
    assertThat(StreamWindows.sentenceEnd("He said \"stop.\" Then", 20)).isEqualTo(16);
    assertThat(StreamWindows.sentenceEnd("mail john.doe@example.org now", 29)).isZero();
    assertThat(StreamWindows.sentenceEnd("line\nnext", 9)).isEqualTo(5);
    assertThat(StreamWindows.lastSentenceEnd("One. Two! Three", 0)).isEqualTo(10);
    assertThat(StreamWindows.lastSentenceEnd("One. Two! Three", 11)).isEqualTo(-1);
    assertThat(StreamWindows.lastSentenceEnd("no end here", 0)).isEqualTo(-1);
  }

  static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** A blocking iterator over a queue, as a model client's token iterator is. */
  static final class QueueIterator implements java.util.Iterator<String> {
    static final String END = new String("<end>");
    private final LinkedBlockingQueue<String> queue;
    private String next;

    QueueIterator(LinkedBlockingQueue<String> queue) {
      this.queue = queue;
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return next != END;
    }

    @Override
    public String next() {
      hasNext();
      var value = next;
      next = null;
      return value;
    }
  }

  /** A downstream subscriber that requests {@code batch} at a time and collects what it gets. */
  static class CollectingSubscriber implements Flow.Subscriber<StreamEvent> {
    final List<StreamEvent> items = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> done = new CompletableFuture<>();
    final long batch;
    Flow.Subscription subscription;

    CollectingSubscriber(long batch) {
      this.batch = batch;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(batch);
    }

    @Override
    public void onNext(StreamEvent item) {
      items.add(item);
      if (batch != Long.MAX_VALUE) {
        subscription.request(batch);
      }
    }

    @Override
    public void onError(Throwable error) {
      done.complete(error);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    String released() {
      var text = new StringBuilder();
      items.stream()
          .filter(i -> i instanceof StreamEvent.Released)
          .forEach(i -> text.append(((StreamEvent.Released) i).text()));
      return text.toString();
    }
  }
}
