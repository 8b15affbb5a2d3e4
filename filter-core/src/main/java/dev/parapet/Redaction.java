package dev.parapet;

import static java.util.Objects.requireNonNull;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How REDACT masks a span: a typed placeholder ({@code [EMAIL_1]}, the default; one number per
 * distinct value), a plain mask ({@code [REDACTED]}), or a keyed hash ({@code [EMAIL_3f9a1c2b]}:
 * the same value always gives the same tag under one key, so redacted logs can still be joined).
 * Spans that overlap are merged. Immutable and thread-safe.
 */
public final class Redaction {

  private enum Mode {
    PLACEHOLDER,
    MASK,
    KEYED_HASH
  }

  private static final Redaction PLACEHOLDERS = new Redaction(Mode.PLACEHOLDER, null);
  private static final Redaction MASK = new Redaction(Mode.MASK, null);

  private final Mode mode;
  private final SecretKeySpec key;

  private Redaction(Mode mode, SecretKeySpec key) {
    this.mode = mode;
    this.key = key;
  }

  /** Typed, numbered placeholders such as {@code [EMAIL_1]}; reversible within one guarded call. */
  public static Redaction placeholders() {
    return PLACEHOLDERS;
  }

  /** A plain {@code [REDACTED]}, saying nothing of what was there. */
  public static Redaction mask() {
    return MASK;
  }

  /**
   * A type and the first 8 hex digits of HMAC-SHA256 of the value under {@code key} (at least 16
   * bytes), such as {@code [EMAIL_3f9a1c2b]}.
   */
  public static Redaction keyedHash(byte[] key) {
    requireNonNull(key, "key");
    if (key.length < 16) {
      throw new IllegalArgumentException("key must have at least 16 bytes, had " + key.length);
    }
    return new Redaction(Mode.KEYED_HASH, new SecretKeySpec(key.clone(), "HmacSHA256"));
  }

  /** Returns whether placeholders can be restored to their values within one call. */
  public boolean reversible() {
    return mode == Mode.PLACEHOLDER;
  }

  /**
   * Placeholder-to-value map of one guarded call, so a completion's placeholders can be restored.
   * Lives only for that call; never logged, audited or measured. Not thread-safe.
   */
  static final class Vault {
    /** The shape of a placeholder: {@code [TYPE_N]}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\[([A-Z0-9_]+)_([0-9]{1,9})]");

    private final Map<String, String> placeholderToValue = new HashMap<>();
    private final Map<String, String> valueToPlaceholder = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Set<String> typed = new HashSet<>();

    /**
     * Notes the placeholder-shaped tokens a text already holds as written (the user typed them), so
     * this vault never issues them: restoring then never turns typed text into a masked value.
     */
    void reserveTyped(String text) {
      if (text.indexOf('[') < 0) {
        return;
      }
      var matcher = PLACEHOLDER.matcher(text);
      while (matcher.find()) {
        if (!placeholderToValue.containsKey(matcher.group())) {
          typed.add(matcher.group());
        }
      }
    }

    String placeholder(String type, String value) {
      var key = type + "\u0000" + value;
      var existing = valueToPlaceholder.get(key);
      if (existing != null) {
        return existing;
      }
      String placeholder;
      do {
        placeholder = "[" + type + "_" + counters.merge(type, 1, Integer::sum) + "]";
      } while (typed.contains(placeholder));
      valueToPlaceholder.put(key, placeholder);
      placeholderToValue.put(placeholder, value);
      return placeholder;
    }

    /** Replaces the placeholders this vault issued, token by exact token, by their values. */
    String restore(String text) {
      if (placeholderToValue.isEmpty() || text.indexOf('[') < 0) {
        return text;
      }
      var matcher = PLACEHOLDER.matcher(text);
      var out = new StringBuilder(text.length());
      int i = 0;
      while (matcher.find()) {
        var value = placeholderToValue.get(matcher.group());
        if (value != null) {
          out.append(text, i, matcher.start()).append(value);
          i = matcher.end();
        }
      }
      return i == 0 ? text : out.append(text, i, text.length()).toString();
    }

    /** Returns a copy: the placeholders known now, to restore later ones without the newer. */
    Vault snapshot() {
      var copy = new Vault();
      copy.placeholderToValue.putAll(placeholderToValue);
      copy.valueToPlaceholder.putAll(valueToPlaceholder);
      copy.counters.putAll(counters);
      copy.typed.addAll(typed);
      return copy;
    }
  }

  /**
   * Masks the spans of a text; with placeholders, numbers come from (and go to) the vault if given.
   */
  String apply(String text, List<Span> spans, Vault vault) {
    if (spans.isEmpty()) {
      return text;
    }
    var sorted = new ArrayList<>(spans);
    sorted.sort(
        Comparator.comparingInt(Span::start)
            .thenComparing(Comparator.comparingInt(Span::end).reversed()));
    var local = vault != null ? vault : new Vault();
    local.reserveTyped(text);
    var released = Normalization.removeInvisible(text, 0);
    if (released != text) { // as released too: "[EMAIL\u200B_1]" reads "[EMAIL_1]"
      local.reserveTyped(released);
    }
    var out = new StringBuilder(text.length());
    int cursor = 0;
    int i = 0;
    while (i < sorted.size()) {
      var first = sorted.get(i);
      int start = Math.max(first.start(), cursor);
      int end = first.end();
      i++;
      while (i < sorted.size() && sorted.get(i).start() < end) {
        end = Math.max(end, sorted.get(i).end());
        i++;
      }
      out.append(text, cursor, start);
      var type = first.type().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
      var value = text.substring(start, end);
      out.append(
          switch (mode) {
            case PLACEHOLDER -> local.placeholder(type, value);
            case MASK -> "[REDACTED]";
            case KEYED_HASH -> "[" + type + "_" + hmac(value) + "]";
          });
      cursor = end;
    }
    return out.append(text, cursor, text.length()).toString();
  }

  private String hmac(String value) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      var digest = mac.doFinal(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }

  @Override
  public String toString() {
    return "Redaction[" + mode.name().toLowerCase(Locale.ROOT) + "]";
  }
}
