package dev.parapet;

/** The root of Parapet's unchecked exceptions. Messages never contain checked text. */
public class ParapetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public ParapetException(String message) {
    super(message);
  }

  /** Creates an exception with a message and a cause. */
  public ParapetException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception with a message, a cause, and no stack trace when it is an expected
   * outcome.
   */
  protected ParapetException(String message, Throwable cause, boolean writableStackTrace) {
    super(message, cause, false, writableStackTrace);
  }
}
