package dev.parapet.classifiers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that loading and running a model makes no outbound connection attempt: a child JVM loads
 * the test model and classifies under {@code strace}, which records every {@code connect}/{@code
 * sendto}. The child runs as {@code bin/parapet} does: {@code ORT_DISABLE_TELEMETRY=1}, and no
 * {@code ai.djl.offline} property (Parapet must set it). CI installs strace; where it is missing
 * the test is skipped.
 */
class NoNetworkTest {

  @TempDir Path dir;

  @Test
  void loadAndClassify_attemptsNoNetworkConnection() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "strace is not installed");
    var trace = dir.resolve("trace.txt");
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command =
        new ArrayList<>(
            List.of(
                "/usr/bin/strace",
                "-f",
                "-qq",
                "-e",
                "trace=connect,sendto,sendmsg",
                "-o",
                trace.toString(),
                java,
                "-cp",
                System.getProperty("java.class.path"),
                NetworkProbe.class.getName(),
                TestModels.threatModel().toString()));
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    var process = builder.start();
    var output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("classified 2 texts");

    var network =
        Files.readAllLines(trace).stream()
            .filter(
                line ->
                    line.contains("AF_INET")
                        || line.contains("AF_INET6")
                        || line.contains("AF_NETLINK"))
            .toList();
    assertThat(network).as("network calls of the child JVM").isEmpty();
  }
}
