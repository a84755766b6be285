package dev.casq.it.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's container image, as the build leaves it in {@code
 * broker-image/target/casq-broker-image.tar} (built by Jib without a Docker daemon): its
 * configuration (entrypoint, command, non-root user, exposed port, environment), its file system
 * (the runtime and every jar the class path names), and, where this test runs as root with {@code
 * unshare} and {@code chroot}, the image's own command run from its unpacked layers as its own
 * user, serving a push and {@code /health} as a container runtime would start it.
 */
class ContainerImageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path imageTar;

  @TempDir static Path work;
  private static Path rootfs;
  private static JsonNode config;

  @BeforeAll
  static void unpack() throws Exception {
    Path here = Path.of("").toAbsolutePath();
    Path root = Files.exists(here.resolve("README.md")) ? here : here.getParent();
    imageTar = root.resolve("broker-image/target/casq-broker-image.tar");
    assertThat(imageTar)
        .as("the image tar the build makes (mvn package builds it)")
        .isRegularFile();
    Path image = work.resolve("image");
    Files.createDirectories(image);
    run(List.of("tar", "-xf", imageTar.toString(), "-C", image.toString()));
    JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
    config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile()).get("config");
    rootfs = work.resolve("rootfs");
    Files.createDirectories(rootfs);
    for (JsonNode layer : manifest.get("Layers")) { // in order, as a runtime stacks them
      run(
          List.of(
              "tar", "-xzf", image.resolve(layer.asText()).toString(), "-C", rootfs.toString()));
    }
  }

  @Test
  void theConfigurationRunsTheBrokerAsAnUnprivilegedUser() {
    assertThat(config.get("User").asText()).as("user").isEqualTo("65532:65532");
    assertThat(texts(config.get("Entrypoint")))
        .as("entrypoint")
        .startsWith("java")
        .endsWith("-cp", "@/app/jib-classpath-file", "dev.casq.cli.Main");
    assertThat(texts(config.get("Cmd"))).as("command").containsExactly("broker");
    assertThat(config.get("ExposedPorts").has("8420/tcp")).as("exposed port 8420").isTrue();
    assertThat(texts(config.get("Env")))
        .as("environment")
        .contains(
            "PATH=/opt/java/bin",
            "CASQ_LISTEN=0.0.0.0:8420",
            "CASQ_STORE=file:///var/lib/casq/default.json");
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/var/lib/casq");
  }

  @Test
  void theFileSystemHoldsTheRuntimeAndEveryJarOfTheClassPath() throws IOException {
    Path java = rootfs.resolve("opt/java/bin/java");
    assertThat(java).isRegularFile();
    assertThat(Files.getPosixFilePermissions(java)).contains(PosixFilePermission.OTHERS_EXECUTE);
    String classPath = Files.readString(rootfs.resolve("app/jib-classpath-file")).trim();
    assertThat(classPath).contains("queue-cli-", "queue-broker-", "storage-s3-", "storage-gcs-");
    for (String entry : classPath.split(":")) {
      assertThat(rootfs.resolve(entry.substring(1))).as("class path entry " + entry).exists();
    }
    assertThat(rootfs.resolve("opt/java/lib/server/classes.jsa"))
        .as("the runtime's class-data-sharing archive (jlink --generate-cds-archive)")
        .isRegularFile()
        .isNotEmptyFile();
    assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains("casq:x:65532:65532:");
    assertThat(rootfs.resolve("opt/java/lib/security/cacerts"))
        .as("the trust store")
        .isRegularFile()
        .isNotEmptyFile();
    Set<PosixFilePermission> data = Files.getPosixFilePermissions(rootfs.resolve("var/lib/casq"));
    assertThat(data)
        .as("the default store's directory is writable by the image's user")
        .contains(PosixFilePermission.OTHERS_WRITE);
  }

  @Test
  void theImagesCommandServesAPushAsItsOwnUser() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "running the image's command in a chroot needs root");
    Path unshare = onPath("unshare");
    Path chroot = onPath("chroot");
    assumeTrue(unshare != null && chroot != null, "needs unshare and chroot (util-linux)");
    Process probe =
        new ProcessBuilder(unshare.toString(), "--fork", "--pid", "--mount", "true")
            .redirectErrorStream(true)
            .start();
    String probeOut = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(probe.waitFor() == 0, "unshare cannot make namespaces here: " + probeOut);
    Files.createDirectories(rootfs.resolve("proc"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // the image's environment replaces this one, so the host's tools are named by their paths
    List<String> command =
        new ArrayList<>(
            List.of(
                unshare.toString(),
                "--fork",
                "--pid",
                "--mount",
                "--mount-proc=" + rootfs.resolve("proc"),
                chroot.toString(),
                "--userspec=65532:65532",
                rootfs.toString()));
    command.add("/opt/java/bin/java"); // the entrypoint's "java", found on the image's PATH
    List<String> entrypoint = texts(config.get("Entrypoint"));
    command.addAll(entrypoint.subList(1, entrypoint.size()));
    command.addAll(texts(config.get("Cmd")));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("broker.log").toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    for (String kv : texts(config.get("Env"))) {
      env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    env.put("CASQ_LISTEN", "127.0.0.1:" + port); // the host's loopback: no network namespace
    Process broker = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + port);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .failFast(() -> !broker.isAlive())
          .until(
              () -> status(http, HttpRequest.newBuilder(base.resolve("/health")).build()) == 200);
      HttpResponse<String> push =
          http.send(
              HttpRequest.newBuilder(base.resolve("/v1/queues/default/jobs"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"hello\":\"image\"}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(push.statusCode()).as(push.body()).isBetween(200, 201);
      assertThat(push.body()).contains("\"id\"");
      Path object = rootfs.resolve("var/lib/casq/default.json");
      assertThat(object).as("the queue object, written by the image's user").isRegularFile();
      assertThat(Files.getOwner(object).getName()).isNotEqualTo("root");
      assertThat(Files.readString(object, StandardCharsets.UTF_8)).contains("\"hello\":\"image\"");
    } finally {
      // the image's process first: it is not unshare's to stop (it outlived a bare destroy of
      // unshare, one broker left running per build), then unshare
      broker.descendants().forEach(ProcessHandle::destroy);
      broker.destroy();
      if (!broker.waitFor(20, TimeUnit.SECONDS)) {
        broker.destroyForcibly();
      }
      System.out.println("broker in the image:\n" + Files.readString(work.resolve("broker.log")));
    }
    // nothing of the image is left running: its port no longer takes connections
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !accepts(port));
  }

  private static boolean accepts(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int status(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return Path.of(dir, program);
      }
    }
    return null;
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
  }
}
