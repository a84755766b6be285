package dev.casq.it.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A fresh Maven project that uses casq as the README says: the README's dependency block and its
 * embedded example, built offline against the artifacts {@code mvn verify} installs into {@code
 * target/casq-repo} (third-party artifacts come from the local Maven repository, read as a file://
 * mirror; the project gets a local repository of its own under target/).
 *
 * <ol>
 *   <li>with the default dependencies it compiles as written, the job is handled, and resolving
 *       casq fetches no foreign BOM or parent POM (no cloud SDK, Jetty, Micrometer, test library);
 *   <li>with Jackson 2.15 forced by the project's dependency management (as Spring Boot 3.1 does)
 *       it fails within seconds with a message naming the library, the version found and the
 *       minimum, and with the check turned off it still fails rather than hangs.
 * </ol>
 *
 * <p>Each part is skipped, with the reason printed, when what it needs is not there offline.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsumerProjectTest {
  /** Group ids whose POMs a consumer of queue-core must never fetch. */
  private static final List<String> FOREIGN =
      List.of(
          "software/amazon",
          "com/google/cloud",
          "com/google/api",
          "org/eclipse/jetty",
          "io/micrometer",
          "org/testcontainers",
          "org/junit",
          "org/assertj",
          "net/jqwik",
          "io/netty",
          "io/grpc",
          "org/awaitility",
          "org/openjdk/jmh");

  private static final String PLUGINS =
      """
        <build><plugins>
          <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
          <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
          <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
        </plugins></build>
      """;

  private static Path work;
  private static Path localRepo;
  private static String mvn;
  private static String skipReason;

  /** POMs in the project's local repository before the last build. */
  private static Set<String> pomsBefore;

  @BeforeAll
  static void prepare() throws Exception {
    Path root = ReadmeExamples.root();
    Path casqRepo = root.resolve("target/casq-repo");
    Path installed =
        casqRepo.resolve("dev/casq/queue-core/0.1.0-SNAPSHOT/queue-core-0.1.0-SNAPSHOT.jar");
    Path built = root.resolve("queue-core/target/queue-core-0.1.0-SNAPSHOT.jar");
    Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    Optional<String> maven = onPath("mvn");
    if (!Files.isRegularFile(installed)) {
      skipReason =
          "no casq artifacts in "
              + casqRepo
              + ": mvn verify installs them there (mvn test"
              + " does not)";
    } else if (!Files.isRegularFile(built) || Files.mismatch(installed, built) != -1) {
      skipReason = "the artifacts in " + casqRepo + " are not those of this build: run mvn verify";
    } else if (maven.isEmpty()) {
      skipReason = "no mvn command on the PATH";
    } else if (!Files.isDirectory(m2)) {
      skipReason =
          "no local Maven repository at " + m2 + " to resolve third-party artifacts offline";
    }
    if (skipReason != null) {
      System.out.println("ConsumerProjectTest skipped: " + skipReason);
      return;
    }
    mvn = maven.get();
    work = root.resolve("integration-tests/target/consumer-project");
    deleteTree(work);
    localRepo = work.resolve("m2");
    Files.createDirectories(localRepo);
    copyTree(casqRepo, localRepo); // as after the README's "mvn install"
    Files.writeString(
        work.resolve("settings.xml"),
        "<settings><mirrors><mirror><id>local-m2</id><mirrorOf>*</mirrorOf><url>"
            + m2.toUri()
            + "</url></mirror></mirrors></settings>\n");

    // The build plugins' own POMs (some import test BOMs) are fetched once, before any project
    // that depends on casq, so that what casq brings can be told apart.
    Path warmUp = project("warm-up", "", "", null);
    MavenRun w = build(warmUp);
    if (!w.ok()) {
      skipReason = "the build plugins do not resolve offline from " + m2 + ":\n" + w.output();
      System.out.println("ConsumerProjectTest skipped: " + skipReason);
    }
    pomsBefore = poms();
  }

  @Test
  @Order(1)
  void theReadmeExampleBuildsAndRunsWithTheDefaultDependencies() throws Exception {
    skipIfNeeded();
    Path p = project("default", readmeDependencies(), "", readmeProgram());
    MavenRun b = build(p);
    assertThat(b.ok()).as("the README example compiles as written:%n%s", b.output()).isTrue();

    Set<String> fetched = newPoms();
    System.out.println(
        "POMs fetched for the README's dependencies:\n  " + String.join("\n  ", fetched));
    // Only what casq's own dependencies bring (jackson-base imports junit-bom, for instance);
    // casq adds no BOM of its build (the ~245 POMs of its cloud, Jetty and test BOMs).
    List<String> foreign = new ArrayList<>();
    for (String pom : fetched) {
      if (foreign(pom) && !importedByAThirdPartyPom(pom, fetched)) {
        foreign.add(pom);
      }
    }
    assertThat(foreign).as("foreign BOMs or parents fetched because of casq").isEmpty();
    assertThat(fetched).as("POMs fetched").hasSizeLessThan(40);
    assertThat(fetched)
        .as("casq's POMs carry no BOM imports of the build")
        .noneMatch(pom -> pom.contains("/libraries-bom/") || pom.contains("/jetty-bom/"));
    for (String artifact : List.of("queue-core", "storage-localfile", "storage-spi")) {
      String pom =
          Files.readString(
              localRepo.resolve(
                  "dev/casq/" + artifact + "/0.1.0-SNAPSHOT/" + artifact + "-0.1.0-SNAPSHOT.pom"));
      assertThat(pom)
          .as(artifact)
          .doesNotContain("<parent>", "<dependencyManagement>", "<scope>import");
    }

    ReadmeExamples.Run run = runProgram(p, b.classPath(), List.of(), 120);
    assertThat(run.output())
        .containsSubsequence(
            "sending 'Your order' to bob@example.com",
            "sending 'Welcome!' to ada@example.com",
            "completed=2");
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  @Test
  @Order(2)
  void withJackson215ForcedItFailsAtOnceNamingTheLibraryAndTheVersions() throws Exception {
    skipIfNeeded();
    Optional<String> old = oldJacksonOffline();
    if (old.isEmpty()) {
      String why =
          "no complete Jackson 2.15.x (core, databind, annotations, jsr310 jars) in the"
              + " local Maven repository to force offline";
      System.out.println("ConsumerProjectTest (Jackson 2.15) skipped: " + why);
      abort(why);
    }
    String v = old.get();
    String pinned =
        """
          <dependencyManagement><dependencies>
            <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-core</artifactId><version>%1$s</version></dependency>
            <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>%1$s</version></dependency>
            <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-annotations</artifactId><version>%1$s</version></dependency>
            <dependency><groupId>com.fasterxml.jackson.datatype</groupId><artifactId>jackson-datatype-jsr310</artifactId><version>%1$s</version></dependency>
          </dependencies></dependencyManagement>
        """
            .formatted(v);
    Path p = project("jackson-" + v, readmeDependencies(), pinned, readmeProgram());
    MavenRun b = build(p);
    assertThat(b.ok()).as("it compiles with Jackson %s:%n%s", v, b.output()).isTrue();
    assertThat(b.classPath())
        .contains("jackson-core-" + v + ".jar")
        .doesNotContain("jackson-core-2.21");

    ReadmeExamples.Run run = runProgram(p, b.classPath(), List.of(), 60);
    assertThat(run.exitCode()).as(run.output()).isNotZero();
    assertThat(run.output())
        .contains(
            "IllegalStateException: casq cannot run with the Jackson found on the class path",
            "com.fasterxml.jackson.core:jackson-core "
                + v
                + " is too old: casq needs 2.16.0 or newer",
            "com.fasterxml.jackson.core:jackson-databind " + v + " is too old");
    assertThat(run.millis()).as("failed within seconds").isLessThan(15_000);

    // without the check the queue still fails rather than hangs
    ReadmeExamples.Run unchecked =
        runProgram(p, b.classPath(), List.of("-Dcasq.skip-dependency-check=true"), 60);
    assertThat(unchecked.timedOut()).as("no hang:%n%s", unchecked.output()).isFalse();
    assertThat(unchecked.exitCode()).as(unchecked.output()).isNotZero();
    assertThat(unchecked.output()).contains("NoSuchMethodError");
  }

  // ------------------------------------------------------------------ the consumer project

  private static void skipIfNeeded() {
    if (skipReason != null) {
      abort(skipReason);
    }
  }

  private static String readmeDependencies() throws IOException {
    return ReadmeExamples.blocks(ReadmeExamples.section("Getting started (embedded)"), "xml")
        .get(0);
  }

  private static String readmeProgram() throws IOException {
    return ReadmeExamples.program("Getting started (embedded)");
  }

  private static Path project(String name, String dependencies, String management, String program)
      throws IOException {
    Path p = work.resolve(name);
    Files.createDirectories(p.resolve("src/main/java"));
    Files.writeString(
        p.resolve("pom.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId><artifactId>%s</artifactId><version>1.0</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
        %s
          <dependencies>
        %s
          </dependencies>
        %s
        </project>
        """
            .formatted(name, management, dependencies, PLUGINS),
        StandardCharsets.UTF_8);
    if (program != null) {
      Files.writeString(
          p.resolve("src/main/java/" + ReadmeExamples.className(program) + ".java"),
          program,
          StandardCharsets.UTF_8);
    }
    return p;
  }

  private record MavenRun(boolean ok, String output, String classPath) {}

  /** mvn compile and the runtime class path, offline: nothing but the file:// mirror is read. */
  private static MavenRun build(Path project) throws IOException, InterruptedException {
    pomsBefore = poms();
    List<String> command =
        new ArrayList<>(
            List.of(
                mvn,
                "-B",
                "-o",
                "-q",
                "-s",
                work.resolve("settings.xml").toString(),
                "-Dmaven.repo.local=" + localRepo,
                "-Daether.offline.protocols=file",
                "compile",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                "-Dmdep.includeScope=runtime",
                "-Dmdep.outputFile=" + project.resolve("classpath.txt")));
    ReadmeExamples.Run run = ReadmeExamples.run(command, project, 300);
    Path cp = project.resolve("classpath.txt");
    boolean ok = run.exitCode() == 0 && Files.exists(cp);
    return new MavenRun(ok, run.output(), ok ? Files.readString(cp).trim() : "");
  }

  private static ReadmeExamples.Run runProgram(
      Path project, String classPath, List<String> options, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path tmp = project.resolve("tmp");
    Files.createDirectories(tmp);
    List<String> command =
        new ArrayList<>(List.of(ReadmeExamples.java(), "-Djava.io.tmpdir=" + tmp));
    command.addAll(options);
    command.addAll(
        List.of(
            "-cp",
            project.resolve("target/classes") + File.pathSeparator + classPath,
            "EmailsExample"));
    ReadmeExamples.Run run = ReadmeExamples.run(command, project, timeoutSeconds);
    System.out.println(
        "--- "
            + project.getFileName()
            + " "
            + options
            + " ("
            + run.millis()
            + " ms, exit "
            + run.exitCode()
            + ")\n"
            + run.output());
    return run;
  }

  private static Set<String> poms() throws IOException {
    try (Stream<Path> s = Files.walk(localRepo)) {
      return s.filter(f -> f.toString().endsWith(".pom"))
          .map(f -> localRepo.relativize(f).toString().replace(File.separatorChar, '/'))
          .filter(f -> !f.startsWith("dev/casq/"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> newPoms() throws IOException {
    Set<String> now = poms();
    now.removeAll(pomsBefore);
    return now;
  }

  /** Whether one of the other fetched POMs (not casq's) imports or inherits {@code pom}. */
  private static boolean importedByAThirdPartyPom(String pom, Set<String> fetched)
      throws IOException {
    String[] parts = pom.split("/");
    String artifactId = parts[parts.length - 3];
    for (String other : fetched) {
      if (!other.equals(pom)
          && !foreign(other)
          && Files.readString(localRepo.resolve(other))
              .contains("<artifactId>" + artifactId + "</artifactId>")) {
        System.out.println(pom + " comes with " + other);
        return true;
      }
    }
    return false;
  }

  private static boolean foreign(String pom) {
    return FOREIGN.stream().anyMatch(pom::startsWith);
  }

  /** The newest Jackson 2.15.x whose four jars are in the local Maven repository. */
  private static Optional<String> oldJacksonOffline() throws IOException {
    Path m2 =
        Path.of(
            System.getProperty("user.home"), ".m2", "repository", "com", "fasterxml", "jackson");
    Path core = m2.resolve("core/jackson-core");
    if (!Files.isDirectory(core)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(core)) {
      return versions
          .map(d -> d.getFileName().toString())
          .filter(v -> v.matches("2\\.15\\.\\d+"))
          .filter(
              v ->
                  Files.exists(core.resolve(v + "/jackson-core-" + v + ".jar"))
                      && Files.exists(
                          m2.resolve(
                              "core/jackson-databind/" + v + "/jackson-databind-" + v + ".jar"))
                      && Files.exists(
                          m2.resolve(
                              "core/jackson-annotations/"
                                  + v
                                  + "/jackson-annotations-"
                                  + v
                                  + ".jar"))
                      && Files.exists(
                          m2.resolve(
                              "datatype/jackson-datatype-jsr310/"
                                  + v
                                  + "/jackson-datatype-jsr310-"
                                  + v
                                  + ".jar")))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.substring(5))));
    }
  }

  private static Optional<String> onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path f = Path.of(d, command);
      if (Files.isExecutable(f)) {
        return Optional.of(f.toString());
      }
    }
    return Optional.empty();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(f);
      }
    }
  }
}
