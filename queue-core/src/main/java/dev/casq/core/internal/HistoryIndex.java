package dev.casq.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.api.CorruptStateException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The history index objects of an archive: which job ids it holds, so that a job can be found by
 * its id (and jobs listed by status, type and push time) without reading every archive.
 *
 * <p>Job ids are {@code j<seq>} with a seq that only grows, so the seqs are cut into blocks of
 * {@value #BLOCK_SIZE}; an archive gets one index object per block its jobs fall in, under {@code
 * <queue>.history/<block>/}, whose name carries the lowest and highest seq in it, how many of its
 * jobs are dead and the revision of the commit that archived them:
 *
 * <pre>
 * emails.json.history/00000000/12-980-3-41-9c0d6f1b.idx
 * {"format":"casq-history/1","archive":"emails.json.archive/2026/11/25/17/41-9c0d6f1b.json","count":2}
 * {"seq":12,"status":"dead","createdAt":"...","finishedAt":"...","line":0,"type":"email"}
 * {"seq":980,"status":"completed","createdAt":"...","finishedAt":"...","line":1}
 * </pre>
 *
 * Finding a job is one listing of its block's prefix and a read of the indexes whose seq range
 * holds it (newest revision first); docs/state-format.md describes the format and its cost.
 */
final class HistoryIndex {
  static final String FORMAT = "casq-history/1";

  /** Seqs per block: a block's indexes are listed together. */
  static final long BLOCK_SIZE = 1L << 14;

  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern NAME =
      Pattern.compile("(\\d{1,19})-(\\d{1,19})-(\\d{1,9})-(\\d{1,19})-([A-Za-z0-9_]+)\\.idx");

  /** One archived job as the index knows it; {@code line} is its position in the archive. */
  record Entry(
      long seq, JobStatus status, String type, Instant createdAt, Instant finishedAt, int line) {
    static Entry of(Job j, int line) {
      return new Entry(j.seq(), j.status(), j.type(), j.createdAt(), j.finishedAt(), line);
    }
  }

  /** An index object as its name describes it. */
  record Ref(String key, long block, long minSeq, long maxSeq, int dead, long revision) {
    boolean holds(long seq) {
      return seq >= minSeq && seq <= maxSeq;
    }
  }

  /** A decoded index object: its archive and entries, in the archive's order. */
  record Contents(String archiveKey, List<Entry> entries) {}

  private HistoryIndex() {}

  static long blockOf(long seq) {
    return seq / BLOCK_SIZE;
  }

  static String prefix(String queueKey) {
    return queueKey + ".history/";
  }

  static String blockPrefix(String queueKey, long block) {
    return prefix(queueKey) + String.format(Locale.ROOT, "%08d", block) + "/";
  }

  /**
   * The index objects of an archive's jobs, one per block, keyed by the object key they go to.
   *
   * @param queueKey the queue object's key
   * @param archiveKey the archive the entries point into
   * @param jobs the archived jobs, in the archive's order
   * @param revision the revision of the commit that archives them
   * @param token the archive's random token (the part of its name after the revision)
   */
  static Map<String, byte[]> encodeFor(
      String queueKey, String archiveKey, List<Job> jobs, long revision, String token) {
    TreeMap<Long, List<Entry>> byBlock = new TreeMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      Job j = jobs.get(i);
      byBlock.computeIfAbsent(blockOf(j.seq()), b -> new ArrayList<>()).add(Entry.of(j, i));
    }
    Map<String, byte[]> out = new TreeMap<>();
    for (Map.Entry<Long, List<Entry>> e : byBlock.entrySet()) {
      List<Entry> entries = e.getValue();
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      int dead = 0;
      for (Entry en : entries) {
        min = Math.min(min, en.seq());
        max = Math.max(max, en.seq());
        if (en.status() == JobStatus.DEAD) {
          dead++;
        }
      }
      String key =
          blockPrefix(queueKey, e.getKey())
              + min
              + "-"
              + max
              + "-"
              + dead
              + "-"
              + revision
              + "-"
              + token
              + ".idx";
      out.put(key, encode(archiveKey, entries));
    }
    return out;
  }

  /** What an index object's name says, or null when the name is not one of an index. */
  static Ref parse(String key) {
    int slash = key.lastIndexOf('/');
    int blockSlash = slash <= 0 ? -1 : key.lastIndexOf('/', slash - 1);
    if (slash < 0 || blockSlash < 0) {
      return null;
    }
    Matcher m = NAME.matcher(key.substring(slash + 1));
    if (!m.matches()) {
      return null;
    }
    try {
      long block = Long.parseLong(key.substring(blockSlash + 1, slash));
      long min = Long.parseLong(m.group(1));
      long max = Long.parseLong(m.group(2));
      if (min > max || blockOf(min) != block || blockOf(max) != block) {
        return null;
      }
      return new Ref(
          key, block, min, max, Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static byte[] encode(String archiveKey, List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96 + entries.size() * 120);
    try {
      try (JsonGenerator g = JSON.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("format", FORMAT);
        g.writeStringField("archive", archiveKey);
        g.writeNumberField("count", entries.size());
        g.writeEndObject();
        g.writeRaw('\n');
        for (Entry e : entries) {
          g.writeStartObject();
          g.writeNumberField("seq", e.seq());
          g.writeStringField("status", e.status().wireName());
          g.writeStringField("createdAt", e.createdAt().toString());
          if (e.finishedAt() != null) {
            g.writeStringField("finishedAt", e.finishedAt().toString());
          }
          g.writeNumberField("line", e.line());
          if (e.type() != null) {
            g.writeStringField("type", e.type());
          }
          g.writeEndObject();
          g.writeRaw('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes an index object.
   *
   * @throws CorruptStateException when it is not one
   */
  static Contents decode(byte[] bytes, String key) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    try {
      JsonNode head = MAPPER.readTree(lines[0]);
      if (head == null || !FORMAT.equals(head.path("format").asText())) {
        throw new CorruptStateException("history index " + key + " is not " + FORMAT);
      }
      String archive = head.path("archive").asText(null);
      int count = head.path("count").asInt(-1);
      if (archive == null || count != lines.length - 1) {
        throw new CorruptStateException("history index " + key + " is truncated");
      }
      List<Entry> entries = new ArrayList<>(count);
      for (int i = 1; i < lines.length; i++) {
        JsonNode n = MAPPER.readTree(lines[i]);
        entries.add(
            new Entry(
                n.path("seq").asLong(),
                JobStatus.fromWire(n.path("status").asText()),
                n.hasNonNull("type") ? n.get("type").asText() : null,
                Instant.parse(n.path("createdAt").asText()),
                n.hasNonNull("finishedAt") ? Instant.parse(n.get("finishedAt").asText()) : null,
                n.path("line").asInt()));
      }
      return new Contents(archive, entries);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CorruptStateException c) {
        throw c;
      }
      throw new CorruptStateException("history index " + key + " is unreadable: " + e, e);
    }
  }
}
