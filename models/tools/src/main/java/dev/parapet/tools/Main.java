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
        demo [--profile NAME] [--stream [--token-ms N]]
            run the shipped sample prompts and answers through the default filter;
            --stream replays sample answers token by token (N ms apart, default 40) through a guarded stream
        check [--profile NAME] [--direction input|output] [--policy FILE]
            read text on stdin, check it with the default filter, print one JSON verdict
        eval --model ID|DIR --data FILE.jsonl [--profile NAME] [--policy FILE] [--scores OUT.jsonl] [--report OUT.html]
            measure a model on labelled JSONL ({"id", "text", "labels": [...]})
        bench [--quick] [--json FILE]
            run the JMH suite (filter-benchmarks) and print the summary figures
        train [--data DIR]
            rebuild the shipped heads from ../shared/data (see models/README.md)
      """;

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger PARAPET_LOG =
      java.util.logging.Logger.getLogger("dev.parapet");

  private Main() {}

  /** Runs a command and exits with its code. */
  public static void main(String[] args) {
    // Tools print results; only warnings (say, a CUDA fallback) reach the terminal as log lines.
    PARAPET_LOG.setLevel(java.util.logging.Level.WARNING);
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
        case "train" -> TrainCommand.run(rest, out);
        case "eval" -> EvalCommand.run(rest, out, err);
        case "demo" -> DemoCommand.run(rest, out);
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
