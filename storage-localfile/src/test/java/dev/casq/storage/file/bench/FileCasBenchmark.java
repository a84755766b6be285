package dev.casq.storage.file.bench;

import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.file.LocalFileStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Compare-and-swap commits per second on file://, with fsync on and off. One operation is one
 * successful commit of an object of {@code bytes} bytes.
 *
 * <ul>
 *   <li>{@code singleWriter}: one thread replaces the object with the version its previous write
 *       returned, as the group-commit engine does (no read between commits);
 *   <li>{@code casLoop} with 1 and 4 threads: read, replace, and on a lost race read again; with 4
 *       threads they contend for the one object, as competing brokers would.
 * </ul>
 *
 * Run: {@code mvn -B -pl storage-localfile -Pbench test-compile exec:exec} (see
 * docs/storage-file.md). The store lives under {@code -Dbench.dir} (default: the system temp
 * directory).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FileCasBenchmark {
  private static final String KEY = "bench.json";

  @Param({"true", "false"})
  public boolean fsync;

  @Param({"1024"})
  public int bytes;

  private Path dir;
  private LocalFileStore store;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path base = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
    dir = Files.createTempDirectory(base, "casq-file-bench-");
    store = LocalFileStore.open(dir, fsync);
    store.create(KEY, content(0, 0));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Per-thread state: a commit counter and, for the single writer, the last version. */
  @State(Scope.Thread)
  public static class Writer {
    int thread;
    long commits;
    Version last;

    @Setup(Level.Iteration)
    public void setUp(FileCasBenchmark bench, ThreadParams params) {
      thread = params.getThreadIndex();
      last = bench.store.read(KEY).orElseThrow().version();
    }
  }

  @Benchmark
  @Threads(1)
  public Version singleWriter(Writer w) {
    w.last = store.replace(KEY, content(w.thread, ++w.commits), w.last);
    return w.last;
  }

  @Benchmark
  @Threads(1)
  public Version casLoop1Thread(Writer w) {
    return casLoop(w);
  }

  @Benchmark
  @Threads(4)
  public Version casLoop4Threads(Writer w) {
    return casLoop(w);
  }

  private Version casLoop(Writer w) {
    byte[] next = content(w.thread, ++w.commits);
    while (true) {
      VersionedBytes current = store.read(KEY).orElseThrow();
      try {
        return store.replace(KEY, next, current.version());
      } catch (PreconditionFailedException lost) {
        // another thread won this round: read again
      }
    }
  }

  private byte[] content(int thread, long commit) {
    byte[] b = new byte[bytes];
    Arrays.fill(b, (byte) ' ');
    byte[] head =
        ("{\"thread\":" + thread + ",\"commit\":" + commit + "}")
            .getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, b, 0, Math.min(head.length, b.length));
    return b;
  }
}
