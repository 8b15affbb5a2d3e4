package dev.parapet.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.util.Random;

/** Benign benchmark texts of an exact token count (special tokens included). */
final class Texts {

  private static final String[] WORDS = {
    "the",
    "quarterly",
    "report",
    "shows",
    "steady",
    "growth",
    "in",
    "our",
    "northern",
    "region",
    "please",
    "water",
    "tomato",
    "plants",
    "every",
    "morning",
    "meeting",
    "moved",
    "to",
    "thursday",
    "library",
    "extends",
    "opening",
    "hours",
    "during",
    "exams",
    "rainfall",
    "was",
    "above",
    "average",
    "museum",
    "displays",
    "ceramics",
    "from",
    "fourteenth",
    "century",
    "train",
    "services",
    "resume",
    "after",
    "repairs",
    "committee",
    "approved",
    "budget",
    "community",
    "garden",
    "invoice",
    "lists"
  };

  private Texts() {}

  /** A sentence-like benign text of exactly {@code tokens} tokens under the tokenizer. */
  static String ofTokens(HuggingFaceTokenizer tokenizer, int tokens, long seed) {
    var random = new Random(seed);
    var text = new StringBuilder();
    while (tokenizer.encode(text.toString()).getIds().length < tokens) {
      text.append(text.length() == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    while (tokenizer.encode(text.toString()).getIds().length > tokens) {
      text.setLength(text.lastIndexOf(" "));
    }
    return text.toString();
  }

  /** A text of about {@code chars} characters with some personal data and a secret in it. */
  static String withPii(int chars, long seed) {
    var random = new Random(seed);
    var text = new StringBuilder(chars + 64);
    int n = 0;
    while (text.length() < chars) {
      text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      if (++n % 80 == 0) {
        text.append(
            switch ((n / 80) % 4) {
              case 0 -> "mail amy@example.org ";
              case 1 -> "call +44 20 7946 0958 ";
              case 2 -> "card 4111 1111 1111 1111 ";
              default -> "key AKIAIOSFODNN7EXAMPLE ";
            });
      }
    }
    text.setLength(chars);
    return text.toString();
  }
}
