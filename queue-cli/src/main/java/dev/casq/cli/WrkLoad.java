package dev.casq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk (a separate load-generator process, {@code apt-get install wrk}) against a broker: N
 * connections, each with one push in flight at a time, every push with its own idempotency key. It
 * measures the broker without the Java client's own CPU cost on the same cores.
 */
final class WrkLoad {
  /** What one wrk run reported. */
  record Result(
      long requests,
      double seconds,
      double requestsPerSecond,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      long errors) {}

  private final Path script;

  private WrkLoad(Path script) {
    this.script = script;
  }

  /** Checks that wrk is installed and writes its push script to a temporary file. */
  static WrkLoad prepare() throws IOException {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new CliException(
          "--load wrk needs wrk on the PATH (Debian: apt-get install wrk): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while looking for wrk");
    }
    Path script = Files.createTempFile("casq-bench-push", ".lua");
    script.toFile().deleteOnExit();
    try (InputStream in = WrkLoad.class.getResourceAsStream("bench-push.lua")) {
      if (in == null) {
        throw new IllegalStateException("bench-push.lua is missing from the jar");
      }
      Files.write(script, in.readAllBytes());
    }
    return new WrkLoad(script);
  }

  /** Pushes to {@code url + path} from {@code connections} connections for {@code duration}. */
  Result run(String url, String path, String payload, int connections, Duration duration)
      throws IOException, InterruptedException {
    int threads = Math.min(connections, Math.max(1, Runtime.getRuntime().availableProcessors()));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + Math.max(1, duration.toSeconds()) + "s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                script.toString(),
                url,
                "--",
                path,
                payload));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new CliException("wrk did not finish");
    }
    if (p.exitValue() != 0) {
      throw new CliException("wrk failed (exit " + p.exitValue() + "): " + out.strip());
    }
    return parse(out);
  }

  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m),");
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern LATENCY_LINE =
      Pattern.compile("Latency\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)");
  private static final Pattern PERCENTILE = Pattern.compile("\\s(50|99)(?:\\.000)?%\\s+(\\S+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  /** Reads wrk's report (its {@code --latency} form). */
  static Result parse(String out) {
    Matcher total = TOTAL.matcher(out);
    Matcher rate = RATE.matcher(out);
    Matcher lat = LATENCY_LINE.matcher(out);
    if (!total.find() || !rate.find() || !lat.find()) {
      throw new CliException("could not read wrk's report: " + out.strip());
    }
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    Matcher pct = PERCENTILE.matcher(out);
    while (pct.find()) {
      if (pct.group(1).equals("50")) {
        p50 = millis(pct.group(2));
      } else {
        p99 = millis(pct.group(2));
      }
    }
    long errors = 0;
    Matcher non2xx = NON_2XX.matcher(out);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    Matcher socket = SOCKET_ERRORS.matcher(out);
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(socket.group(g));
      }
    }
    return new Result(
        Long.parseLong(total.group(1)),
        millis(total.group(2) + total.group(3)) / 1000,
        Double.parseDouble(rate.group(1)),
        p50,
        p99,
        millis(lat.group(3)),
        errors);
  }

  /** wrk's durations: {@code 812.00us}, {@code 4.52ms}, {@code 1.02s}, {@code 1.50m}. */
  static double millis(String text) {
    Matcher m = Pattern.compile("([\\d.]+)(us|ms|s|m)").matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliException("not a wrk duration: " + text);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "ms" -> v;
      case "s" -> v * 1000;
      default -> v * 60_000;
    };
  }
}
