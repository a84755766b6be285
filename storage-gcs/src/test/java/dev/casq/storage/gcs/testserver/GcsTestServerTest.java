package dev.casq.storage.gcs.testserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.api.gax.paging.Page;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobGetOption;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobSourceOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.StorageException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The test server, exercised through the official client (and raw HTTP where it must be). */
class GcsTestServerTest {
  private static final String BUCKET = "server-test";

  private static GcsTestServer server;
  private static Storage storage;
  private static Storage once;
  private static final HttpClient http = HttpClient.newHttpClient();

  private String prefix;

  @BeforeAll
  static void start() {
    server = GcsTestServer.start();
    storage = TestClients.retrying(server);
    once = TestClients.singleAttempt(server);
    storage.create(BucketInfo.of(BUCKET));
  }

  @AfterAll
  static void stop() throws Exception {
    storage.close();
    once.close();
    server.close();
  }

  @BeforeEach
  void uniquePrefix(TestInfo info) {
    prefix = info.getTestMethod().orElseThrow().getName() + "/";
  }

  private BlobId id(String name) {
    return BlobId.of(BUCKET, prefix + name);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bucketsAreCreatedReadAndConflict() {
    Bucket created = storage.create(BucketInfo.of("another-bucket"));
    assertThat(created.getName()).isEqualTo("another-bucket");
    assertThat(storage.get("another-bucket").getName()).isEqualTo("another-bucket");
    assertThat(storage.get("no-such-bucket")).isNull();
    StorageException conflict =
        catchThrowableOfType(
            StorageException.class, () -> storage.create(BucketInfo.of("another-bucket")));
    assertThat(conflict.getCode()).isEqualTo(409);
  }

  @Test
  void multipartUploadThenMetadataAndMedia() {
    Blob blob =
        once.create(
            BlobInfo.newBuilder(id("a.json")).setContentType("application/json").build(),
            bytes("{\"x\":1}"),
            BlobTargetOption.doesNotExist());
    assertThat(blob.getGeneration()).isPositive();
    assertThat(blob.getMetageneration()).isEqualTo(1L);
    assertThat(blob.getSize()).isEqualTo(7L);
    assertThat(lastUpload().uploadType()).isEqualTo("multipart");

    Blob meta = storage.get(id("a.json"));
    assertThat(meta.getGeneration()).isEqualTo(blob.getGeneration());
    assertThat(meta.getContentType()).isEqualTo("application/json");
    assertThat(meta.getCrc32cToHexString()).isNotEmpty();
    assertThat(storage.readAllBytes(id("a.json"))).isEqualTo(bytes("{\"x\":1}"));
    assertThat(storage.readAllBytes(BlobId.of(BUCKET, prefix + "a.json", blob.getGeneration())))
        .isEqualTo(bytes("{\"x\":1}"));
  }

  @Test
  void generationsAreJsonStringsAndErrorsAreGcsShaped() throws Exception {
    Blob blob = once.create(BlobInfo.newBuilder(id("shape")).build(), bytes("abc"));
    HttpResponse<String> meta = get("/storage/v1/b/" + BUCKET + "/o/" + enc(prefix + "shape"));
    assertThat(meta.statusCode()).isEqualTo(200);
    JsonObject resource = JsonParser.parseString(meta.body()).getAsJsonObject();
    assertThat(resource.get("generation").getAsJsonPrimitive().isString()).isTrue();
    assertThat(resource.get("generation").getAsString())
        .isEqualTo(Long.toString(blob.getGeneration()));
    assertThat(resource.get("size").getAsJsonPrimitive().isString()).isTrue();
    assertThat(resource.get("kind").getAsString()).isEqualTo("storage#object");

    HttpResponse<String> missing = get("/storage/v1/b/" + BUCKET + "/o/" + enc(prefix + "none"));
    assertThat(missing.statusCode()).isEqualTo(404);
    JsonObject error =
        JsonParser.parseString(missing.body()).getAsJsonObject().getAsJsonObject("error");
    assertThat(error.get("code").getAsInt()).isEqualTo(404);
    assertThat(error.getAsJsonArray("errors").get(0).getAsJsonObject().get("reason").getAsString())
        .isEqualTo("notFound");

    HttpResponse<String> stale =
        post(
            "/upload/storage/v1/b/"
                + BUCKET
                + "/o?uploadType=media&ifGenerationMatch=0&name="
                + enc(prefix + "shape"),
            bytes("zzz"),
            false);
    assertThat(stale.statusCode()).isEqualTo(412);
    JsonObject staleError =
        JsonParser.parseString(stale.body()).getAsJsonObject().getAsJsonObject("error");
    assertThat(staleError.get("code").getAsInt()).isEqualTo(412);
    assertThat(
            staleError
                .getAsJsonArray("errors")
                .get(0)
                .getAsJsonObject()
                .get("reason")
                .getAsString())
        .isEqualTo("conditionNotMet");
    assertThat(storage.readAllBytes(id("shape"))).isEqualTo(bytes("abc"));
  }

  @Test
  void mediaUploadWithPlainAndGzipBodies() throws Exception {
    HttpResponse<String> plain =
        post(
            "/upload/storage/v1/b/" + BUCKET + "/o?uploadType=media&name=" + enc(prefix + "m1"),
            bytes("plain body"),
            false);
    assertThat(plain.statusCode()).isEqualTo(200);
    HttpResponse<String> gz =
        post(
            "/upload/storage/v1/b/"
                + BUCKET
                + "/o?uploadType=media&ifGenerationMatch=0&name="
                + enc(prefix + "m2"),
            bytes("gzipped body"),
            true);
    assertThat(gz.statusCode()).isEqualTo(200);

    assertThat(storage.readAllBytes(id("m1"))).isEqualTo(bytes("plain body"));
    assertThat(storage.readAllBytes(id("m2"))).isEqualTo(bytes("gzipped body"));
    assertThat(storage.get(id("m2")).getSize()).isEqualTo(12L);
  }

  @Test
  void mediaIsAlsoServedUnderDownloadPrefixWithRanges() throws Exception {
    once.create(BlobInfo.newBuilder(id("d")).build(), bytes("0123456789"));
    String path = "/download/storage/v1/b/" + BUCKET + "/o/" + enc(prefix + "d") + "?alt=media";
    HttpResponse<String> whole = get(path);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo("0123456789");
    assertThat(whole.headers().firstValue("x-goog-generation")).isPresent();

    HttpResponse<String> part =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Range", "bytes=2-4")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo("234");
    assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 2-4/10");
  }

  @Test
  void resumableUploadInSeveralChunks() throws Exception {
    byte[] data = new byte[3 * 256 * 1024 + 1234];
    new Random(7).nextBytes(data);
    server.clearRequests();
    try (WriteChannel writer =
        once.writer(BlobInfo.newBuilder(id("big.bin")).build(), BlobWriteOption.doesNotExist())) {
      writer.setChunkSize(256 * 1024);
      for (int i = 0; i < data.length; i += 100_000) {
        writer.write(ByteBuffer.wrap(data, i, Math.min(100_000, data.length - i)));
      }
    }
    assertThat(storage.readAllBytes(id("big.bin"))).isEqualTo(data);
    List<RecordedRequest> puts =
        server.requests().stream()
            .filter(r -> r.method().equals("PUT") && r.uploadType().equals("resumable"))
            .toList();
    assertThat(puts).hasSizeGreaterThanOrEqualTo(2);
    assertThat(puts.subList(0, puts.size() - 1)).allMatch(r -> r.status() == 308);
    assertThat(puts.get(puts.size() - 1).status()).isEqualTo(200);
    assertThat(server.requests())
        .anyMatch(
            r ->
                r.method().equals("POST")
                    && r.uploadType().equals("resumable")
                    && r.query().containsKey("ifGenerationMatch"));
  }

  @Test
  void resumableUploadHonoursPreconditionsAtStartAndAtFinalize() throws Exception {
    once.create(BlobInfo.newBuilder(id("r")).build(), bytes("first"));
    // At start: the object exists already.
    StorageException atStart =
        catchThrowableOfType(
            StorageException.class,
            () -> {
              try (WriteChannel w =
                  once.writer(
                      BlobInfo.newBuilder(id("r")).build(), BlobWriteOption.doesNotExist())) {
                w.write(ByteBuffer.wrap(bytes("second")));
              }
            });
    assertThat(atStart.getCode()).isEqualTo(412);

    // At finalize: the object appears while the upload is in flight.
    WriteChannel w =
        once.writer(BlobInfo.newBuilder(id("r2")).build(), BlobWriteOption.doesNotExist());
    w.write(ByteBuffer.wrap(bytes("late")));
    once.create(
        BlobInfo.newBuilder(id("r2")).build(), bytes("early"), BlobTargetOption.doesNotExist());
    StorageException atFinalize = catchThrowableOfType(StorageException.class, w::close);
    assertThat(atFinalize).isNotNull();
    assertThat(atFinalize.getCode()).isEqualTo(412);
    assertThat(storage.readAllBytes(id("r2"))).isEqualTo(bytes("early"));
  }

  @Test
  void resumableUploadByRawProtocol() throws Exception {
    HttpResponse<String> start =
        post(
            "/upload/storage/v1/b/"
                + BUCKET
                + "/o?uploadType=resumable&name="
                + enc(prefix + "raw"),
            new byte[0],
            false);
    assertThat(start.statusCode()).isEqualTo(200);
    String location = start.headers().firstValue("Location").orElseThrow();
    assertThat(location).contains("upload_id=");

    HttpResponse<String> first = put(location, bytes("hello "), "bytes 0-5/*");
    assertThat(first.statusCode()).isEqualTo(308);
    assertThat(first.headers().firstValue("Range")).hasValue("bytes=0-5");
    HttpResponse<String> status = put(location, new byte[0], "bytes */*");
    assertThat(status.statusCode()).isEqualTo(308);
    assertThat(status.headers().firstValue("Range")).hasValue("bytes=0-5");
    // A resent overlapping range is accepted: only the new bytes count.
    HttpResponse<String> last = put(location, bytes(" world"), "bytes 5-10/11");
    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(JsonParser.parseString(last.body()).getAsJsonObject().get("size").getAsString())
        .isEqualTo("11");
    assertThat(storage.readAllBytes(id("raw"))).isEqualTo(bytes("hello world"));
    HttpResponse<String> again = put(location, new byte[0], "bytes */11");
    assertThat(again.statusCode()).isEqualTo(200);
  }

  @Test
  void generationPreconditionsOnWrites() {
    Blob v1 =
        once.create(
            BlobInfo.newBuilder(id("g")).build(), bytes("v1"), BlobTargetOption.doesNotExist());
    assertThat(
            code(
                () ->
                    once.create(
                        BlobInfo.newBuilder(id("g")).build(),
                        bytes("x"),
                        BlobTargetOption.doesNotExist())))
        .isEqualTo(412);

    Blob v2 =
        once.create(
            BlobInfo.newBuilder(BlobId.of(BUCKET, prefix + "g", v1.getGeneration())).build(),
            bytes("v2"),
            BlobTargetOption.generationMatch());
    assertThat(v2.getGeneration()).isGreaterThan(v1.getGeneration());
    // Stale generation.
    assertThat(
            code(
                () ->
                    once.create(
                        BlobInfo.newBuilder(BlobId.of(BUCKET, prefix + "g", v1.getGeneration()))
                            .build(),
                        bytes("x"),
                        BlobTargetOption.generationMatch())))
        .isEqualTo(412);
    // Generation match on a missing object.
    assertThat(
            code(
                () ->
                    once.create(
                        BlobInfo.newBuilder(BlobId.of(BUCKET, prefix + "none", v1.getGeneration()))
                            .build(),
                        bytes("x"),
                        BlobTargetOption.generationMatch())))
        .isEqualTo(412);
    // ifGenerationNotMatch: fails when it matches the live generation.
    assertThat(
            code(
                () ->
                    once.create(
                        BlobInfo.newBuilder(BlobId.of(BUCKET, prefix + "g", v2.getGeneration()))
                            .build(),
                        bytes("x"),
                        BlobTargetOption.generationNotMatch())))
        .isEqualTo(412);
    Blob v3 =
        once.create(
            BlobInfo.newBuilder(BlobId.of(BUCKET, prefix + "g", v1.getGeneration())).build(),
            bytes("v3"),
            BlobTargetOption.generationNotMatch());
    assertThat(v3.getGeneration()).isGreaterThan(v2.getGeneration());
    assertThat(storage.readAllBytes(id("g"))).isEqualTo(bytes("v3"));
  }

  @Test
  void metagenerationPreconditionsOnWrites() {
    Blob v1 = once.create(BlobInfo.newBuilder(id("mg")).build(), bytes("v1"));
    BlobInfo info = BlobInfo.newBuilder(id("mg")).build();
    assertThat(code(() -> once.create(info, bytes("x"), BlobTargetOption.metagenerationMatch(2L))))
        .isEqualTo(412);
    Blob v2 = once.create(info, bytes("v2"), BlobTargetOption.metagenerationMatch(1L));
    assertThat(v2.getGeneration()).isGreaterThan(v1.getGeneration());
    assertThat(
            code(() -> once.create(info, bytes("x"), BlobTargetOption.metagenerationNotMatch(1L))))
        .isEqualTo(412);
    assertThat(
            once.create(info, bytes("v3"), BlobTargetOption.metagenerationNotMatch(2L))
                .getGeneration())
        .isGreaterThan(v2.getGeneration());
    BlobInfo missing = BlobInfo.newBuilder(id("mg-none")).build();
    assertThat(
            code(() -> once.create(missing, bytes("x"), BlobTargetOption.metagenerationMatch(1L))))
        .isEqualTo(412);
    assertThat(storage.readAllBytes(id("mg"))).isEqualTo(bytes("v3"));
  }

  @Test
  void preconditionsOnReads() throws Exception {
    Blob v1 = once.create(BlobInfo.newBuilder(id("rd")).build(), bytes("v1"));
    Blob v2 = once.create(BlobInfo.newBuilder(id("rd")).build(), bytes("v2"));
    assertThat(
            code(
                () ->
                    storage.readAllBytes(
                        id("rd"), BlobSourceOption.generationMatch(v1.getGeneration()))))
        .isEqualTo(412);
    assertThat(storage.readAllBytes(id("rd"), BlobSourceOption.generationMatch(v2.getGeneration())))
        .isEqualTo(bytes("v2"));
    assertThat(code(() -> storage.get(id("rd"), BlobGetOption.generationMatch(v1.getGeneration()))))
        .isEqualTo(412);
    assertThat(code(() -> storage.get(id("rd"), BlobGetOption.metagenerationMatch(5L))))
        .isEqualTo(412);
    // A generation that is no longer live is gone (no versioning).
    assertThat(storage.get(BlobId.of(BUCKET, prefix + "rd", v1.getGeneration()))).isNull();
    assertThat(
            code(() -> storage.readAllBytes(BlobId.of(BUCKET, prefix + "rd", v1.getGeneration()))))
        .isEqualTo(404);
    // Not-match forms answer 304 when they match.
    String path = "/storage/v1/b/" + BUCKET + "/o/" + enc(prefix + "rd");
    assertThat(get(path + "?ifGenerationNotMatch=" + v2.getGeneration()).statusCode())
        .isEqualTo(304);
    assertThat(get(path + "?ifMetagenerationNotMatch=1").statusCode()).isEqualTo(304);
    assertThat(get(path + "?ifGenerationNotMatch=" + v1.getGeneration()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void deletesWithAndWithoutPreconditions() {
    Blob v1 = once.create(BlobInfo.newBuilder(id("del")).build(), bytes("v1"));
    Blob v2 = once.create(BlobInfo.newBuilder(id("del")).build(), bytes("v2"));
    assertThat(
            code(
                () ->
                    storage.delete(
                        id("del"), BlobSourceOption.generationMatch(v1.getGeneration()))))
        .isEqualTo(412);
    assertThat(code(() -> storage.delete(id("del"), BlobSourceOption.metagenerationMatch(9L))))
        .isEqualTo(412);
    assertThat(storage.get(id("del"))).isNotNull();
    assertThat(storage.delete(id("del"), BlobSourceOption.generationMatch(v2.getGeneration())))
        .isTrue();
    assertThat(storage.get(id("del"))).isNull();
    assertThat(storage.delete(id("del"))).isFalse();
    assertThat(server.requests()).anyMatch(r -> r.method().equals("DELETE") && r.status() == 204);
  }

  @Test
  void listWithPrefixAndPagination() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      once.create(BlobInfo.newBuilder(id("p/" + i)).build(), bytes("x" + i));
      expected.add(prefix + "p/" + i);
    }
    once.create(BlobInfo.newBuilder(id("q/other")).build(), bytes("y"));
    server.clearRequests();
    Page<Blob> page =
        storage.list(BUCKET, BlobListOption.prefix(prefix + "p/"), BlobListOption.pageSize(3));
    List<String> names = new ArrayList<>();
    page.iterateAll().forEach(b -> names.add(b.getName()));
    assertThat(names).isEqualTo(expected);
    List<RecordedRequest> lists =
        server.requests().stream()
            .filter(r -> r.method().equals("GET") && r.path().endsWith("/o"))
            .toList();
    assertThat(lists).hasSize(3);
    assertThat(lists.get(1).query()).containsKey("pageToken");

    Page<Blob> dirs =
        storage.list(BUCKET, BlobListOption.prefix(prefix), BlobListOption.currentDirectory());
    List<String> dirNames = new ArrayList<>();
    dirs.iterateAll().forEach(b -> dirNames.add(b.getName()));
    assertThat(dirNames).containsExactly(prefix + "p/", prefix + "q/");
  }

  @Test
  void urlEncodedNamesRoundTrip() {
    List<String> names =
        List.of(
            "with space",
            "plus+sign",
            "pct%41",
            "q?mark",
            "hash#tag",
            "ünïcødé/日本",
            "a/b/c.json",
            "semi;colon&amp=x");
    for (String n : names) {
      once.create(BlobInfo.newBuilder(id(n)).build(), bytes(n), BlobTargetOption.doesNotExist());
    }
    for (String n : names) {
      assertThat(storage.readAllBytes(id(n))).as(n).isEqualTo(bytes(n));
      assertThat(storage.get(id(n)).getName()).isEqualTo(prefix + n);
    }
    List<String> listed = new ArrayList<>();
    storage
        .list(BUCKET, BlobListOption.prefix(prefix))
        .iterateAll()
        .forEach(b -> listed.add(b.getName().substring(prefix.length())));
    assertThat(listed).containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void missingBucketIs404() {
    assertThat(
            code(
                () ->
                    once.create(
                        BlobInfo.newBuilder(BlobId.of("no-such-bucket", "x")).build(), bytes("x"))))
        .isEqualTo(404);
    assertThat(storage.get(BlobId.of("no-such-bucket", "x"))).isNull();
    assertThat(code(() -> storage.list("no-such-bucket"))).isEqualTo(404);
  }

  @Test
  void racingWritersFromOneGenerationHaveExactlyOneWinner() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      long generation =
          once.create(BlobInfo.newBuilder(id("race")).build(), bytes("0")).getGeneration();
      for (int round = 1; round <= 25; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> outcomes = new ArrayList<>();
        long from = generation;
        for (int w = 0; w < writers; w++) {
          String content = round + ":" + w;
          Callable<Integer> attempt =
              () -> {
                go.await();
                try {
                  once.create(
                      BlobInfo.newBuilder(BlobId.of(BUCKET, prefix + "race", from)).build(),
                      bytes(content),
                      BlobTargetOption.generationMatch());
                  return 200;
                } catch (StorageException e) {
                  return e.getCode();
                }
              };
          outcomes.add(pool.submit(attempt));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : outcomes) {
          codes.add(f.get(30, TimeUnit.SECONDS));
        }
        assertThat(codes).as("round %d", round).containsOnly(200, 412);
        assertThat(codes.stream().filter(c -> c == 200).count()).as("round %d", round).isEqualTo(1);
        generation = storage.get(id("race")).getGeneration();
        assertThat(generation).isGreaterThan(from);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void racingCreatorsHaveExactlyOneWinner() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int round = 0; round < 10; round++) {
        String name = prefix + "create-" + round;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> outcomes = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          outcomes.add(
              pool.submit(
                  () -> {
                    go.await();
                    try {
                      once.create(
                          BlobInfo.newBuilder(BlobId.of(BUCKET, name)).build(),
                          bytes("c"),
                          BlobTargetOption.doesNotExist());
                      return 200;
                    } catch (StorageException e) {
                      return e.getCode();
                    }
                  }));
        }
        go.countDown();
        int winners = 0;
        for (Future<Integer> f : outcomes) {
          int c = f.get(30, TimeUnit.SECONDS);
          assertThat(c).isIn(200, 412);
          winners += c == 200 ? 1 : 0;
        }
        assertThat(winners).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rateLimitFaultRejectsWithoutApplying() {
    Blob v1 = once.create(BlobInfo.newBuilder(id("f429")).build(), bytes("v1"));
    server.injectWriteFaults(WriteFault.RATE_LIMITED, 2);
    for (int i = 0; i < 2; i++) {
      StorageException e =
          catchThrowableOfType(
              StorageException.class,
              () -> once.create(BlobInfo.newBuilder(id("f429")).build(), bytes("v2")));
      assertThat(e.getCode()).isEqualTo(429);
      assertThat(e.getReason()).isEqualTo("rateLimitExceeded");
    }
    assertThat(server.pendingWriteFaults()).isZero();
    assertThat(storage.get(id("f429")).getGeneration()).isEqualTo(v1.getGeneration());
    assertThat(once.create(BlobInfo.newBuilder(id("f429")).build(), bytes("v3")).getGeneration())
        .isGreaterThan(v1.getGeneration());
  }

  @Test
  void unavailableAfterApplyAnswers503ButTheWriteLanded() {
    server.injectWriteFaults(WriteFault.UNAVAILABLE_AFTER_APPLY, 1);
    StorageException e =
        catchThrowableOfType(
            StorageException.class,
            () ->
                once.create(
                    BlobInfo.newBuilder(id("f503")).build(),
                    bytes("landed"),
                    BlobTargetOption.doesNotExist()));
    assertThat(e.getCode()).isEqualTo(503);
    assertThat(storage.readAllBytes(id("f503"))).isEqualTo(bytes("landed"));
  }

  @Test
  void droppedConnectionAfterApplyGivesNoAnswerButTheWriteLanded() {
    server.injectWriteFaults(WriteFault.DROP_AFTER_APPLY, 1);
    StorageException e =
        catchThrowableOfType(
            StorageException.class,
            () ->
                once.create(
                    BlobInfo.newBuilder(id("fdrop")).build(),
                    bytes("landed"),
                    BlobTargetOption.doesNotExist()));
    assertThat(e).isNotNull();
    assertThat(e.getCode()).isZero();
    assertThat(storage.readAllBytes(id("fdrop"))).isEqualTo(bytes("landed"));
    assertThat(server.requests()).anyMatch(r -> r.status() == -1);
  }

  @Test
  void theClientsDefaultRetriesTurnALandedConditionalWriteInto412() {
    // Why casq sends conditional writes once: with the default retries, the client resends a
    // write whose answer was lost, and the resend fails the precondition its own first attempt
    // changed.
    server.injectWriteFaults(WriteFault.UNAVAILABLE_AFTER_APPLY, 1);
    StorageException e =
        catchThrowableOfType(
            StorageException.class,
            () ->
                storage.create(
                    BlobInfo.newBuilder(id("retry")).build(),
                    bytes("mine"),
                    BlobTargetOption.doesNotExist()));
    assertThat(e.getCode()).isEqualTo(412);
    assertThat(storage.readAllBytes(id("retry"))).isEqualTo(bytes("mine"));
  }

  @Test
  void unknownRoutesAreAnswered() throws Exception {
    assertThat(get("/nothing/here").statusCode()).isEqualTo(404);
    HttpResponse<String> patch =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(server.baseUrl() + "/storage/v1/b/" + BUCKET + "/o/x"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(patch.statusCode()).isEqualTo(501);
    assertThatThrownBy(() -> storage.list("Bad_Bucket!")).isInstanceOf(StorageException.class);
  }

  // ---------------------------------------------------------------- helpers

  private RecordedRequest lastUpload() {
    List<RecordedRequest> all = server.requests();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).isObjectUpload()) {
        return all.get(i);
      }
    }
    throw new AssertionError("no upload recorded");
  }

  private static int code(ThrowingRunnable action) {
    try {
      action.run();
    } catch (StorageException e) {
      return e.getCode();
    } catch (Exception e) {
      throw new AssertionError("expected a StorageException, got " + e, e);
    }
    throw new AssertionError("expected a StorageException, but the call succeeded");
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, byte[] body, boolean gzip)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .header("Content-Type", "text/plain");
    if (gzip) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(body);
      }
      body = out.toByteArray();
      b.header("Content-Encoding", "gzip");
    }
    return http.send(
        b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(String url, byte[] body, String contentRange)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Range", contentRange)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
