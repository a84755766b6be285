package dev.casq.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.casq.api.CorruptStateException;
import dev.casq.api.QueueException;
import dev.casq.core.QueuePolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes the queue object (format {@value QueueState#FORMAT}, see
 * docs/state-format.md).
 *
 * <p>Encoding writes one job per line and copies each job's cached bytes, so its cost is a memory
 * copy for unchanged jobs. Decoding refuses anything that is not a casq queue of a known format.
 */
public final class StateCodec {
  /**
   * Limits for reading the object: wider than what a push may carry ({@link
   * JobQueue#validateJson}), with room for the three levels around a payload (object, array, job),
   * so that anything accepted can always be read back.
   */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxDocumentLength(-1)
                  .maxNestingDepth(2 * QueuePolicy.MAX_PAYLOAD_DEPTH)
                  .maxNumberLength(10 * QueuePolicy.MAX_PAYLOAD_NUMBER_LENGTH)
                  .maxNameLength(Integer.MAX_VALUE)
                  .build())
          .build();

  // exact decimals: `casq inspect` shows a payload's numbers as they are stored
  private static final ObjectMapper MAPPER =
      com.fasterxml.jackson.databind.json.JsonMapper.builder(FACTORY)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .nodeFactory(
              com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
          .build();

  private static final String ARCHIVE_FORMAT = "casq-archive/1";

  /** Field of the broker record: the heartbeat interval its broker declared, in milliseconds. */
  public static final String HEARTBEAT_INTERVAL_MS = "heartbeatIntervalMs";

  /** Field of the broker record: the staleness its broker declared, in milliseconds. */
  public static final String STALE_AFTER_MS = "staleAfterMs";

  private StateCodec() {}

  /**
   * Encodes the state. Jobs whose encoding is cached are copied, not re-encoded, into one array of
   * the exact final size (large arrays are expensive to grow and to collect).
   */
  public static byte[] encode(QueueState s) {
    long total = 0;
    for (Job j : s.live.values()) {
      if (j.heldIn() == null) {
        total += encoded(j).length + 1;
      }
    }
    for (Job j : s.finished) {
      total += encoded(j).length + 1;
    }
    List<byte[]> archives = new java.util.ArrayList<>(s.archives.size());
    for (QueueState.ArchiveRef a : s.archives) {
      byte[] b = encoded(a);
      archives.add(b);
      total += b.length + 2;
    }
    byte[] head;
    byte[] middle;
    byte[] tail;
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      boolean segmented =
          !s.segments.isEmpty()
              || !s.cancelledInSegments.isEmpty()
              || !s.cancelledInScheduledSegments.isEmpty();
      g.writeStringField(
          "format",
          !s.schedules.isEmpty()
              ? QueueState.FORMAT_SCHEDULES
              : !s.leasedObjects.isEmpty()
                  ? QueueState.FORMAT_LEASES_HELD
                  : segmented ? QueueState.FORMAT_SEGMENTED : QueueState.FORMAT);
      g.writeNumberField("revision", s.revision);
      g.writeStringField("commitId", s.commitId);
      g.writeStringField("updatedAt", s.updatedAt == null ? null : s.updatedAt.toString());
      g.writeFieldName("broker");
      if (s.broker == null) {
        g.writeNull();
      } else {
        g.writeStartObject();
        g.writeStringField("id", s.broker.id());
        g.writeStringField("address", s.broker.address());
        g.writeNumberField("epoch", s.broker.epoch());
        g.writeStringField("heartbeatAt", s.broker.heartbeatAt().toString());
        if (s.broker.heartbeatInterval() != null) {
          g.writeNumberField(HEARTBEAT_INTERVAL_MS, s.broker.heartbeatInterval().toMillis());
        }
        if (s.broker.staleAfter() != null) {
          g.writeNumberField(STALE_AFTER_MS, s.broker.staleAfter().toMillis());
        }
        g.writeEndObject();
      }
      g.writeNumberField("nextSeq", s.nextSeq);
      writeCounters(g, s.counters);
      g.writeFieldName("recentCommits");
      g.writeStartArray();
      for (QueueState.CommitMark m : s.recentCommits) {
        g.writeStartArray();
        g.writeNumber(m.revision());
        g.writeString(m.commitId());
        g.writeEndArray();
      }
      g.writeEndArray();
      if (segmented) {
        writeSegments(g, s);
      }
      if (!s.leasedObjects.isEmpty()) {
        writeLeasedObjects(g, s);
      }
      if (!s.schedules.isEmpty()) {
        ScheduleCodec.write(g, s.schedules.values());
      }
      g.writeFieldName("jobs");
      g.writeStartArray();
      g.flush();
      head = out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    middle = "\n],\n\"finished\":[".getBytes(StandardCharsets.UTF_8);
    byte[] archivesHead = "\n],\n\"archives\":[".getBytes(StandardCharsets.UTF_8);
    tail = "\n]}\n".getBytes(StandardCharsets.UTF_8);
    long size = head.length + middle.length + archivesHead.length + tail.length + total;
    if (size > Integer.MAX_VALUE - 16) {
      throw new QueueException("the queue object would be " + size + " bytes: too large");
    }
    byte[] doc = new byte[(int) size];
    int pos = 0;
    System.arraycopy(head, 0, doc, pos, head.length);
    pos += head.length;
    pos = copyJobs(s.live.values(), doc, pos); // jobs held in a leased-jobs object left out
    System.arraycopy(middle, 0, doc, pos, middle.length);
    pos += middle.length;
    pos = copyJobs(s.finished, doc, pos);
    System.arraycopy(archivesHead, 0, doc, pos, archivesHead.length);
    pos += archivesHead.length;
    boolean firstArchive = true;
    for (byte[] b : archives) {
      if (!firstArchive) {
        doc[pos++] = ',';
      }
      firstArchive = false;
      doc[pos++] = '\n';
      System.arraycopy(b, 0, doc, pos, b.length);
      pos += b.length;
    }
    System.arraycopy(tail, 0, doc, pos, tail.length);
    pos += tail.length;
    return pos == doc.length ? doc : java.util.Arrays.copyOf(doc, pos);
  }

  private static void writeSegments(JsonGenerator g, QueueState s) throws IOException {
    g.writeFieldName("segments");
    g.writeStartArray();
    for (QueueState.SegmentRef r : s.segments) {
      g.writeRaw('\n');
      g.writeStartObject();
      g.writeStringField("key", r.key());
      g.writeNumberField("count", r.count());
      g.writeNumberField("cursor", r.cursor());
      g.writeFieldName("next");
      g.writeStartObject();
      g.writeNumberField("priority", r.nextPriority());
      g.writeNumberField("seq", r.nextSeq());
      g.writeEndObject();
      g.writeNumberField("minSeq", r.minSeq());
      g.writeNumberField("maxSeq", r.maxSeq());
      g.writeNumberField("keys", r.keys());
      if (r.scheduled()) {
        g.writeStringField("due", r.due().toString());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeFieldName("cancelledInSegments");
    g.writeStartArray();
    for (String id : new java.util.TreeSet<>(s.cancelledInSegments)) {
      g.writeString(id);
    }
    g.writeEndArray();
    if (!s.cancelledInScheduledSegments.isEmpty()) {
      g.writeFieldName("cancelledInScheduledSegments");
      g.writeStartArray();
      for (String id : new java.util.TreeSet<>(s.cancelledInScheduledSegments)) {
        g.writeString(id);
      }
      g.writeEndArray();
    }
    g.writeRaw('\n');
  }

  private static void writeLeasedObjects(JsonGenerator g, QueueState s) throws IOException {
    g.writeFieldName("leasedObjects");
    g.writeStartArray();
    for (QueueState.LeasedObjectRef r : s.leasedObjects.values()) {
      g.writeRaw('\n');
      g.writeStartObject();
      g.writeStringField("key", r.key());
      g.writeNumberField("count", r.count());
      g.writeFieldName("superseded");
      g.writeStartArray();
      for (String id : r.superseded()) {
        g.writeString(id);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeRaw('\n');
  }

  /** {@code {"key":"q.json.archive/...","keys":12,"at":"..."}}. */
  private static byte[] encoded(QueueState.ArchiveRef a) {
    return JsonLineWriter.forThisThread()
        .startObject()
        .name("key")
        .string(a.key())
        .name("keys")
        .number(a.keys())
        .name("at")
        .timestamp(a.at())
        .endObject()
        .toBytes();
  }

  private static int copyJobs(java.util.Collection<Job> jobs, byte[] doc, int pos) {
    boolean first = true;
    for (Job j : jobs) {
      if (j.heldIn() != null) {
        continue;
      }
      if (!first) {
        doc[pos++] = ',';
      }
      first = false;
      byte[] b = encoded(j);
      System.arraycopy(b, 0, doc, pos, b.length);
      pos += b.length;
    }
    return pos;
  }

  /** Encodes finished jobs as an archive object: a JSON array, one job per line. */
  public static byte[] encodeArchive(List<Job> jobs, String commitId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + jobs.size() * 256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("format", ARCHIVE_FORMAT);
      g.writeStringField("commitId", commitId);
      g.writeFieldName("jobs");
      g.writeStartArray();
      for (Job j : jobs) {
        g.writeRawValue(new RawJsonBytes(encoded(j)));
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static final String SEGMENT_FORMAT = "casq-segment/1";

  /**
   * Encodes queued jobs as a segment object: a header line, then one job per line (JSON lines,
   * readable with cat and jq).
   */
  public static byte[] encodeSegment(List<Job> jobs, String commitId) {
    return encodeLines(SEGMENT_FORMAT, "segment", jobs, commitId);
  }

  private static final String LEASED_FORMAT = "casq-leased/1";

  /**
   * Encodes leased jobs as a leased-jobs object: a header line, then one job per line exactly as
   * the queue object would hold it (lease included).
   */
  static byte[] encodeLeased(List<Job> jobs, String commitId) {
    return encodeLines(LEASED_FORMAT, "leased-jobs object", jobs, commitId);
  }

  /** Decodes the jobs of a leased-jobs object, in their order. */
  public static List<Job> decodeLeased(byte[] bytes) {
    return decodeLines(bytes, LEASED_FORMAT, "leased-jobs object", JobStatus.LEASED);
  }

  private static byte[] encodeLines(String format, String what, List<Job> jobs, String commitId) {
    byte[] header =
        JsonLineWriter.forThisThread()
            .startObject()
            .name("format")
            .string(format)
            .name("commitId")
            .string(commitId)
            .name("count")
            .number(jobs.size())
            .endObject()
            .toBytes();
    long size = header.length + 1;
    for (Job j : jobs) {
      size += encoded(j).length;
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new QueueException("a " + what + " would be " + size + " bytes: too large");
    }
    byte[] doc = new byte[(int) size];
    System.arraycopy(header, 0, doc, 0, header.length);
    int pos = header.length;
    for (Job j : jobs) {
      byte[] b = encoded(j); // starts with its own newline
      System.arraycopy(b, 0, doc, pos, b.length);
      pos += b.length;
    }
    doc[pos] = '\n';
    return doc;
  }

  /**
   * Every live job of a decoded queue object: the head's and those still waiting in the segments it
   * names (cancelled ones left out), read from {@code store}; for inspection and tests.
   *
   * @param store the store holding the queue object and its segments
   * @param state the decoded queue object
   * @return the live jobs, the head's first
   */
  public static List<Job> liveJobs(dev.casq.storage.ObjectStore store, QueueState state) {
    return Segments.liveJobs(store, state);
  }

  /** Decodes the jobs of a segment object, in their order. */
  public static List<Job> decodeSegment(byte[] bytes) {
    return decodeLines(bytes, SEGMENT_FORMAT, "segment object", JobStatus.QUEUED);
  }

  private static List<Job> decodeLines(byte[] bytes, String format, String what, JobStatus status) {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new CorruptStateException("a " + what + " does not start with a JSON object");
      }
      JsonNode header = MAPPER.readTree(p);
      if (!format.equals(header.path("format").asText())) {
        throw new CorruptStateException(
            "not a casq " + what + " (format " + header.path("format").asText() + ")");
      }
      long count = number(header, "count");
      List<Job> jobs = new java.util.ArrayList<>((int) Math.min(count, 1 << 20));
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        Job j = decodeJob(p, bytes);
        if (j.status() != status) {
          throw new CorruptStateException("job " + j.id() + " in a " + what + " is " + j.status());
        }
        jobs.add(j);
      }
      if (jobs.size() != count) {
        throw new CorruptStateException(
            "a " + what + " holds " + jobs.size() + " jobs, its header says " + count);
      }
      return jobs;
    } catch (IOException e) {
      throw new CorruptStateException(
          "a " + what + " is not valid JSON lines: " + e.getMessage(), e);
    } catch (CorruptStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CorruptStateException("a " + what + " is damaged: " + e.getMessage(), e);
    }
  }

  /** Decodes the jobs of an archive object. */
  public static List<Job> decodeArchive(byte[] bytes) {
    Document d = read(bytes, "archive object", ARCHIVE_FORMAT);
    if (!ARCHIVE_FORMAT.equals(text(d.root, "format"))) {
      throw new CorruptStateException(
          "not a casq archive object (format " + text(d.root, "format") + ")");
    }
    return d.jobs("jobs");
  }

  /**
   * Decodes a queue object.
   *
   * @throws CorruptStateException if it is not valid JSON, not a casq queue, of an unknown format,
   *     or inconsistent
   */
  public static QueueState decode(byte[] bytes) {
    Document d = read(bytes, "queue object", QueueState.FORMAT);
    JsonNode root = d.root;
    JsonNode format = root.get("format");
    if (format == null || !format.isTextual()) {
      throw new CorruptStateException(
          "the object is JSON but not a casq queue (no \"format\" field); refusing to touch it. "
              + "It begins: "
              + preview(bytes));
    }
    if (!QueueState.readable(format.asText())) {
      throw new CorruptStateException(
          "unsupported queue format '"
              + format.asText()
              + "' (this casq reads "
              + QueueState.FORMAT
              + ", "
              + QueueState.FORMAT_SEGMENTED
              + ", "
              + QueueState.FORMAT_LEASES_HELD
              + " and "
              + QueueState.FORMAT_SCHEDULES
              + "); refusing to touch it");
    }
    try {
      QueueState s = new QueueState();
      s.revision = number(root, "revision");
      s.commitId = optText(root, "commitId");
      String updated = optText(root, "updatedAt");
      s.updatedAt = updated == null ? null : Instant.parse(updated);
      JsonNode b = root.get("broker");
      if (b != null && !b.isNull()) {
        s.broker =
            new BrokerRecord(
                text(b, "id"),
                text(b, "address"),
                number(b, "epoch"),
                Instant.parse(text(b, "heartbeatAt")),
                optMillis(b, HEARTBEAT_INTERVAL_MS),
                optMillis(b, STALE_AFTER_MS));
      }
      s.nextSeq = number(root, "nextSeq");
      readCounters(root.get("counters"), s.counters);
      for (JsonNode m : array(root, "recentCommits")) {
        s.recentCommits.add(new QueueState.CommitMark(m.get(0).asLong(), m.get(1).asText()));
      }
      for (Job j : d.jobs("jobs")) {
        if (j.status().isFinished()) {
          throw new CorruptStateException("job " + j.id() + " in \"jobs\" is " + j.status());
        }
        if (j.seq() >= s.nextSeq) {
          throw new CorruptStateException("job " + j.id() + " has seq >= nextSeq");
        }
        s.addLive(j);
      }
      for (Job j : d.jobs("finished")) {
        if (!j.status().isFinished()) {
          throw new CorruptStateException("job " + j.id() + " in \"finished\" is " + j.status());
        }
        s.finished.add(j);
      }
      JsonNode archives = root.get("archives");
      if (archives != null && !archives.isNull()) {
        for (JsonNode a : array(root, "archives")) {
          s.archives.add(
              new QueueState.ArchiveRef(
                  text(a, "key"), (int) number(a, "keys"), Instant.parse(text(a, "at"))));
        }
      }
      JsonNode segments = root.get("segments");
      if (segments != null && !segments.isNull()) {
        for (JsonNode r : array(root, "segments")) {
          JsonNode next = r.get("next");
          if (next == null || !next.isObject()) {
            throw new CorruptStateException("a segment has no \"next\"");
          }
          QueueState.SegmentRef ref =
              new QueueState.SegmentRef(
                  text(r, "key"),
                  Math.toIntExact(number(r, "count")),
                  Math.toIntExact(number(r, "cursor")),
                  Math.toIntExact(number(next, "priority")),
                  number(next, "seq"),
                  number(r, "minSeq"),
                  number(r, "maxSeq"),
                  Math.toIntExact(number(r, "keys")),
                  r.hasNonNull("due") ? Instant.parse(text(r, "due")) : null);
          if (ref.cursor() < 0 || ref.cursor() >= ref.count()) {
            throw new CorruptStateException(
                "segment " + ref.key() + " has cursor " + ref.cursor() + " of " + ref.count());
          }
          s.segments.add(ref);
        }
      }
      JsonNode leasedObjects = root.get("leasedObjects");
      if (leasedObjects != null && !leasedObjects.isNull()) {
        for (JsonNode r : array(root, "leasedObjects")) {
          java.util.SortedSet<String> superseded = new java.util.TreeSet<>();
          for (JsonNode id : array(r, "superseded")) {
            superseded.add(id.asText());
          }
          QueueState.LeasedObjectRef ref =
              new QueueState.LeasedObjectRef(
                  text(r, "key"), Math.toIntExact(number(r, "count")), superseded);
          if (ref.held() <= 0 || s.leasedObjects.put(ref.key(), ref) != null) {
            throw new CorruptStateException(
                "leased-jobs object " + ref.key() + " is named twice" + " or holds no current job");
          }
        }
      }
      JsonNode schedules = root.get("schedules");
      if (schedules != null && !schedules.isNull()) {
        for (JsonNode n : array(root, "schedules")) {
          ScheduleEntry e = ScheduleCodec.read(n);
          if (s.schedules.put(e.schedule().name(), e) != null) {
            throw new CorruptStateException("schedule " + e.schedule().name() + " is named twice");
          }
        }
      }
      JsonNode cancelled = root.get("cancelledInSegments");
      if (cancelled != null && !cancelled.isNull()) {
        for (JsonNode id : array(root, "cancelledInSegments")) {
          s.cancelledInSegments.add(id.asText());
        }
      }
      JsonNode cancelledScheduled = root.get("cancelledInScheduledSegments");
      if (cancelledScheduled != null && !cancelledScheduled.isNull()) {
        for (JsonNode id : array(root, "cancelledInScheduledSegments")) {
          s.cancelledInScheduledSegments.add(id.asText());
        }
      }
      JsonNode keys = root.get("rememberedKeys"); // written by earlier versions
      if (keys != null && keys.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> it = keys.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          s.finishedKeys.remember(
              e.getKey(),
              text(e.getValue(), "job"),
              Instant.parse(text(e.getValue(), "forgetAt")),
              s.revision - 1);
        }
      }
      return s;
    } catch (CorruptStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CorruptStateException(
          "the queue object is damaged: " + e.getMessage() + "; refusing to touch it", e);
    }
  }

  /** The initial content of a new queue object. */
  public static byte[] encodeEmpty(String commitId, Instant now) {
    QueueState s = QueueState.empty();
    s.recordCommit(0, commitId, now);
    return encode(s);
  }

  static byte[] encoded(Job j) {
    byte[] cached = j.cachedEncoding();
    if (cached == null) {
      cached = encodeJob(j);
      j.cacheEncoding(cached);
    }
    return cached;
  }

  /**
   * One job line: {@code \n{"id":..,"status":..,<fields a change of state touches>,<tail>}}. The
   * tail (seq, type, priority, maxAttempts, createdAt, key, payload) never changes, so it is
   * encoded once per job and shared by all its versions.
   */
  private static byte[] encodeJob(Job j) {
    byte[] tail = j.cachedTail();
    if (tail == null) {
      tail = encodeTail(j);
      j.cacheTail(tail);
    }
    JsonLineWriter w = JsonLineWriter.forThisThread();
    w.raw((byte) '\n'); // one job per line: readable with cat
    w.startObject();
    w.name("id").string(j.id());
    w.name("status").string(j.status().wireName());
    w.name("runAt").timestamp(j.runAt());
    w.name("attempts").number(j.attempts());
    if (j.lease() != null) {
      w.name("lease").startObject();
      w.name("worker").string(j.lease().worker());
      w.name("token").string(j.lease().token());
      w.name("expiresAt").timestamp(j.lease().expiresAt());
      if (j.lease().requestId() != null) {
        w.name("requestId").string(j.lease().requestId());
      }
      w.endObject();
    }
    if (j.lastError() != null) {
      w.name("lastError").string(j.lastError());
    }
    if (j.finishedAt() != null) {
      w.name("finishedAt").timestamp(j.finishedAt());
    }
    if (j.resultJson() != null) {
      w.name("result").rawValue(j.resultJson().getBytes(StandardCharsets.UTF_8));
    }
    return w.raw(tail).toBytes();
  }

  private static byte[] encodeTail(Job j) {
    JsonLineWriter w = JsonLineWriter.forThisThread().afterValue();
    w.name("seq").number(j.seq());
    if (j.type() != null) {
      w.name("type").string(j.type());
    }
    w.name("priority").number(j.priority());
    w.name("maxAttempts").number(j.maxAttempts());
    w.name("createdAt").timestamp(j.createdAt());
    if (j.idempotencyKey() != null) {
      w.name("key").string(j.idempotencyKey());
    }
    w.name("payload").rawValue(j.payloadJson().getBytes(StandardCharsets.UTF_8));
    return w.endObject().toBytes();
  }

  /**
   * A decoded object: its job arrays decoded straight from the parser (see {@link #decodeJob}),
   * every other field as a tree (they are few and small).
   */
  private static final class Document {
    final ObjectNode root = MAPPER.createObjectNode();
    final Map<String, List<Job>> jobArrays = new java.util.HashMap<>();

    List<Job> jobs(String field) {
      List<Job> jobs = jobArrays.get(field);
      if (jobs != null) {
        return jobs;
      }
      JsonNode a = root.get(field);
      if (a == null || !a.isArray()) {
        throw new CorruptStateException("missing array \"" + field + "\"");
      }
      // Only when the job arrays came before the format field (never as casq writes them): the
      // tree has lost the payloads' exact text, so they are read back from its JSON.
      try {
        return read(
                MAPPER.writeValueAsBytes(MAPPER.createObjectNode().set(field, a)), "job list", null)
            .jobs(field);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Reads an object. Once its {@code format} field named {@code format} (casq writes it first), the
   * arrays "jobs" and "finished" are decoded job by job from the parser, keeping the exact text of
   * payloads and results; anything else goes to the tree.
   */
  private static Document read(byte[] bytes, String what, String format) {
    Document d = new Document();
    boolean streamJobs = format == null;
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new CorruptStateException(
            "the "
                + what
                + " is not a JSON object; refusing to touch it. It begins: "
                + preview(bytes));
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (streamJobs
            && value == JsonToken.START_ARRAY
            && (field.equals("jobs") || field.equals("finished"))) {
          List<Job> jobs = new java.util.ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            jobs.add(decodeJob(p, bytes));
          }
          d.jobArrays.put(field, jobs);
          d.root.remove(field);
        } else {
          JsonNode n = MAPPER.readTree(p);
          d.root.set(field, n);
          if (field.equals("format")
              && n != null
              && (n.asText().equals(format)
                  || (QueueState.FORMAT.equals(format) && QueueState.readable(n.asText())))) {
            streamJobs = true;
          }
        }
      }
      requireEnd(p, what);
    } catch (IOException e) {
      throw notJson(what, bytes, e);
    } catch (CorruptStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CorruptStateException(
          "the " + what + " is damaged: " + e.getMessage() + "; refusing to touch it", e);
    }
    return d;
  }

  /** Decodes one job line (as {@link #encoded(Job)} writes it). */
  static Job decodeJob(byte[] line) {
    try (JsonParser p = FACTORY.createParser(line)) {
      p.nextToken();
      return decodeJob(p, line);
    } catch (IOException e) {
      throw new CorruptStateException("a job entry is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Decodes the job at the parser's current token. The payload and the result are kept as the exact
   * text between their first and last byte in {@code src}: numbers of any size and precision,
   * escapes and key order come back as they were written.
   */
  private static Job decodeJob(JsonParser p, byte[] src) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new CorruptStateException("a job entry is not a JSON object");
    }
    String id = null;
    String type = null;
    String payload = null;
    String key = null;
    String status = null;
    String lastError = null;
    String result = null;
    String runAt = null;
    String createdAt = null;
    String finishedAt = null;
    Lease lease = null;
    Long seq = null;
    Long priority = null;
    Long attempts = null;
    Long maxAttempts = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "id" -> id = string(p, field);
        case "status" -> status = string(p, field);
        case "runAt" -> runAt = string(p, field);
        case "attempts" -> attempts = integer(p, field);
        case "lease" -> lease = t == JsonToken.VALUE_NULL ? null : decodeLease(p);
        case "lastError" -> lastError = optString(p);
        case "finishedAt" -> finishedAt = optString(p);
        case "result" -> result = rawValue(p, src); // "null" is a result too, kept as its text
        case "seq" -> seq = integer(p, field);
        case "type" -> type = optString(p);
        case "priority" -> priority = integer(p, field);
        case "maxAttempts" -> maxAttempts = integer(p, field);
        case "createdAt" -> createdAt = string(p, field);
        case "key" -> key = optString(p);
        case "payload" -> payload = rawValue(p, src);
        default -> p.skipChildren(); // a field of a later version
      }
    }
    if (payload == null) {
      throw new CorruptStateException("job " + id + " has no payload");
    }
    return new Job(
        required(id, "id"),
        required(seq, "seq"),
        type,
        payload,
        Math.toIntExact(required(priority, "priority")),
        Instant.parse(required(runAt, "runAt")),
        Math.toIntExact(required(attempts, "attempts")),
        Math.toIntExact(required(maxAttempts, "maxAttempts")),
        Instant.parse(required(createdAt, "createdAt")),
        key,
        JobStatus.fromWire(required(status, "status")),
        lease,
        lastError,
        finishedAt == null ? null : Instant.parse(finishedAt),
        result);
  }

  private static Lease decodeLease(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new CorruptStateException("a lease is not a JSON object");
    }
    String worker = null;
    String token = null;
    String expiresAt = null;
    String requestId = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "worker" -> worker = string(p, field);
        case "token" -> token = string(p, field);
        case "expiresAt" -> expiresAt = string(p, field);
        case "requestId" -> requestId = optString(p);
        default -> p.skipChildren();
      }
    }
    return new Lease(
        required(worker, "worker"),
        required(token, "token"),
        Instant.parse(required(expiresAt, "expiresAt")),
        requestId);
  }

  /** The exact source text of the value at the parser's current token. */
  private static String rawValue(JsonParser p, byte[] src) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (p.currentToken().isStructStart()) {
      p.skipChildren();
    } else {
      p.finishToken(); // a string is read lazily: read it to its closing quote
    }
    int end = (int) p.currentLocation().getByteOffset();
    return new String(src, start, end - start, StandardCharsets.UTF_8);
  }

  private static String string(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new CorruptStateException("missing text field \"" + field + "\"");
    }
    return p.getText();
  }

  private static String optString(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken().isStructStart()) {
      throw new CorruptStateException("a text field holds " + p.currentToken());
    }
    return p.getText();
  }

  private static long integer(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new CorruptStateException("missing number field \"" + field + "\"");
    }
    return p.getLongValue();
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new CorruptStateException("missing field \"" + field + "\"");
    }
    return value;
  }

  private static void writeCounters(JsonGenerator g, QueueCounters c) throws IOException {
    g.writeFieldName("counters");
    g.writeStartObject();
    g.writeNumberField("pushed", c.pushed);
    g.writeNumberField("claimed", c.claimed);
    g.writeNumberField("completed", c.completed);
    g.writeNumberField("failed", c.failed);
    g.writeNumberField("dead", c.dead);
    g.writeNumberField("expired", c.expired);
    g.writeNumberField("cancelled", c.cancelled);
    g.writeNumberField("archived", c.archived);
    g.writeEndObject();
  }

  private static void readCounters(JsonNode n, QueueCounters c) {
    if (n == null || !n.isObject()) {
      throw new CorruptStateException("missing \"counters\"");
    }
    c.pushed = n.path("pushed").asLong();
    c.claimed = n.path("claimed").asLong();
    c.completed = n.path("completed").asLong();
    c.failed = n.path("failed").asLong();
    c.dead = n.path("dead").asLong();
    c.expired = n.path("expired").asLong();
    c.cancelled = n.path("cancelled").asLong();
    c.archived = n.path("archived").asLong();
  }

  /** Refuses a document with anything after its one JSON value. */
  private static void requireEnd(JsonParser p, String what) throws IOException {
    if (p.nextToken() != null) {
      throw new CorruptStateException(
          "the " + what + " has trailing content after its JSON; refusing to touch it");
    }
  }

  private static CorruptStateException notJson(String what, byte[] bytes, IOException e) {
    return new CorruptStateException(
        "the "
            + what
            + " is not valid JSON ("
            + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                ? jpe.getOriginalMessage()
                : e.getMessage())
            + "); refusing to touch it. It begins: "
            + preview(bytes),
        e);
  }

  private static JsonNode parse(byte[] bytes, String what) {
    JsonNode root;
    try (JsonParser p = FACTORY.createParser(bytes)) {
      root = MAPPER.readTree(p);
      requireEnd(p, what);
    } catch (IOException e) {
      throw notJson(what, bytes, e);
    }
    if (root == null || !root.isObject()) {
      throw new CorruptStateException(
          "the "
              + what
              + " is not a JSON object; refusing to touch it. It begins: "
              + preview(bytes));
    }
    return root;
  }

  private static Iterable<JsonNode> array(JsonNode n, String field) {
    JsonNode a = n.get(field);
    if (a == null || !a.isArray()) {
      throw new CorruptStateException("missing array \"" + field + "\"");
    }
    return a;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new CorruptStateException("missing text field \"" + field + "\"");
    }
    return v.asText();
  }

  private static String optText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * A declared duration in milliseconds; null when absent or not an integer (the reader's default
   * then applies, which is always safe).
   */
  private static Duration optMillis(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isIntegralNumber() && v.canConvertToLong()
        ? Duration.ofMillis(v.asLong())
        : null;
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new CorruptStateException("missing number field \"" + field + "\"");
    }
    return v.asLong();
  }

  static String preview(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8);
    return "'" + s.replaceAll("[\\p{Cntrl}]", " ") + (bytes.length > 80 ? "...'" : "'");
  }

  /** Pretty JSON of the whole object, for {@code casq inspect}. */
  public static String pretty(byte[] bytes) {
    try {
      ObjectNode root = (ObjectNode) parse(bytes, "queue object");
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
