package dev.parapet.tools;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code bin/parapet train <step>}: the Java steps of training. {@code bin/parapet train} without a
 * step runs the whole pipeline from the launcher (see {@code models/README.md}); this entry point
 * runs the steps that need the runtime: {@code embed}.
 */
final class TrainCommand {

  private TrainCommand() {}

  static int run(String[] args, PrintStream out) {
    if (args.length == 0) {
      throw new UsageException("train needs a step: embed");
    }
    var rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "embed" -> EmbedCommand.run(rest, out);
      default -> throw new UsageException("unknown train step '" + args[0] + "'");
    };
  }
}
