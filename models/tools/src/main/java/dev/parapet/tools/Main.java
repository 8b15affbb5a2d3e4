package dev.parapet.tools;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The entry point behind {@code bin/parapet}: dispatches to one command.
 *
 * <p>Exit codes: 0 success, 1 failure while running, 2 bad usage.
 */
public final class Main {

  static final String USAGE =
      """
      usage: bin/parapet <command> [options]

      commands:
        check [--profile NAME] [--direction input|output] [--policy FILE]
            read text on stdin, check it with the default filter, print one JSON verdict
      """;

  private Main() {}

  /** Runs a command and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs a command on the given streams and returns its exit code. */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    var rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      return switch (args[0]) {
        case "check" -> CheckCommand.run(rest, in, out);
        default -> throw new UsageException("unknown command '" + args[0] + "'");
      };
    } catch (UsageException e) {
      err.println("parapet: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (RuntimeException e) {
      err.println("parapet: " + e);
      return 1;
    }
  }
}
