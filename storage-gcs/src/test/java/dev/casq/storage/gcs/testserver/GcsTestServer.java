package dev.casq.storage.gcs.testserver;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A loopback HTTP server that speaks the subset of the Google Cloud Storage JSON API that the
 * official Java client uses for casq's {@code gs://} store. It is a <b>test server</b>, not an
 * emulator of all of GCS.
 *
 * <p>Why it exists: no real GCS emulator installs on the build machines, and the in-process helpers
 * that ship with the client libraries do not check generation preconditions faithfully. The whole
 * point of the {@code gs://} store is compare-and-swap on generations, so the store is tested
 * through the official client against this server, whose preconditions are checked and applied
 * atomically (8 writers racing from one generation: exactly one 200 and seven 412s).
 *
 * <p>What it implements, as the real API does:
 *
 * <ul>
 *   <li>buckets: insert ({@code POST /storage/v1/b?project=}), get, delete (empty only), list;
 *   <li>object insert by {@code uploadType=multipart}, {@code media} and {@code resumable} ({@code
 *       POST} answers 200 with a {@code Location} holding {@code upload_id}; {@code PUT} chunks
 *       with {@code Content-Range: bytes a-b/total}, {@code bytes a-b/*} or {@code bytes *}{@code
 *       /total}; unfinished: 308 with {@code Range: bytes=0-N}; finished: 200 and the object
 *       resource; cancel: {@code DELETE} answers 499);
 *   <li>object metadata ({@code GET /storage/v1/b/B/o/NAME}) and media ({@code alt=media}, also
 *       under {@code /download/storage/v1/...}, with single {@code Range} requests), delete (204),
 *       list with {@code prefix}, {@code delimiter}, {@code maxResults} and {@code pageToken};
 *   <li>the {@code generation} parameter on reads and deletes (no object versioning: only the live
 *       generation exists, any other is 404);
 *   <li>preconditions {@code ifGenerationMatch} (0 = must not exist), {@code ifGenerationNotMatch},
 *       {@code ifMetagenerationMatch}, {@code ifMetagenerationNotMatch} on writes (412), reads
 *       (412, or 304 for the not-match forms) and deletes (412); for resumable uploads they are
 *       checked when the session starts and again, atomically, when it finalizes;
 *   <li>gzip-compressed request bodies, URL-encoded object names, CRC32C/MD5 checks of uploaded
 *       bytes when the client sends them, numbers as JSON strings, GCS-shaped JSON errors.
 * </ul>
 *
 * <p>Not implemented (answered 501 {@code notImplemented} where a request reaches them): object
 * patch/update/compose/copy/rewrite, ACLs, notifications, HMAC keys, batch requests, object
 * versioning, XML API. Bucket names are not global across projects.
 *
 * <p>For tests it can inject {@link WriteFault}s into the next object writes (429 before applying,
 * 503 or a dropped connection or a held answer after applying), and it records every request.
 */
public final class GcsTestServer implements AutoCloseable {
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private static final int DEFAULT_PAGE_SIZE = 1000;
  private static final String QUERY_ATTRIBUTE = "gcs.query";

  private final HttpServer http;
  private final ExecutorService executor;
  private final String baseUrl;
  private final Object lock = new Object();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private final Map<String, ResumableUpload> uploads = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<WriteFault> faults = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch heldAnswers = new CountDownLatch(1);
  private long lastGeneration;

  private static final class Bucket {
    final String name;
    final Instant created;
    final TreeMap<String, StoredObject> objects = new TreeMap<>();

    Bucket(String name, Instant created) {
      this.name = name;
      this.created = created;
    }
  }

  /** Thrown inside a handler to close the connection without an answer. */
  private static final class DropConnection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DropConnection() {
      super(null, null, false, false);
    }
  }

  private GcsTestServer(HttpServer http, ExecutorService executor) {
    this.http = http;
    this.executor = executor;
    this.baseUrl = "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /**
   * Starts a server on 127.0.0.1 on a free port.
   *
   * <p>Sets {@code sun.net.httpserver.nodelay=true} (unless set otherwise) before the JDK's HTTP
   * server reads its configuration: without TCP_NODELAY, small answers wait for the client's
   * delayed ACK and every request takes about 40 ms on loopback. The JDK reads the property once
   * per JVM, so it only helps if this server is the first JDK HTTP server the JVM starts; without
   * it the server is slower but behaves the same.
   */
  public static GcsTestServer start() {
    return start(0);
  }

  /** Starts a server on 127.0.0.1 on {@code port} (0 for a free one); see {@link #start()}. */
  public static GcsTestServer start(int port) {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    try {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      AtomicInteger threads = new AtomicInteger();
      ExecutorService executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "gcs-test-server-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      GcsTestServer server = new GcsTestServer(http, executor);
      http.setExecutor(executor);
      http.createContext("/", server::handle);
      http.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the GCS test server", e);
    }
  }

  /**
   * Runs a server until the process is killed, for manual tests and other processes: {@code
   * GcsTestServer [PORT [BUCKET...]]}. Prints {@code STORAGE_EMULATOR_HOST=127.0.0.1:PORT}.
   */
  public static void main(String[] args) throws InterruptedException {
    GcsTestServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    for (int i = 1; i < args.length; i++) {
      server.createBucket(args[i]);
    }
    System.out.println("STORAGE_EMULATOR_HOST=127.0.0.1:" + server.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }

  /** {@code http://127.0.0.1:PORT}: the host to give the client. */
  public String baseUrl() {
    return baseUrl;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** Creates a bucket directly (without HTTP); an existing bucket is kept. */
  public void createBucket(String name) {
    synchronized (lock) {
      buckets.computeIfAbsent(name, n -> new Bucket(n, Instant.now()));
    }
  }

  /** The live generation of an object, read directly (without HTTP). */
  public Optional<Long> liveGeneration(String bucket, String name) {
    synchronized (lock) {
      Bucket b = buckets.get(bucket);
      StoredObject o = b == null ? null : b.objects.get(name);
      return o == null ? Optional.empty() : Optional.of(o.generation());
    }
  }

  /** The live content of an object, read directly (without HTTP). */
  public Optional<byte[]> liveContent(String bucket, String name) {
    synchronized (lock) {
      Bucket b = buckets.get(bucket);
      StoredObject o = b == null ? null : b.objects.get(name);
      return o == null ? Optional.empty() : Optional.of(o.data().clone());
    }
  }

  /** Makes each of the next {@code times} object writes suffer {@code fault}. */
  public void injectWriteFaults(WriteFault fault, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(fault);
    }
  }

  /** How many injected faults have not fired yet. */
  public int pendingWriteFaults() {
    return faults.size();
  }

  /** Sends every answer held by {@link WriteFault#HOLD_AFTER_APPLY}. */
  public void releaseHeldAnswers() {
    CountDownLatch held = heldAnswers;
    heldAnswers = new CountDownLatch(1);
    held.countDown();
  }

  /** Every request answered so far, in order of completion. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the recorded requests. */
  public void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() {
    releaseHeldAnswers();
    http.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- dispatch

  private void handle(HttpExchange ex) {
    try {
      Map<String, String> query = parseQuery(ex.getRequestURI().getRawQuery());
      ex.setAttribute(QUERY_ATTRIBUTE, query);
      route(ex, ex.getRequestMethod(), ex.getRequestURI().getRawPath(), query);
    } catch (DropConnection e) {
      record(ex, -1);
    } catch (GcsError e) {
      sendError(ex, e);
    } catch (RuntimeException | IOException e) {
      sendError(ex, new GcsError(500, "internalError", "test server failure: " + e));
    } finally {
      // Closing an exchange whose answer was never started closes the connection.
      ex.close();
    }
  }

  /** Records the request before its answer leaves, so a client that got it sees it recorded. */
  private void record(HttpExchange ex, int status) {
    @SuppressWarnings("unchecked")
    Map<String, String> query = (Map<String, String>) ex.getAttribute(QUERY_ATTRIBUTE);
    requests.add(
        new RecordedRequest(
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            query == null ? Map.of() : query,
            status));
  }

  private int route(HttpExchange ex, String method, String path, Map<String, String> query)
      throws IOException {
    boolean upload = false;
    boolean download = false;
    String rest;
    if (path.startsWith("/upload/storage/v1/")) {
      upload = true;
      rest = path.substring("/upload/storage/v1/".length());
    } else if (path.startsWith("/download/storage/v1/")) {
      download = true;
      rest = path.substring("/download/storage/v1/".length());
    } else if (path.startsWith("/storage/v1/")) {
      rest = path.substring("/storage/v1/".length());
    } else {
      throw GcsError.notFound("Not Found: " + path);
    }

    if (rest.equals("b")) {
      if (upload || download) {
        throw GcsError.notFound("Not Found: " + path);
      }
      switch (method) {
        case "POST":
          return insertBucket(ex, query);
        case "GET":
          return listBuckets(ex);
        default:
          throw notImplemented(method, path);
      }
    }
    if (!rest.startsWith("b/")) {
      throw GcsError.notFound("Not Found: " + path);
    }
    rest = rest.substring(2);
    int slash = rest.indexOf('/');
    String bucket = decodePath(slash < 0 ? rest : rest.substring(0, slash));
    String remainder = slash < 0 ? "" : rest.substring(slash + 1);

    if (remainder.isEmpty()) {
      if (upload || download) {
        throw GcsError.notFound("Not Found: " + path);
      }
      switch (method) {
        case "GET":
          return getBucket(ex, bucket);
        case "DELETE":
          return deleteBucket(ex, bucket);
        default:
          throw notImplemented(method, path);
      }
    }
    if (remainder.equals("o")) {
      if (upload) {
        switch (method) {
          case "POST":
            return startUpload(ex, bucket, query);
          case "PUT":
            return continueResumable(ex, query);
          case "DELETE":
            return cancelResumable(ex, query);
          default:
            throw notImplemented(method, path);
        }
      }
      if (method.equals("GET") && !download) {
        return listObjects(ex, bucket, query);
      }
      throw notImplemented(method, path);
    }
    if (!remainder.startsWith("o/") || upload) {
      throw GcsError.notFound("Not Found: " + path);
    }
    String name = decodePath(remainder.substring(2));
    switch (method) {
      case "GET":
        return download || "media".equals(query.get("alt"))
            ? getMedia(ex, bucket, name, query)
            : getObject(ex, bucket, name, query);
      case "DELETE":
        return deleteObject(ex, bucket, name, query);
      default:
        throw notImplemented(method, path);
    }
  }

  // ---------------------------------------------------------------- buckets

  private int insertBucket(HttpExchange ex, Map<String, String> query) throws IOException {
    if (query.get("project") == null) {
      throw new GcsError(400, "required", "Required parameter: project");
    }
    JsonObject body = jsonBody(ex);
    String name = body.has("name") ? body.get("name").getAsString() : null;
    validateBucketName(name);
    Bucket created;
    synchronized (lock) {
      if (buckets.containsKey(name)) {
        throw new GcsError(
            409,
            "conflict",
            "Your previous request to create the named bucket succeeded and you"
                + " already own it.");
      }
      created = new Bucket(name, Instant.now());
      buckets.put(name, created);
    }
    return sendJson(ex, 200, bucketResource(created));
  }

  private int getBucket(HttpExchange ex, String name) throws IOException {
    Bucket b;
    synchronized (lock) {
      b = buckets.get(name);
    }
    if (b == null) {
      throw GcsError.noSuchBucket(name);
    }
    return sendJson(ex, 200, bucketResource(b));
  }

  private int deleteBucket(HttpExchange ex, String name) throws IOException {
    synchronized (lock) {
      Bucket b = buckets.get(name);
      if (b == null) {
        throw GcsError.noSuchBucket(name);
      }
      if (!b.objects.isEmpty()) {
        throw new GcsError(409, "conflict", "The bucket you tried to delete is not empty.");
      }
      buckets.remove(name);
    }
    return sendEmpty(ex, 204);
  }

  private int listBuckets(HttpExchange ex) throws IOException {
    JsonArray items = new JsonArray();
    synchronized (lock) {
      new TreeMap<>(buckets).values().forEach(b -> items.add(bucketResource(b)));
    }
    JsonObject list = new JsonObject();
    list.addProperty("kind", "storage#buckets");
    if (items.size() > 0) {
      list.add("items", items);
    }
    return sendJson(ex, 200, list);
  }

  private JsonObject bucketResource(Bucket b) {
    String time = DateTimeFormatter.ISO_INSTANT.format(b.created.truncatedTo(ChronoUnit.MILLIS));
    JsonObject o = new JsonObject();
    o.addProperty("kind", "storage#bucket");
    o.addProperty("id", b.name);
    o.addProperty("selfLink", baseUrl + "/storage/v1/b/" + b.name);
    o.addProperty("name", b.name);
    o.addProperty("projectNumber", "0");
    o.addProperty("metageneration", "1");
    o.addProperty("location", "US");
    o.addProperty("storageClass", "STANDARD");
    o.addProperty("etag", "CAE=");
    o.addProperty("timeCreated", time);
    o.addProperty("updated", time);
    return o;
  }

  private static void validateBucketName(String name) {
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")) {
      throw GcsError.badRequest("Invalid bucket name: '" + name + "'");
    }
  }

  // ---------------------------------------------------------------- uploads

  private int startUpload(HttpExchange ex, String bucket, Map<String, String> query)
      throws IOException {
    String uploadType = query.getOrDefault("uploadType", "");
    switch (uploadType) {
      case "multipart":
        return multipartUpload(ex, bucket, query);
      case "media":
        return mediaUpload(ex, bucket, query);
      case "resumable":
        return startResumable(ex, bucket, query);
      default:
        throw GcsError.badRequest("Unsupported uploadType: '" + uploadType + "'");
    }
  }

  private int multipartUpload(HttpExchange ex, String bucket, Map<String, String> query)
      throws IOException {
    Preconditions preconditions = Preconditions.from(query);
    byte[] body = body(ex);
    String boundary = MultipartRelated.boundary(ex.getRequestHeaders().getFirst("Content-Type"));
    List<MultipartRelated.Part> parts = MultipartRelated.parse(body, boundary);
    if (parts.size() != 2) {
      throw GcsError.badRequest("multipart upload needs 2 parts, got " + parts.size());
    }
    JsonObject metadata = parseJson(parts.get(0).body());
    byte[] data = parts.get(1).body();
    String name = metadata.has("name") ? metadata.get("name").getAsString() : query.get("name");
    String contentType =
        metadata.has("contentType")
            ? metadata.get("contentType").getAsString()
            : Optional.ofNullable(parts.get(1).contentType()).orElse("application/octet-stream");
    verifyChecksums(metadata, data);
    StoredObject stored =
        commit(bucket, name, data, contentType, userMetadata(metadata), preconditions, o -> {});
    return sendJson(ex, 200, stored.toResource(baseUrl));
  }

  private int mediaUpload(HttpExchange ex, String bucket, Map<String, String> query)
      throws IOException {
    Preconditions preconditions = Preconditions.from(query);
    byte[] data = body(ex);
    String contentType =
        Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type"))
            .orElse("application/octet-stream");
    verifyHashHeader(ex.getRequestHeaders(), data);
    StoredObject stored =
        commit(bucket, query.get("name"), data, contentType, Map.of(), preconditions, o -> {});
    return sendJson(ex, 200, stored.toResource(baseUrl));
  }

  private int startResumable(HttpExchange ex, String bucket, Map<String, String> query)
      throws IOException {
    Preconditions preconditions = Preconditions.from(query);
    byte[] raw = body(ex);
    JsonObject metadata = raw.length == 0 ? new JsonObject() : parseJson(raw);
    String name = metadata.has("name") ? metadata.get("name").getAsString() : query.get("name");
    validateObjectName(name);
    String contentType =
        metadata.has("contentType")
            ? metadata.get("contentType").getAsString()
            : Optional.ofNullable(ex.getRequestHeaders().getFirst("X-Upload-Content-Type"))
                .orElse("application/octet-stream");
    synchronized (lock) {
      preconditions.checkWrite(liveObject(bucket, name));
    }
    String id = UUID.randomUUID().toString().replace("-", "");
    uploads.put(
        id,
        new ResumableUpload(id, bucket, name, contentType, userMetadata(metadata), preconditions));
    String location =
        baseUrl
            + "/upload/storage/v1/b/"
            + encode(bucket)
            + "/o?uploadType=resumable&name="
            + encode(name)
            + "&upload_id="
            + id;
    ex.getResponseHeaders().set("Location", location);
    ex.getResponseHeaders().set("X-GUploader-UploadID", id);
    return sendEmpty(ex, 200);
  }

  private int continueResumable(HttpExchange ex, Map<String, String> query) throws IOException {
    ResumableUpload upload = resumable(query);
    byte[] chunk = body(ex);
    String header = ex.getRequestHeaders().getFirst("Content-Range");
    synchronized (upload) {
      if (upload.result() != null) {
        // Finalized already (a retry, or a status query after a lost answer).
        return sendJson(ex, 200, upload.result());
      }
      long total;
      if (header == null) {
        upload.accept(0, chunk);
        total = upload.size();
      } else {
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        if (!m.matches()) {
          throw GcsError.badRequest("Invalid Content-Range: " + header);
        }
        total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        if (m.group(1) != null) {
          long first = Long.parseLong(m.group(1));
          long last = Long.parseLong(m.group(2));
          if (last < first || last - first + 1 != chunk.length) {
            throw GcsError.badRequest(
                "Content-Range " + header + " does not match " + chunk.length + " body bytes");
          }
          upload.accept(first, chunk);
        } else if (chunk.length > 0) {
          throw GcsError.badRequest("Content-Range " + header + " with a non-empty body");
        }
      }
      if (total >= 0 && upload.size() > total) {
        throw GcsError.badRequest(
            "Upload has " + upload.size() + " bytes, more than the declared " + total);
      }
      if (total < 0 || upload.size() < total) {
        if (upload.size() > 0) {
          ex.getResponseHeaders().set("Range", "bytes=0-" + (upload.size() - 1));
        }
        return sendEmpty(ex, 308);
      }
      byte[] data = upload.bytes();
      verifyHashHeader(ex.getRequestHeaders(), data);
      try {
        // Once applied, the session answers status queries with the object, as GCS does.
        commit(
            upload.bucket,
            upload.name,
            data,
            upload.contentType,
            upload.metadata,
            upload.preconditions,
            stored -> upload.complete(stored.toResource(baseUrl)));
      } catch (GcsError e) {
        if (e.code() == 412 || e.code() == 404) {
          uploads.remove(upload.id);
        }
        throw e;
      }
      return sendJson(ex, 200, upload.result());
    }
  }

  private int cancelResumable(HttpExchange ex, Map<String, String> query) throws IOException {
    ResumableUpload upload = resumable(query);
    uploads.remove(upload.id);
    return sendEmpty(ex, 499);
  }

  private ResumableUpload resumable(Map<String, String> query) {
    String id = query.get("upload_id");
    ResumableUpload upload = id == null ? null : uploads.get(id);
    if (upload == null) {
      throw GcsError.notFound("No such upload session: " + id);
    }
    return upload;
  }

  /**
   * Checks the preconditions and stores the object in one atomic step, with injected faults.
   *
   * @throws GcsError 412 when a precondition fails, 404 when the bucket is missing
   */
  private StoredObject commit(
      String bucket,
      String name,
      byte[] data,
      String contentType,
      Map<String, String> metadata,
      Preconditions preconditions,
      Consumer<StoredObject> onApplied) {
    validateObjectName(name);
    WriteFault fault = faults.poll();
    if (fault == WriteFault.RATE_LIMITED) {
      throw GcsError.rateLimited();
    }
    StoredObject stored;
    synchronized (lock) {
      Bucket b = buckets.get(bucket);
      if (b == null) {
        throw GcsError.noSuchBucket(bucket);
      }
      preconditions.checkWrite(b.objects.get(name));
      stored =
          new StoredObject(
              bucket,
              name,
              nextGeneration(),
              1,
              data.clone(),
              contentType,
              metadata,
              Instant.now());
      b.objects.put(name, stored);
    }
    onApplied.accept(stored);
    if (fault != null && fault.appliesWrite()) {
      switch (fault) {
        case UNAVAILABLE_AFTER_APPLY:
          throw GcsError.unavailable();
        case DROP_AFTER_APPLY:
          throw new DropConnection();
        case HOLD_AFTER_APPLY:
          awaitRelease();
          break;
        default:
          throw new IllegalStateException("unhandled fault " + fault);
      }
    }
    return stored;
  }

  private void awaitRelease() {
    try {
      heldAnswers.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DropConnection();
    }
  }

  /** Generations grow strictly and look like GCS's (microseconds since the epoch). */
  private long nextGeneration() {
    Instant now = Instant.now();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    lastGeneration = Math.max(lastGeneration + 1, micros);
    return lastGeneration;
  }

  private static void verifyChecksums(JsonObject metadata, byte[] data) {
    if (metadata.has("crc32c")) {
      String expected = metadata.get("crc32c").getAsString();
      if (!expected.equals(StoredObject.crc32c(data))) {
        throw GcsError.badRequest(
            "Provided CRC32C \""
                + expected
                + "\" doesn't match calculated CRC32C \""
                + StoredObject.crc32c(data)
                + "\".");
      }
    }
    if (metadata.has("md5Hash")) {
      String expected = metadata.get("md5Hash").getAsString();
      if (!expected.equals(StoredObject.md5(data))) {
        throw GcsError.badRequest(
            "Provided MD5 hash \""
                + expected
                + "\" doesn't match calculated MD5 hash \""
                + StoredObject.md5(data)
                + "\".");
      }
    }
  }

  private static void verifyHashHeader(Headers headers, byte[] data) {
    List<String> values = headers.get("x-goog-hash");
    if (values == null) {
      return;
    }
    JsonObject asMetadata = new JsonObject();
    for (String value : values) {
      for (String item : value.split(",")) {
        String s = item.trim();
        if (s.startsWith("crc32c=")) {
          asMetadata.addProperty("crc32c", s.substring("crc32c=".length()));
        } else if (s.startsWith("md5=")) {
          asMetadata.addProperty("md5Hash", s.substring("md5=".length()));
        }
      }
    }
    verifyChecksums(asMetadata, data);
  }

  private static Map<String, String> userMetadata(JsonObject metadata) {
    Map<String, String> m = new LinkedHashMap<>();
    if (metadata.has("metadata") && metadata.get("metadata").isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : metadata.getAsJsonObject("metadata").entrySet()) {
        if (!e.getValue().isJsonNull()) {
          m.put(e.getKey(), e.getValue().getAsString());
        }
      }
    }
    return m;
  }

  private static void validateObjectName(String name) {
    if (name == null || name.isEmpty()) {
      throw new GcsError(400, "required", "Required parameter: name");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 1024
        || name.indexOf('\r') >= 0
        || name.indexOf('\n') >= 0
        || name.equals(".")
        || name.equals("..")) {
      throw GcsError.badRequest("The specified object name is not valid: " + name);
    }
  }

  // ---------------------------------------------------------------- objects

  private int getObject(HttpExchange ex, String bucket, String name, Map<String, String> query)
      throws IOException {
    StoredObject live = readable(bucket, name, query);
    return sendJson(ex, 200, live.toResource(baseUrl));
  }

  private int getMedia(HttpExchange ex, String bucket, String name, Map<String, String> query)
      throws IOException {
    StoredObject live = readable(bucket, name, query);
    byte[] data = live.data();
    Headers h = ex.getResponseHeaders();
    h.set("Content-Type", live.contentType());
    h.set("ETag", live.etag());
    h.set("x-goog-generation", Long.toString(live.generation()));
    h.set("x-goog-metageneration", Long.toString(live.metageneration()));
    h.set("x-goog-stored-content-length", Integer.toString(data.length));
    h.set("x-goog-stored-content-encoding", "identity");
    h.set("x-goog-hash", "crc32c=" + StoredObject.crc32c(data) + ",md5=" + StoredObject.md5(data));
    h.set("Accept-Ranges", "bytes");
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null) {
      Matcher m = RANGE.matcher(range.trim());
      if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
        long first;
        long last;
        if (m.group(1).isEmpty()) {
          long suffix = Long.parseLong(m.group(2));
          first = Math.max(0, data.length - suffix);
          last = data.length - 1L;
        } else {
          first = Long.parseLong(m.group(1));
          last =
              m.group(2).isEmpty()
                  ? data.length - 1L
                  : Math.min(Long.parseLong(m.group(2)), data.length - 1L);
        }
        if (first >= data.length && data.length > 0 || first > last && data.length > 0) {
          throw new GcsError(416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
        }
        if (data.length == 0) {
          return sendBytes(ex, 200, data);
        }
        h.set("Content-Range", "bytes " + first + "-" + last + "/" + data.length);
        return sendBytes(ex, 206, Arrays.copyOfRange(data, (int) first, (int) last + 1));
      }
    }
    return sendBytes(ex, 200, data);
  }

  /** The live object for a read, after the generation parameter and preconditions. */
  private StoredObject readable(String bucket, String name, Map<String, String> query) {
    StoredObject live;
    synchronized (lock) {
      live = liveObject(bucket, name);
    }
    if (live == null || !generationParameterMatches(live, query)) {
      throw GcsError.noSuchObject(bucket, name);
    }
    Preconditions.from(query).checkRead(live);
    return live;
  }

  private int deleteObject(HttpExchange ex, String bucket, String name, Map<String, String> query)
      throws IOException {
    Preconditions preconditions = Preconditions.from(query);
    synchronized (lock) {
      StoredObject live = liveObject(bucket, name);
      if (live == null || !generationParameterMatches(live, query)) {
        throw GcsError.noSuchObject(bucket, name);
      }
      preconditions.checkDelete(live);
      buckets.get(bucket).objects.remove(name);
    }
    return sendEmpty(ex, 204);
  }

  private static boolean generationParameterMatches(StoredObject live, Map<String, String> query) {
    String g = query.get("generation");
    if (g == null) {
      return true;
    }
    try {
      return Long.parseLong(g) == live.generation();
    } catch (NumberFormatException e) {
      throw GcsError.badRequest("Invalid value for generation: " + g);
    }
  }

  /** The live object, or null; a missing bucket is a 404. Call with the lock held. */
  private StoredObject liveObject(String bucket, String name) {
    Bucket b = buckets.get(bucket);
    if (b == null) {
      throw GcsError.noSuchBucket(bucket);
    }
    return b.objects.get(name);
  }

  private int listObjects(HttpExchange ex, String bucket, Map<String, String> query)
      throws IOException {
    String prefix = query.getOrDefault("prefix", "");
    String delimiter = query.get("delimiter");
    int pageSize = DEFAULT_PAGE_SIZE;
    if (query.containsKey("maxResults")) {
      try {
        pageSize =
            Math.max(1, Math.min(DEFAULT_PAGE_SIZE, Integer.parseInt(query.get("maxResults"))));
      } catch (NumberFormatException e) {
        throw GcsError.badRequest("Invalid value for maxResults: " + query.get("maxResults"));
      }
    }
    String after = null;
    if (query.get("pageToken") != null) {
      try {
        after =
            new String(
                Base64.getUrlDecoder().decode(query.get("pageToken")), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw GcsError.badRequest("Invalid pageToken");
      }
    }
    List<StoredObject> page = new ArrayList<>();
    TreeSet<String> prefixes = new TreeSet<>();
    String last = null;
    boolean more = false;
    synchronized (lock) {
      Bucket b = buckets.get(bucket);
      if (b == null) {
        throw GcsError.noSuchBucket(bucket);
      }
      String from = after != null && after.compareTo(prefix) >= 0 ? after : prefix;
      boolean inclusive = after == null || after.compareTo(prefix) < 0;
      for (StoredObject o : b.objects.tailMap(from, inclusive).values()) {
        if (!o.name().startsWith(prefix)) {
          break;
        }
        String entry = o.name();
        if (delimiter != null && !delimiter.isEmpty()) {
          int d = entry.indexOf(delimiter, prefix.length());
          if (d >= 0) {
            String p = entry.substring(0, d + delimiter.length());
            if (last != null && last.startsWith(p) || prefixes.contains(p)) {
              last = entry;
              continue;
            }
            if (page.size() + prefixes.size() == pageSize) {
              more = true;
              break;
            }
            prefixes.add(p);
            last = entry;
            continue;
          }
        }
        if (page.size() + prefixes.size() == pageSize) {
          more = true;
          break;
        }
        page.add(o);
        last = entry;
      }
    }
    JsonObject list = new JsonObject();
    list.addProperty("kind", "storage#objects");
    if (!page.isEmpty()) {
      JsonArray items = new JsonArray();
      page.forEach(o -> items.add(o.toResource(baseUrl)));
      list.add("items", items);
    }
    if (!prefixes.isEmpty()) {
      JsonArray ps = new JsonArray();
      prefixes.forEach(ps::add);
      list.add("prefixes", ps);
    }
    if (more) {
      list.addProperty(
          "nextPageToken",
          Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
    }
    return sendJson(ex, 200, list);
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private static byte[] body(HttpExchange ex) throws IOException {
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readAllBytes();
    }
    String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw GcsError.badRequest("Content-Encoding gzip but the body is not gzip: " + e);
      }
    }
    return raw;
  }

  private static JsonObject jsonBody(HttpExchange ex) throws IOException {
    return parseJson(body(ex));
  }

  private static JsonObject parseJson(byte[] raw) {
    try {
      JsonElement e = JsonParser.parseString(new String(raw, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw GcsError.badRequest("Expected a JSON object");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new GcsError(400, "parseError", "Parse Error: " + e.getMessage());
    }
  }

  private int sendJson(HttpExchange ex, int status, JsonElement json) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    return sendBytes(ex, status, json.toString().getBytes(StandardCharsets.UTF_8));
  }

  private int sendBytes(HttpExchange ex, int status, byte[] body) throws IOException {
    record(ex, status);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    return status;
  }

  private int sendEmpty(HttpExchange ex, int status) throws IOException {
    record(ex, status);
    ex.sendResponseHeaders(status, -1);
    return status;
  }

  private int sendError(HttpExchange ex, GcsError e) {
    try {
      if (e.code() == 304) {
        record(ex, 304);
        ex.sendResponseHeaders(304, -1);
        return 304;
      }
      return sendJson(ex, e.code(), parseJson(e.toJson().getBytes(StandardCharsets.UTF_8)));
    } catch (IOException io) {
      return -1;
    }
  }

  private static GcsError notImplemented(String method, String path) {
    return new GcsError(
        501, "notImplemented", "The GCS test server does not implement " + method + " " + path);
  }

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.putIfAbsent(key, value);
    }
    return query;
  }

  /** Percent-decoding of a path segment ('+' stays '+'). */
  private static String decodePath(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw GcsError.badRequest("Malformed percent-encoding in path: " + raw);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "GcsTestServer[" + baseUrl + "]";
  }
}
