package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.core.QueueOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs found, listed, retried and purged after they went to real archives on a file:// store. */
class JobHistoryTest {
  @TempDir Path dir;

  private static final HistoryFilter DEAD = new HistoryFilter(JobStatus.DEAD, null, null, null);
  private static final HistoryFilter ANY = new HistoryFilter(null, null, null, null);

  /** Archives every finished job with the commit that finishes it. */
  private QueueOptions options() {
    return QueueOptions.builder().archive(1, Duration.ofMillis(1)).build();
  }

  private String uri() {
    return dir.resolve("q.json").toUri().toString();
  }

  private static <T> T get(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  /**
   * Pushes {@code n} jobs (type "a" for even seqs, "b" for odd), claims them all, then makes dead
   * those whose seq is a multiple of 3 and completes the others. Returns the dead ids.
   */
  private static List<String> pushAndFinish(JobQueue q, int n) {
    for (int i = 1; i <= n; i++) {
      get(
          q.push(
              new PushRequest(
                  "{\"n\": " + i + " , \"s\":\"\\u00e9\"}",
                  i % 2 == 0 ? "a" : "b",
                  null,
                  null,
                  null,
                  1,
                  null)));
    }
    List<Job> leased = get(q.claim(new ClaimRequest("w", null, n, null)));
    assertThat(leased).hasSize(n);
    List<String> dead = new ArrayList<>();
    for (Job j : leased) {
      if (j.seq() % 3 == 0) {
        get(q.fail(j.id(), j.lease().token(), "boom " + j.seq(), true));
        dead.add(j.id());
      } else {
        get(q.complete(j.id(), j.lease().token(), "{\"ok\":true}"));
      }
    }
    // one more commit so that the last finished jobs are archived too
    get(q.push(new PushRequest("{}", "tail", null, null, null, null, null)));
    return dead;
  }

  private static void awaitArchived(JobQueue q) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> get(q.stats()).finishedPendingArchive() == 0);
  }

  @Test
  void archivedJobsAreFoundByIdWithStatusAttemptsErrorAndPayload() throws Exception {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      List<String> dead = pushAndFinish(q, 30);
      awaitArchived(q);
      assertThat(Files.exists(dir.resolve("q.json.history"))).isTrue();
      List<Job> finished =
          get(q.engine().submit(Command.readingOnly((s, m, now) -> List.copyOf(s.finishedJobs()))));
      assertThat(finished).isEmpty();

      Job d = get(q.get(dead.get(0)));
      assertThat(d.status()).isEqualTo(JobStatus.DEAD);
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(d.lastError()).isEqualTo("boom 3");
      assertThat(d.finishedAt()).isNotNull();
      assertThat(d.payloadJson()).isEqualTo("{\"n\": 3 , \"s\":\"\\u00e9\"}");
      Job c = get(q.get("j4"));
      assertThat(c.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(c.resultJson()).isEqualTo("{\"ok\":true}");
      assertThatThrownBy(() -> get(q.get("j999"))).isInstanceOf(JobNotFoundException.class);
      assertThatThrownBy(() -> get(q.get("nope"))).isInstanceOf(JobNotFoundException.class);
    }
    // a new engine finds them the same way
    try (JobQueue q = JobQueue.open(uri(), options())) {
      assertThat(get(q.get("j3")).status()).isEqualTo(JobStatus.DEAD);
      assertThat(get(q.get("j31")).status()).isEqualTo(JobStatus.QUEUED);
    }
  }

  @Test
  void listPagesThroughLiveAndArchivedJobsInIdOrderWithFilters() {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      List<String> dead = pushAndFinish(q, 30);
      awaitArchived(q);

      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JobHistory.Page p = get(q.history().list(DEAD, cursor, 3));
        p.jobs().forEach(j -> seen.add(j.id()));
        assertThat(p.jobs()).allMatch(j -> j.status() == JobStatus.DEAD);
        cursor = p.nextCursor();
        pages++;
      } while (cursor != null);
      assertThat(seen).containsExactlyElementsOf(dead);
      assertThat(pages).isBetween(4, 5);

      List<Job> all = get(q.history().list(ANY, null, 1000)).jobs();
      assertThat(all).extracting(Job::id).hasSize(31).startsWith("j1", "j2", "j3").endsWith("j31");
      List<Job> a =
          get(q.history().list(new HistoryFilter(JobStatus.DEAD, "a", null, null), null, 100))
              .jobs();
      assertThat(a).extracting(Job::id).containsExactly("j6", "j12", "j18", "j24", "j30");
      assertThat(
              get(q.history().list(new HistoryFilter(JobStatus.QUEUED, null, null, null), null, 10))
                  .jobs())
          .extracting(Job::id)
          .containsExactly("j31");
    }
  }

  @Test
  void aRetriedDeadJobIsQueuedAgainWithItsIdAndPayloadAndItsNewestRecordWins() {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      pushAndFinish(q, 9);
      awaitArchived(q);
      Job before = get(q.get("j3"));

      Job again = get(q.history().retry("j3"));
      assertThat(again.status()).isEqualTo(JobStatus.QUEUED);
      Job now = get(q.get("j3"));
      assertThat(now.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(now.attempts()).isZero();
      assertThat(now.payloadJson()).isEqualTo(before.payloadJson());
      assertThat(now.lastError()).isEqualTo("boom 3");
      assertThat(get(q.history().list(DEAD, null, 100)).jobs())
          .extracting(Job::id)
          .containsExactly("j6", "j9");

      List<Job> claimed = get(q.claim(new ClaimRequest("w2", null, 10, java.util.Set.of("b"))));
      assertThat(claimed).extracting(Job::id).containsExactly("j3");
      assertThat(claimed.get(0).payloadJson()).isEqualTo(before.payloadJson());
      get(q.complete("j3", claimed.get(0).lease().token(), null));
      get(q.push(new PushRequest("{}", null, null, null, null, null, null)));
      awaitArchived(q);
      // two archived records of j3 now: the newer (completed) one is what it is
      assertThat(get(q.get("j3")).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(get(q.history().list(DEAD, null, 100)).jobs())
          .extracting(Job::id)
          .containsExactly("j6", "j9");
      assertThatThrownBy(() -> get(q.history().retry("j3")))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("is completed, not dead");
    }
    try (JobQueue q = JobQueue.open(uri(), options())) {
      assertThat(get(q.get("j3")).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void purgedDeadJobsAreNoLongerFoundAndBulkActionsTakeTheFilter() {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      pushAndFinish(q, 30);
      awaitArchived(q);

      Job purged = get(q.history().purge("j9"));
      assertThat(purged.status()).isEqualTo(JobStatus.DEAD);
      assertThatThrownBy(() -> get(q.get("j9"))).isInstanceOf(JobNotFoundException.class);
      assertThatThrownBy(() -> get(q.history().purge("j9")))
          .isInstanceOf(JobNotFoundException.class);
      get(q.push(new PushRequest("{}", null, null, null, null, null, null)));
      awaitArchived(q);
      assertThatThrownBy(() -> get(q.get("j9"))).isInstanceOf(JobNotFoundException.class);

      int retried = get(q.history().retryAll(new HistoryFilter(null, "a", null, null)));
      assertThat(retried).isEqualTo(5); // j6 j12 j18 j24 j30
      assertThat(get(q.get("j12")).status()).isEqualTo(JobStatus.QUEUED);
      int gone = get(q.history().purgeAll(ANY));
      assertThat(gone).isEqualTo(4); // j3 j15 j21 j27
      assertThat(get(q.history().list(DEAD, null, 100)).jobs()).isEmpty();
      assertThat(get(q.get("j12")).status()).isEqualTo(JobStatus.QUEUED);
      assertThat(get(q.get("j4")).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void badRequestsAreRefusedAndChangeNothing() {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      pushAndFinish(q, 6);
      awaitArchived(q);
      long revision = get(q.stats()).revision();
      assertThatThrownBy(() -> get(q.history().retry("j4")))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("not dead");
      assertThatThrownBy(() -> get(q.history().purge("j7")))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("is queued, not dead");
      assertThatThrownBy(() -> get(q.history().retry("j99")))
          .isInstanceOf(JobNotFoundException.class);
      assertThatThrownBy(() -> get(q.history().retry("")))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> get(q.history().list(ANY, "x12", 10)))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("cursor");
      assertThatThrownBy(() -> get(q.history().list(ANY, null, 0)))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> get(q.history().list(ANY, null, 1001)))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(
              () ->
                  get(
                      q.history()
                          .retryAll(new HistoryFilter(JobStatus.COMPLETED, null, null, null))))
          .isInstanceOf(InvalidRequestException.class);
      assertThat(get(q.stats()).revision()).isEqualTo(revision);
      assertThat(get(q.get("j3")).status()).isEqualTo(JobStatus.DEAD);
    }
  }

  @Test
  void lookupByIdReadsOneListingAndTheIndexesOfItsRangeWhateverTheNumberOfArchives()
      throws Exception {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      // 200 archives: one per finished job
      for (int i = 0; i < 200; i++) {
        get(q.push(new PushRequest("{\"i\":" + i + "}", null, null, null, null, 1, null)));
        Job j = get(q.claim(new ClaimRequest("w", null, 1, null))).get(0);
        get(q.fail(j.id(), j.lease().token(), "no", false));
      }
      get(q.push(new PushRequest("{}", null, null, null, null, null, null)));
      awaitArchived(q);
      long archives;
      try (var files = Files.walk(dir.resolve("q.json.archive"))) {
        archives = files.filter(Files::isRegularFile).count();
      }
      assertThat(archives).isGreaterThanOrEqualTo(200);
      History h = q.history().archives();
      long listings = h.listings();
      long reads = h.objectReads();
      assertThat(get(q.get("j123")).payloadJson()).isEqualTo("{\"i\":122}");
      assertThat(h.listings() - listings).isEqualTo(1);
      assertThat(h.objectReads() - reads).isEqualTo(2); // its index and its archive
    }
  }

  @Test
  void anArchiveDeletedBeforeItsIndexIsSkippedNotAnError() throws Exception {
    try (JobQueue q = JobQueue.open(uri(), options())) {
      pushAndFinish(q, 6);
      awaitArchived(q);
      Job dead = get(q.get("j3"));
      assertThat(dead.status()).isEqualTo(JobStatus.DEAD);
    }
    // a lifecycle rule deleted the archives but not yet their history indexes
    try (var files = Files.walk(dir.resolve("q.json.archive"))) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Files.delete(p);
      }
    }
    try (JobQueue q = JobQueue.open(uri(), options())) {
      assertThatThrownBy(() -> get(q.get("j3"))).isInstanceOf(JobNotFoundException.class);
      assertThat(get(q.history().list(ANY, null, 100)).jobs())
          .extracting(Job::id)
          .containsExactly("j7");
    }
  }

  @Test
  void indexNamesCarryBlockSeqRangeDeadCountAndRevisionAndRoundTrip() {
    java.util.Map<String, byte[]> idx =
        HistoryIndex.encodeFor(
            "q.json",
            "q.json.archive/2026/12/02/09/5-abc.json",
            List.of(
                new Job(
                    "j1",
                    1,
                    null,
                    "1",
                    0,
                    java.time.Instant.EPOCH,
                    1,
                    1,
                    java.time.Instant.EPOCH,
                    null,
                    JobStatus.DEAD,
                    null,
                    "e",
                    java.time.Instant.EPOCH,
                    null),
                new Job(
                    "j20000",
                    20000,
                    "t",
                    "2",
                    0,
                    java.time.Instant.EPOCH,
                    1,
                    1,
                    java.time.Instant.EPOCH,
                    null,
                    JobStatus.COMPLETED,
                    null,
                    null,
                    java.time.Instant.EPOCH,
                    null)),
            5,
            "abc");
    assertThat(idx.keySet())
        .containsExactly(
            "q.json.history/00000000/1-1-1-5-abc.idx",
            "q.json.history/00000001/20000-20000-0-5-abc.idx");
    for (var e : idx.entrySet()) {
      HistoryIndex.Ref ref = HistoryIndex.parse(e.getKey());
      assertThat(ref).isNotNull();
      HistoryIndex.Contents c = HistoryIndex.decode(e.getValue(), e.getKey());
      assertThat(c.archiveKey()).isEqualTo("q.json.archive/2026/12/02/09/5-abc.json");
      assertThat(c.entries()).allMatch(en -> ref.holds(en.seq()));
    }
    assertThat(HistoryIndex.parse("q.json.history/00000000/9-1-0-5-abc.idx")).isNull();
    assertThat(HistoryIndex.parse("q.json.history/00000001/1-1-0-5-abc.idx")).isNull();
    assertThat(HistoryIndex.parse("q.json.history/00000000/x.idx")).isNull();
  }

  @Test
  void aPurgedRecordWaitingForItsArchiveIsReadBackByANewEngine() {
    QueueOptions slow = QueueOptions.builder().archive(1000, Duration.ofHours(1)).build();
    try (JobQueue q = JobQueue.open(uri(), slow)) {
      pushAndFinish(q, 6);
      get(q.history().purge("j3"));
      Job retried = get(q.history().retry("j6"));
      assertThat(retried.attempts()).isZero();
    }
    try (JobQueue q = JobQueue.open(uri(), slow)) {
      assertThat(get(q.stats()).finishedPendingArchive()).isEqualTo(5); // j1 j2 j4 j5 + purged j3
      assertThatThrownBy(() -> get(q.get("j3"))).isInstanceOf(JobNotFoundException.class);
      assertThat(get(q.get("j6")).status()).isEqualTo(JobStatus.QUEUED);
      assertThat(get(q.history().list(DEAD, null, 10)).jobs()).isEmpty();
      assertThat(get(q.history().list(ANY, null, 10)).jobs())
          .extracting(Job::id)
          .containsExactly("j1", "j2", "j4", "j5", "j6", "j7");
    }
  }
}
