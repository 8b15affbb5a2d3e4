package dev.parapet.classifiers;

import dev.parapet.ParapetException;

/**
 * A classifier could not load or run its model; wraps ONNX Runtime and tokenizer errors, keeping
 * the cause and naming the model and file. Never contains checked text.
 */
public final class ClassifierException extends ParapetException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ClassifierException(String message) {
    super(message);
  }

  /** Creates the exception with its cause. */
  public ClassifierException(String message, Throwable cause) {
    super(message, cause);
  }
}
