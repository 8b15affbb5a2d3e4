package dev.parapet.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a text's UTF-16 code units, for cache keys. Internal.
 *
 * <p>A cryptographic hash, because a collision would let one text reuse another's scores: an
 * attacker must not be able to craft a harmful text that hashes like a benign one. Code units are
 * hashed as they are, so lone surrogates never collapse into a replacement character.
 */
public final class TextHash {

  private static final int CHUNK_CHARS = 4096;

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  private TextHash() {}

  /** Returns the 256-bit hash as four longs. */
  public static long[] sha256(CharSequence text) {
    var state = STATE.get();
    var digest = state.digest;
    var buffer = state.buffer;
    int length = text.length();
    for (int from = 0; from < length; from += CHUNK_CHARS) {
      int to = Math.min(length, from + CHUNK_CHARS);
      buffer.clear();
      for (int i = from; i < to; i++) {
        buffer.putChar(text.charAt(i));
      }
      digest.update(buffer.array(), 0, buffer.position());
    }
    var bytes = ByteBuffer.wrap(digest.digest());
    return new long[] {bytes.getLong(), bytes.getLong(), bytes.getLong(), bytes.getLong()};
  }

  private static final class State {
    final MessageDigest digest;
    final ByteBuffer buffer = ByteBuffer.allocate(CHUNK_CHARS * 2);

    State() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }
  }
}
