package dev.casq.storage.s3;

import static dev.casq.storage.s3.ScriptedHttpServer.ok;
import static dev.casq.storage.s3.ScriptedHttpServer.okWithEtag;
import static dev.casq.storage.s3.ScriptedHttpServer.s3Error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreProperties;
import dev.casq.storage.Version;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the store sends and how it maps answers and transport failures, checked against a scripted
 * loopback HTTP server (faults a real server cannot be made to produce on demand). Compare-and-swap
 * semantics are checked against radosgw in {@link RadosgwS3StoreContractTest}.
 */
class S3ObjectStoreHttpFaultTest {
  private static final byte[] DATA = "{\"revision\":7}".getBytes(StandardCharsets.UTF_8);
  private static final Version V1 = new Version("0123456789abcdef0123456789abcdef");

  private ScriptedHttpServer server;
  private S3ObjectStore store;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedHttpServer();
  }

  @AfterEach
  void stop() throws Exception {
    if (store != null) {
      store.close();
    }
    server.close();
  }

  private S3ObjectStore open(Map<String, String> extra) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.endpoint", server.endpoint().toString());
    p.put("s3.access-key", "access");
    p.put("s3.secret-key", "secret");
    p.put("s3.verify-bucket", "false");
    p.put("s3.api-call-attempt-timeout", "700ms");
    p.put("s3.api-call-timeout", "5s");
    p.putAll(extra);
    store =
        S3ObjectStore.open(
            "bucket", S3StoreConfig.from(new StoreProperties(p, k -> null), e -> Optional.empty()));
    return store;
  }

  private S3ObjectStore open() {
    return open(Map.of());
  }

  // ------------------------------------------------------------ what is sent

  @Test
  @DisplayName("create sends PUT with If-None-Match: * to the path-style URL, no flexible checksum")
  void createSendsIfNoneMatch() {
    server.then(okWithEtag("aaaabbbbccccdddd"));
    Version v = open().create("queues/emails.json", DATA);

    assertThat(v).isEqualTo(new Version("aaaabbbbccccdddd"));
    ScriptedHttpServer.Request r = server.received().get(0);
    assertThat(r.method()).isEqualTo("PUT");
    assertThat(r.target()).isEqualTo("/bucket/queues/emails.json");
    assertThat(r.header("If-None-Match")).isEqualTo("*");
    assertThat(r.header("If-Match")).isNull();
    assertThat(r.header("Expect")).as("no 100-continue round trip").isNull();
    assertThat(r.headers().keySet()).noneMatch(h -> h.startsWith("x-amz-checksum-"));
    assertThat(r.header("x-amz-content-sha256")).as("payload signed in one piece").hasSize(64);
    assertThat(r.body()).isEqualTo(DATA);
  }

  @Test
  @DisplayName("replace sends If-Match with the ETag unquoted by default")
  void replaceSendsUnquotedEtagByDefault() {
    server.then(okWithEtag("eeeeffff"));
    Version v = open().replace("q.json", DATA, new Version("\"" + V1.token() + "\""));

    assertThat(v.token()).isEqualTo("eeeeffff");
    assertThat(server.received().get(0).header("If-Match")).isEqualTo(V1.token());
    assertThat(server.received().get(0).header("If-None-Match")).isNull();
  }

  @Test
  @DisplayName("s3.etag-quoting=quoted sends the ETag in double quotes")
  void replaceSendsQuotedEtagWhenConfigured() {
    server.then(okWithEtag("eeeeffff"));
    open(Map.of("s3.etag-quoting", "quoted")).replace("q.json", DATA, V1);
    assertThat(server.received().get(0).header("If-Match")).isEqualTo("\"" + V1.token() + "\"");
  }

  // ------------------------------------------------------------ conditional write outcomes

  @Test
  @DisplayName("412 is precondition failed")
  void status412IsPreconditionFailed() {
    server.then(s3Error(412, "PreconditionFailed"));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOf(PreconditionFailedException.class)
        .hasMessageContaining("s3://bucket/q.json");
  }

  @Test
  @DisplayName("409 ConditionalRequestConflict is precondition failed")
  void status409ConflictIsPreconditionFailed() {
    server.then(s3Error(409, "ConditionalRequestConflict"));
    assertThatThrownBy(() -> open().create("q.json", DATA))
        .isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  @DisplayName("404 NoSuchKey on replace (AWS) is precondition failed")
  void status404OnReplaceIsPreconditionFailed() {
    server.then(s3Error(404, "NoSuchKey"));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOf(PreconditionFailedException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  @DisplayName("500 on a conditional write is outcome unknown, and it is not retried")
  void status500IsUnknownAndNotRetried() {
    server.then(s3Error(500, "InternalError"), okWithEtag("never-used"));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("may or may not have landed");
    assertThat(server.received()).hasSize(1);
  }

  @Test
  @DisplayName("503 without SlowDown on a conditional write is outcome unknown")
  void status503IsUnknown() {
    server.then(s3Error(503, "ServiceUnavailable"));
    assertThatThrownBy(() -> open().create("q.json", DATA))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(server.received()).hasSize(1);
  }

  @Test
  @DisplayName("503 SlowDown is back-pressure with the server's Retry-After")
  void slowDownIsBackPressure() {
    server.then(s3Error(503, "SlowDown", Map.of("Retry-After", "3")));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOfSatisfying(
            BackPressureException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3)));
  }

  @Test
  @DisplayName("429 is back-pressure")
  void status429IsBackPressure() {
    server.then(s3Error(429, "TooManyRequests"));
    assertThatThrownBy(() -> open().create("q.json", DATA))
        .isInstanceOfSatisfying(
            BackPressureException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(S3FailureMapper.DEFAULT_BACK_OFF));
  }

  @Test
  @DisplayName("a connection reset after the request was sent is outcome unknown, not retried")
  void resetIsUnknown() {
    server.then(new ScriptedHttpServer.Reset(), okWithEtag("never-used"));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(server.received()).hasSize(1);
  }

  @Test
  @DisplayName("no answer within the attempt timeout is outcome unknown, not retried")
  void timeoutIsUnknown() {
    server.then(new ScriptedHttpServer.Hang(), okWithEtag("never-used"));
    long start = System.nanoTime();
    assertThatThrownBy(() -> open().create("q.json", DATA))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(server.received()).hasSize(1);
  }

  @Test
  @DisplayName("a write acknowledged without an ETag is outcome unknown")
  void missingEtagIsUnknown() {
    server.then(ok(Map.of(), ""));
    assertThatThrownBy(() -> open().create("q.json", DATA))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("without an ETag");
  }

  @Test
  @DisplayName("a refused connection is an error that says nothing was sent")
  void refusedConnectionIsNotUnknown() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                open(Map.of("s3.endpoint", "http://127.0.0.1:" + closedPort))
                    .create("q.json", DATA))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("nothing was sent")
        .hasMessageContaining("127.0.0.1:" + closedPort);
  }

  // ------------------------------------------------------------ configuration errors

  @Test
  @DisplayName("403 on a write is a configuration error naming bucket and endpoint")
  void accessDeniedIsConfigurationError() {
    server.then(s3Error(403, "SignatureDoesNotMatch"));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("bucket 'bucket'")
        .hasMessageContaining(server.endpoint().toString())
        .hasMessageContaining("s3.access-key");
  }

  @Test
  @DisplayName("NoSuchBucket on a write is a configuration error, not precondition failed")
  void noSuchBucketIsConfigurationError() {
    server.then(s3Error(404, "NoSuchBucket"));
    assertThatThrownBy(() -> open().replace("q.json", DATA, V1))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("bucket 'bucket' does not exist at " + server.endpoint());
  }

  @Test
  @DisplayName("opening checks the bucket: 404 on HeadBucket names the bucket and endpoint")
  void openChecksTheBucket() {
    server.then(new ScriptedHttpServer.Respond(404, Map.of(), ""));
    assertThatThrownBy(() -> open(Map.of("s3.verify-bucket", "true")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("bucket 'bucket' does not exist at " + server.endpoint());
    assertThat(server.received().get(0).method()).isEqualTo("HEAD");
    assertThat(server.received().get(0).target()).isEqualTo("/bucket");
  }

  @Test
  @DisplayName("opening with an endpoint nobody listens on is a configuration error")
  void openWithDeadEndpoint() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                open(
                    Map.of(
                        "s3.verify-bucket",
                        "true",
                        "s3.endpoint",
                        "http://127.0.0.1:" + closedPort)))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("cannot connect to http://127.0.0.1:" + closedPort);
  }

  // ------------------------------------------------------------ reads and unconditional writes

  @Test
  @DisplayName("reads are retried after a 500 and return the body at the response's ETag")
  void readsAreRetried() {
    server.then(
        s3Error(500, "InternalError"),
        ok(Map.of("ETag", "\"cafe\"", "Content-Type", "application/json"), "{\"a\":1}"));
    var read = open().read("q.json").orElseThrow();
    assertThat(new String(read.data(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(read.version()).isEqualTo(new Version("cafe"));
    assertThat(server.received()).hasSize(2);
  }

  @Test
  @DisplayName("s3.max-retries=0 disables retries of reads")
  void maxRetriesZero() {
    server.then(s3Error(500, "InternalError"), ok(Map.of("ETag", "\"cafe\""), "x"));
    assertThatThrownBy(() -> open(Map.of("s3.max-retries", "0")).read("q.json"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("HTTP 500");
    assertThat(server.received()).hasSize(1);
  }

  @Test
  @DisplayName("read of a missing key is empty")
  void readMissingIsEmpty() {
    server.then(s3Error(404, "NoSuchKey"));
    assertThat(open().read("q.json")).isEmpty();
  }

  @Test
  @DisplayName("unconditional put is retried after a reset (it is idempotent)")
  void putIsRetried() {
    server.then(new ScriptedHttpServer.Reset(), okWithEtag("beef"));
    assertThat(open().put("archive/x.json", DATA)).isEqualTo(new Version("beef"));
    assertThat(server.received()).hasSize(2);
    assertThat(server.received().get(1).header("If-Match")).isNull();
    assertThat(server.received().get(1).header("If-None-Match")).isNull();
  }

  @Test
  @DisplayName("list follows continuation tokens and returns every key sorted")
  void listPaginates() {
    String page1 =
        "<?xml version=\"1.0\"?><ListBucketResult><Name>bucket</Name><Prefix>p/</Prefix>"
            + "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
            + "<NextContinuationToken>tok2</NextContinuationToken>"
            + "<Contents><Key>p/a</Key><Size>1</Size></Contents>"
            + "<Contents><Key>p/c</Key><Size>1</Size></Contents></ListBucketResult>";
    String page2 =
        "<?xml version=\"1.0\"?><ListBucketResult><Name>bucket</Name><Prefix>p/</Prefix>"
            + "<KeyCount>1</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>false</IsTruncated>"
            + "<Contents><Key>p/b</Key><Size>1</Size></Contents></ListBucketResult>";
    server.then(
        ok(Map.of("Content-Type", "application/xml"), page1),
        ok(Map.of("Content-Type", "application/xml"), page2));

    assertThat(open().list("p/")).containsExactly("p/a", "p/b", "p/c");
    assertThat(server.received()).hasSize(2);
    assertThat(server.received().get(0).target()).contains("list-type=2").contains("prefix=p%2F");
    assertThat(server.received().get(1).target()).contains("continuation-token=tok2");
  }

  @Test
  @DisplayName("delete of a missing key is fine")
  void deleteMissingIsFine() {
    server.then(new ScriptedHttpServer.Respond(204, Map.of(), ""));
    open().delete("gone.json");
    assertThat(server.received().get(0).method()).isEqualTo("DELETE");
  }

  @Test
  @DisplayName("describe names bucket and endpoint, never the secret")
  void describeHasNoSecret() {
    S3ObjectStore s = open();
    assertThat(s.describe())
        .contains("s3://bucket")
        .contains(server.endpoint().toString())
        .doesNotContain("secret");
    assertThat(s.config().toString()).doesNotContain("=secret");
  }
}
