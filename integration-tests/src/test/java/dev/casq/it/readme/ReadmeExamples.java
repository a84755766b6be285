package dev.casq.it.readme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The code blocks of README.md, and running a program in a child JVM. */
final class ReadmeExamples {
  private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

  private ReadmeExamples() {}

  /** The repository's root directory (tests run in integration-tests/). */
  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("README.md")) ? here : here.getParent();
  }

  /** The section of README.md under the heading {@code title}, up to the next "## " heading. */
  static String section(String title) throws IOException {
    String readme = Files.readString(root().resolve("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("\n## " + title + "\n");
    if (start < 0) {
      throw new AssertionError("README.md has no section '" + title + "'");
    }
    int end = readme.indexOf("\n## ", start + 4);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  /** The code blocks of a language in a text, in order. */
  static List<String> blocks(String text, String language) {
    List<String> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(language)) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  /** The one complete Java program of a README section. */
  static String program(String sectionTitle) throws IOException {
    List<String> programs =
        blocks(section(sectionTitle), "java").stream()
            .filter(b -> CLASS.matcher(b).find())
            .toList();
    if (programs.size() != 1) {
      throw new AssertionError(
          "README section '"
              + sectionTitle
              + "' should hold one complete program, has "
              + programs.size());
    }
    return programs.get(0);
  }

  static String className(String program) {
    Matcher m = CLASS.matcher(program);
    if (!m.find()) {
      throw new AssertionError("no public class in\n" + program);
    }
    return m.group(1);
  }

  /** What a finished child process did. */
  record Run(int exitCode, String output, long millis, boolean timedOut) {}

  /** Runs {@code command}, output and errors merged, killing it after {@code timeoutSeconds}. */
  static Run run(List<String> command, Path dir, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "run", ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long start = System.nanoTime();
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    return new Run(finished ? p.exitValue() : -1, out, millis, !finished);
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
