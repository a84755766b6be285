package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code casq.jar} as a user runs it: a separate JVM process in a fresh directory. Runs
 * in the integration-test phase, after the jar was built ({@code mvn -pl queue-cli verify}).
 */
class CasqJarIT {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run casq(String... args) throws IOException, InterruptedException {
    String jar = System.getProperty("casq.jar", "target/casq.jar");
    assertThat(Path.of(jar)).exists();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(Path.of(jar).toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("casq %s finished", List.of(args)).isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void demoOnTheDefaultStoreFinishesWithASummary() throws Exception {
    Run r = casq("demo", "--jobs", "500", "--producers", "4", "--workers", "4");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("done: 500 jobs pushed and 500 completed");
    assertThat(dir.resolve("casq-data").resolve("demo.json")).exists();

    Run inspect = casq("inspect", "--store", dir.resolve("casq-data/demo.json").toUri().toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("\"format\"");
  }

  @Test
  void everyStoreSurvivedShading() throws Exception {
    Run r = casq("inspect", "--store", "nosuch://bucket/q.json");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("file").contains("s3").contains("gs").contains("mem");
  }

  @Test
  void helpAndUsageErrorsExitCodes() throws Exception {
    assertThat(casq("--help").exit()).isZero();
    Run usage = casq("push");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("Missing required parameter");
  }

  @Test
  void benchWithWrkAsTheLoadMeasuresTheBrokerAndChecksTheCount() throws Exception {
    boolean wrk = false;
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      wrk |= Files.isExecutable(Path.of(d, "wrk"));
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        wrk,
        "wrk is not installed (apt-get install wrk): casq bench --load wrk is not checked here");
    Run r =
        casq(
            "bench",
            "--load",
            "wrk",
            "--clients",
            "2",
            "--pending",
            "100",
            "--duration",
            "2s",
            "--warmup",
            "0s");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    java.util.regex.Matcher row =
        java.util.regex.Pattern.compile("(?m)^2\\s+([\\d,]+)\\s+.*\\s(\\d+)\\s+([\\d,]+)$")
            .matcher(r.out());
    assertThat(row.find()).as(r.out()).isTrue();
    assertThat(Long.parseLong(row.group(1).replace(",", ""))).as("pushes/s").isPositive();
    assertThat(row.group(2)).as("errors").isEqualTo("0");
    assertThat(Long.parseLong(row.group(3).replace(",", ""))).as("pushes counted").isPositive();
  }
}
