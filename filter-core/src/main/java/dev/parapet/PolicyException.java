package dev.parapet;

/** Thrown when a policy or policy file is invalid; the message names the bad entry. */
public final class PolicyException extends ParapetException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public PolicyException(String message) {
    super(message);
  }

  /** Creates the exception with a cause, such as a parse or I/O error. */
  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
