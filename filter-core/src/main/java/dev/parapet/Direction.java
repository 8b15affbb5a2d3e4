package dev.parapet;

/** Which side of a model call a text is on. */
public enum Direction {
  /** The prompt, before the model sees it. */
  INPUT,
  /** The completion, before the caller sees it. */
  OUTPUT
}
