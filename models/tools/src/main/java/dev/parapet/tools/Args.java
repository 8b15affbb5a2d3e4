package dev.parapet.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Parses {@code --name value} options against a fixed set of names. */
final class Args {

  private final Map<String, String> values;

  private Args(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses options.
   *
   * @param withValue options that take a value
   * @param flags options that take none
   * @throws UsageException on an unknown option or a missing value
   */
  static Args parse(String[] args, Set<String> withValue, Set<String> flags) {
    var values = new HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      var name = args[i];
      if (flags.contains(name)) {
        values.put(name, "true");
      } else if (withValue.contains(name)) {
        if (i + 1 >= args.length) {
          throw new UsageException(name + " needs a value");
        }
        values.put(name, args[++i]);
      } else {
        throw new UsageException("unknown option '" + name + "'");
      }
    }
    return new Args(values);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String get(String name) {
    return values.get(name);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }
}
