package dev.parapet;

import dev.parapet.spi.Classifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** Classifiers that fail in the ways real ones do, for fail-mode tests. */
final class Stages {

  private Stages() {}

  /** A classifier whose every call throws, as a model whose native session broke would. */
  static Classifier throwing(String id, String category) {
    return new Fixed(id, category) {
      @Override
      public List<Map<String, Double>> classify(List<String> texts) {
        throw new IllegalStateException("model session is broken");
      }
    };
  }

  /** A classifier whose every call throws this throwable, checked or not, as if undeclared. */
  static Classifier throwingAny(String id, String category, Throwable thrown) {
    return new Fixed(id, category) {
      @Override
      public List<Map<String, Double>> classify(List<String> texts) {
        throw Stages.<RuntimeException>sneaky(thrown);
      }
    };
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> T sneaky(Throwable thrown) throws T {
    throw (T) thrown;
  }

  /** A classifier that returns a score outside [0, 1]. */
  static Classifier invalid(String id, String category) {
    return new Fixed(id, category) {
      @Override
      public List<Map<String, Double>> classify(List<String> texts) {
        return texts.stream().map(t -> Map.of(category, Double.NaN)).toList();
      }
    };
  }

  /** A classifier that waits until released: it misses any deadline shorter than the wait. */
  static Classifier blockingUntil(String id, String category, CountDownLatch release) {
    return new Fixed(id, category) {
      @Override
      public List<Map<String, Double>> classify(List<String> texts) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return texts.stream().map(t -> Map.of(category, 0.0)).toList();
      }
    };
  }

  /** A classifier that throws on texts containing a word, and scores 0 otherwise. */
  static final class FailingOn extends Fixed {
    private final String word;

    FailingOn(String id, String word) {
      super(id, "fragility");
      this.word = word;
    }

    @Override
    public List<Map<String, Double>> classify(List<String> texts) {
      if (texts.stream().anyMatch(t -> t.contains(word))) {
        throw new IllegalStateException("cannot score this text");
      }
      return texts.stream().map(t -> Map.of("fragility", 0.0)).toList();
    }
  }

  private abstract static class Fixed implements Classifier {
    private final String id;
    private final String category;

    Fixed(String id, String category) {
      this.id = id;
      this.category = category;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String version() {
      return "1";
    }

    @Override
    public Set<String> categories() {
      return Set.of(category);
    }
  }
}
