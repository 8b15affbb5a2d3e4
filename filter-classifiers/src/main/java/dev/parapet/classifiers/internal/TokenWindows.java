package dev.parapet.classifiers.internal;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parapet.classifiers.ClassifierException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tokenizes text into the model's windows with a DJL Hugging Face tokenizer loaded from local
 * bytes.
 *
 * <p>A text that fits the window becomes one window: the tokenizer's own special tokens around the
 * text's tokens. A longer text becomes overlapping windows, so a phrase split at a window edge is
 * still seen whole in the next one, and, in addition, one window per sentence: in a pooled model a
 * single harmful sentence inside a window of benign text is diluted below any threshold, while
 * alone it is not. Text is cut by characters (at white space) before tokenizing, so tokenizing
 * costs time linear in the text and never truncates it. Lone surrogates become U+FFFD. An encoder's
 * text prefix (e5's {@code "query: "}) is tokenized once and starts every window, after the special
 * tokens, as if each window's text began with it. Thread-safe. Internal.
 */
public final class TokenWindows implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HuggingFaceTokenizer tokenizer;
  private final long[] prefix;
  private final long[] suffix;
  private final int maxLength;
  private final int body;
  private final int step;
  private final int chunkChars;
  private final long maxTokenId;

  private TokenWindows(
      HuggingFaceTokenizer tokenizer,
      int maxLength,
      int overlap,
      int chunkChars,
      long maxTokenId,
      String textPrefix) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.chunkChars = chunkChars;
    this.maxTokenId = maxTokenId;
    // Learn the special tokens from the tokenizer itself: "a" with and without them.
    long[] bare = tokenizer.encode("a", false, false).getIds();
    long[] full = tokenizer.encode("a", true, false).getIds();
    int at = indexOf(full, bare);
    if (at < 0) {
      throw new ClassifierException("cannot locate the special tokens of this tokenizer");
    }
    long[] text =
        textPrefix.isEmpty() ? new long[0] : tokenizer.encode(textPrefix, false, false).getIds();
    this.prefix = Arrays.copyOf(full, at + text.length);
    System.arraycopy(text, 0, prefix, at, text.length);
    this.suffix = Arrays.copyOfRange(full, at + bare.length, full.length);
    this.body = maxLength - prefix.length - suffix.length;
    if (body < 2) {
      throw new ClassifierException("window of " + maxLength + " tokens leaves no room for text");
    }
    int clampedOverlap = Math.min(Math.max(overlap, 0), body / 2);
    this.step = body - clampedOverlap;
  }

  /**
   * Loads a tokenizer.
   *
   * @param json the {@code tokenizer.json} bytes
   * @param maxLength the window in tokens, special tokens included
   * @param overlap tokens shared by consecutive windows of a long text
   * @param name names the file in errors
   */
  public static TokenWindows load(byte[] json, int maxLength, int overlap, String name) {
    return load(json, maxLength, overlap, name, "");
  }

  /**
   * Loads a tokenizer whose windows all start with {@code textPrefix}'s tokens (after the special
   * tokens); see {@link #load(byte[], int, int, String)}.
   */
  public static TokenWindows load(
      byte[] json, int maxLength, int overlap, String name, String textPrefix) {
    Ort.offline();
    long maxTokenId = maxTokenId(json, name);
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(json),
              Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "false"));
    } catch (IOException | RuntimeException e) {
      throw new ClassifierException("cannot load tokenizer " + name + ": " + e.getMessage(), e);
    }
    try {
      // About 8 chars per token is generous for English; a chunk is a few windows' worth.
      return new TokenWindows(
          tokenizer, maxLength, overlap, Math.max(256, maxLength * 16), maxTokenId, textPrefix);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /** Returns the window length in tokens, special tokens included. */
  public int maxLength() {
    return maxLength;
  }

  /** Returns the largest token id the tokenizer can emit. */
  public long maxTokenId() {
    return maxTokenId;
  }

  /** Returns a window that holds only the special tokens and the given id, to probe a model. */
  public long[] probe(long id) {
    var window = new long[prefix.length + 1 + suffix.length];
    System.arraycopy(prefix, 0, window, 0, prefix.length);
    window[prefix.length] = id;
    System.arraycopy(suffix, 0, window, prefix.length + 1, suffix.length);
    return window;
  }

  /** Returns the windows of a text, each at most {@link #maxLength()} tokens. */
  public List<long[]> windows(String text) {
    var clean = sanitize(text);
    var ids = tokenize(clean);
    if (ids.length <= body) {
      return List.of(window(ids, 0, ids.length));
    }
    var windows = new ArrayList<long[]>(1 + ids.length / step);
    for (int start = 0; ; start += step) {
      int end = Math.min(ids.length, start + body);
      windows.add(window(ids, start, end));
      if (end >= ids.length) {
        break;
      }
    }
    addSentenceWindows(clean, windows);
    return windows;
  }

  /** Adds one window per sentence that fits a window; longer ones are covered by the others. */
  private void addSentenceWindows(String text, List<long[]> windows) {
    var sentences = new ArrayList<String>();
    var breaks = BreakIterator.getSentenceInstance(Locale.ROOT);
    breaks.setText(text);
    for (int start = breaks.first(), end = breaks.next();
        end != BreakIterator.DONE;
        start = end, end = breaks.next()) {
      var sentence = text.substring(start, end).strip();
      // A sentence of many characters cannot fit a window: the overlapping windows cover it.
      if (!sentence.isEmpty() && sentence.length() <= body * 12) {
        sentences.add(sentence);
      }
    }
    for (var encoding : tokenizer.batchEncode(sentences, false, false)) {
      var ids = encoding.getIds();
      if (ids.length > 0 && ids.length <= body) {
        windows.add(window(ids, 0, ids.length));
      }
    }
  }

  private long[] tokenize(String text) {
    if (text.length() <= chunkChars) {
      return tokenizer.encode(text, false, false).getIds();
    }
    var all = new long[Math.max(16, text.length() / 3)];
    int count = 0;
    for (int from = 0; from < text.length(); ) {
      int to = chunkEnd(text, from);
      long[] chunk = tokenizer.encode(text.substring(from, to), false, false).getIds();
      if (count + chunk.length > all.length) {
        all = Arrays.copyOf(all, Math.max(all.length * 2, count + chunk.length));
      }
      System.arraycopy(chunk, 0, all, count, chunk.length);
      count += chunk.length;
      from = to;
    }
    return Arrays.copyOf(all, count);
  }

  /** Ends a chunk at the last white space before the limit, never inside a surrogate pair. */
  private int chunkEnd(String text, int from) {
    int limit = from + chunkChars;
    if (limit >= text.length()) {
      return text.length();
    }
    for (int i = limit; i > from + chunkChars / 2; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
  }

  private long[] window(long[] ids, int start, int end) {
    var window = new long[prefix.length + (end - start) + suffix.length];
    System.arraycopy(prefix, 0, window, 0, prefix.length);
    System.arraycopy(ids, start, window, prefix.length, end - start);
    System.arraycopy(suffix, 0, window, prefix.length + end - start, suffix.length);
    return window;
  }

  /** Replaces lone surrogates, which cannot cross into the native tokenizer, with U+FFFD. */
  static String sanitize(String text) {
    int length = text.length();
    StringBuilder out = null;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      boolean lone;
      if (Character.isHighSurrogate(c)) {
        lone = i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1));
        if (!lone) {
          if (out != null) {
            out.append(c).append(text.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        lone = Character.isLowSurrogate(c);
      }
      if (lone && out == null) {
        out = new StringBuilder(length).append(text, 0, i);
      }
      if (out != null) {
        out.append(lone ? '\uFFFD' : c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static long maxTokenId(byte[] json, String name) {
    try {
      var root = MAPPER.readTree(json);
      long max = -1;
      var vocab = root.path("model").path("vocab");
      if (vocab.isObject()) {
        for (var id : (Iterable<com.fasterxml.jackson.databind.JsonNode>) vocab::elements) {
          max = Math.max(max, id.asLong());
        }
      } else if (vocab.isArray()) {
        max = vocab.size() - 1;
      }
      for (var token : root.path("added_tokens")) {
        max = Math.max(max, token.path("id").asLong(-1));
      }
      if (max < 0) {
        throw new ClassifierException(name + " has no vocabulary");
      }
      return max;
    } catch (IOException e) {
      throw new ClassifierException(name + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static int indexOf(long[] haystack, long[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  /** Returns the ids of a text without special tokens, for tests and benchmarks. */
  public long[] ids(String text) {
    return tokenize(sanitize(text));
  }
}
