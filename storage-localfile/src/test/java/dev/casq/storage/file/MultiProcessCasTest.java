package dev.casq.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.storage.tck.CasCounter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real child JVMs racing compare-and-swap on one file, together with threads of this JVM. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MultiProcessCasTest {
  private static final Logger LOG = LoggerFactory.getLogger(MultiProcessCasTest.class);
  private static final int PROCESSES = 4;
  private static final int THREADS_HERE = 2;
  private static final int INCREMENTS = 100;

  @TempDir Path dir;

  @Test
  void processesAndThreadsRacingIncrementsEndExact() throws Exception {
    LocalFileStore store = LocalFileStore.open(dir, true);
    CasCounter counter = new CasCounter(store, "counter.json");
    counter.initialize();
    List<ChildJvm> children = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS_HERE);
    try {
      for (int p = 0; p < PROCESSES; p++) {
        children.add(
            ChildJvm.start(
                dir.resolve("child-" + p + ".err"),
                "increment",
                dir.toString(),
                "counter.json",
                "process-" + p,
                Integer.toString(INCREMENTS),
                "true"));
      }
      for (ChildJvm child : children) {
        child.expect("ready");
      }
      for (ChildJvm child : children) {
        child.send("go");
      }
      List<Future<CasCounter.Stats>> here = new ArrayList<>();
      for (int t = 0; t < THREADS_HERE; t++) {
        String writer = "thread-" + t;
        here.add(pool.submit(() -> counter.increment(writer, INCREMENTS)));
      }
      long lostHere = 0;
      for (Future<CasCounter.Stats> f : here) {
        lostHere += f.get(2, TimeUnit.MINUTES).preconditionFailures();
      }
      long lostThere = 0;
      for (ChildJvm child : children) {
        String line = child.readLine();
        assertThat(line).as("child report").startsWith("lost ");
        lostThere += Long.parseLong(line.substring(5));
        child.expect("done");
        assertThat(child.waitFor(60)).isZero();
      }
      CasCounter.State end = counter.read();
      assertThat(end.total()).isEqualTo((long) (PROCESSES + THREADS_HERE) * INCREMENTS);
      assertThat(end.perWriter().values())
          .hasSize(PROCESSES + THREADS_HERE)
          .containsOnly((long) INCREMENTS);
      LOG.info(
          "{} processes + {} threads x {} increments: {} lost races in children, {} here",
          PROCESSES,
          THREADS_HERE,
          INCREMENTS,
          lostThere,
          lostHere);
      assertThat(lostThere + lostHere).as("the writers really raced").isPositive();
    } finally {
      pool.shutdownNow();
      for (ChildJvm child : children) {
        child.close();
      }
    }
  }

  @Test
  void processesRacingToCreateHaveOneWinner() throws Exception {
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int p = 0; p < PROCESSES; p++) {
        children.add(
            ChildJvm.start(
                dir.resolve("child-" + p + ".err"),
                "create",
                dir.toString(),
                "once.json",
                "creator-" + p,
                "true"));
      }
      for (ChildJvm child : children) {
        child.expect("ready");
      }
      for (ChildJvm child : children) {
        child.send("go");
      }
      List<Integer> winners = new ArrayList<>();
      for (int p = 0; p < PROCESSES; p++) {
        String outcome = children.get(p).readLine();
        assertThat(outcome).isIn("won", "lost");
        if (outcome.equals("won")) {
          winners.add(p);
        }
        assertThat(children.get(p).waitFor(60)).isZero();
      }
      assertThat(winners).hasSize(1);
      LocalFileStore store = LocalFileStore.open(dir, true);
      assertThat(new String(store.read("once.json").orElseThrow().data(), StandardCharsets.UTF_8))
          .isEqualTo("creator-" + winners.get(0));
    } finally {
      for (ChildJvm child : children) {
        child.close();
      }
    }
  }
}
