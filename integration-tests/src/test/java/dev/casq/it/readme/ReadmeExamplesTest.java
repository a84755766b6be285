package dev.casq.it.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's programs, extracted from README.md, compiled and run exactly as written (in a child
 * JVM on this module's test class path, with its temporary directory in the test's): the embedded
 * queue, and the client that starts a broker in its own process.
 */
class ReadmeExamplesTest {
  @TempDir Path dir;

  @Test
  void theEmbeddedExampleHandlesBothJobs() throws Exception {
    ReadmeExamples.Run run = compileAndRun(ReadmeExamples.program("Getting started (embedded)"));
    assertThat(run.output())
        .containsSubsequence(
            "sending 'Your order' to bob@example.com",
            "sending 'Welcome!' to ada@example.com",
            "QueueStats[",
            "counters=Counters[pushed=2, claimed=2, completed=2,",
            "broker=null")
        .doesNotContain("Counters@");
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  @Test
  void theClientExampleStartsABrokerAndHandlesBothJobs() throws Exception {
    ReadmeExamples.Run run = compileAndRun(ReadmeExamples.program("The broker and the client"));
    assertThat(run.output())
        .containsSubsequence(
            "sending 'Your order' to bob@example.com", "sending 'Welcome!' to ada@example.com",
            "QueueStats[", "counters=Counters[pushed=2, claimed=2, completed=2,",
            "broker=Broker[", "address=http://");
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  /** The two programs differ only in their class name and the line that opens the queue. */
  @Test
  void theEmbeddedAndTheClientExamplesDifferOnlyInHowTheyOpenTheQueue() throws Exception {
    List<String> embedded = code(ReadmeExamples.program("Getting started (embedded)"));
    List<String> client = code(ReadmeExamples.program("The broker and the client"));
    List<String> onlyEmbedded = new java.util.ArrayList<>(embedded);
    onlyEmbedded.removeAll(client);
    List<String> onlyClient = new java.util.ArrayList<>(client);
    onlyClient.removeAll(embedded);
    assertThat(onlyEmbedded)
        .containsExactly(
            "import dev.casq.core.Casq;",
            "public class EmailsExample {",
            "try (Queue<Email> emails = Casq.open(store, Email.class)) {");
    assertThat(onlyClient)
        .containsExactly(
            "import dev.casq.client.CasqClient;",
            "public class EmailsClientExample {",
            "try (Queue<Email> emails = CasqClient.connect(store, Email.class)) {");
  }

  /** The program's lines without comments or blank lines, trimmed. */
  private static List<String> code(String program) {
    return program
        .lines()
        .map(l -> l.replaceAll("\\s*//.*$", "").trim())
        .filter(l -> !l.isEmpty())
        .toList();
  }

  @Test
  void theReadmeDependencyBlocksNameTheStoreModule() throws Exception {
    assertThat(ReadmeExamples.blocks(ReadmeExamples.section("Getting started (embedded)"), "xml"))
        .singleElement()
        .asString()
        .contains(
            "<artifactId>queue-core</artifactId>",
            "<artifactId>storage-localfile</artifactId>",
            "<artifactId>slf4j-simple</artifactId>");
    assertThat(ReadmeExamples.blocks(ReadmeExamples.section("The broker and the client"), "xml"))
        .singleElement()
        .asString()
        .contains(
            "<artifactId>queue-client</artifactId>",
            "<artifactId>queue-broker</artifactId>",
            "<artifactId>storage-localfile</artifactId>");
  }

  private ReadmeExamples.Run compileAndRun(String program) throws Exception {
    String name = ReadmeExamples.className(program);
    Path src = dir.resolve("src");
    Path classes = dir.resolve("classes");
    Path tmp = dir.resolve("tmp");
    Files.createDirectories(src);
    Files.createDirectories(classes);
    Files.createDirectories(tmp);
    Path file = src.resolve(name + ".java");
    Files.writeString(file, program, StandardCharsets.UTF_8);
    String classPath = System.getProperty("java.class.path");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(file.toFile());
      boolean ok =
          javac
              .getTask(
                  errors,
                  files,
                  null,
                  List.of(
                      "-classpath",
                      classPath,
                      "-d",
                      classes.toString(),
                      "--release",
                      "17",
                      "-proc:none"),
                  null,
                  units)
              .call();
      assertThat(ok).as("the README's %s compiles as written:%n%s", name, errors).isTrue();
    }

    ReadmeExamples.Run run =
        ReadmeExamples.run(
            List.of(
                ReadmeExamples.java(),
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                classes + File.pathSeparator + classPath,
                name),
            dir,
            120);
    System.out.println("--- " + name + " (" + run.millis() + " ms)\n" + run.output());
    assertThat(run.timedOut()).as("%s finished:%n%s", name, run.output()).isFalse();
    return run;
  }
}
