package dev.casq.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill -9 at random moments of a writer process: afterwards the object is always one complete
 * version, never older than the last acknowledged one, and compare-and-swap goes on working.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrashAtomicityTest {
  private static final Logger LOG = LoggerFactory.getLogger(CrashAtomicityTest.class);
  private static final int KILLS = 24;
  private static final String KEY = "state.json";

  @TempDir Path dir;

  @Test
  void aKilledWriterLeavesOneCompleteVersion() throws Exception {
    SplittableRandom random = new SplittableRandom(20261125);
    LocalFileStore store = LocalFileStore.open(dir, true);
    store.create(KEY, ChecksummedRecord.of(0, 1000, random).encode());
    Path object = dir.resolve(KEY);
    int killedMidWrite = 0;
    int landedUnacknowledged = 0;
    for (int i = 0; i < KILLS; i++) {
      boolean fsync = i % 2 == 0;
      long lastAcked = -1;
      try (ChildJvm child =
          ChildJvm.start(
              dir.resolve("child.err"),
              "write-forever",
              dir.toString(),
              KEY,
              Long.toString(random.nextLong()),
              Boolean.toString(fsync))) {
        int acksBeforeKill = 1 + random.nextInt(8);
        for (int acks = 0; acks < acksBeforeKill; ) {
          String line = child.readLine();
          assertThat(line).as("writer output (stderr in %s)", dir.resolve("child.err")).isNotNull();
          if (line.startsWith("acked ")) {
            lastAcked = Long.parseLong(line.split(" ")[1]);
            acks++;
          }
        }
        // Pick a random moment within the next write or two: this is the point of the test, not
        // a wait for anything.
        LockSupport.parkNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(15)));
        child.kill();
        for (String line = child.readLine(); line != null; line = child.readLine()) {
          if (line.startsWith("acked ")) {
            lastAcked = Long.parseLong(line.split(" ")[1]);
          }
        }
      }
      if (Files.exists(dir.resolve("." + KEY + ".casq-tmp"))) {
        killedMidWrite++;
      }
      ChecksummedRecord onDisk = ChecksummedRecord.parse(Files.readAllBytes(object));
      assertThat(onDisk.seq())
          .as("kill %d: never older than acknowledged", i)
          .isBetween(lastAcked, lastAcked + 1);
      if (onDisk.seq() == lastAcked + 1) {
        landedUnacknowledged++;
      }
      VersionedBytes read = store.read(KEY).orElseThrow();
      assertThat(read.data()).isEqualTo(Files.readAllBytes(object));
      Version next =
          store.replace(
              KEY, ChecksummedRecord.of(onDisk.seq() + 1, 10, random).encode(), read.version());
      assertThat(store.read(KEY).orElseThrow().version()).isEqualTo(next);
      assertThat(namesIn(dir))
          .isSubsetOf(KEY, "." + KEY + ".casq-lock", "." + KEY + ".casq-tmp", "child.err");
    }
    LOG.info(
        "{} kills: {} left a temp file (killed mid-write), {} landed a write not yet"
            + " acknowledged",
        KILLS,
        killedMidWrite,
        landedUnacknowledged);
    assertThat(killedMidWrite + landedUnacknowledged)
        .as("some kills hit a write in progress")
        .isPositive();
    assertThat(ObjectLock.mutexesInUse()).isZero();
  }

  private static java.util.Set<String> namesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
