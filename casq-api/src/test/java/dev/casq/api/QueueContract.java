package dev.casq.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Queue} does, written once against the interface and run against each
 * implementation: queue-core's EmbeddedQueueContractTest (the embedded queue on mem://) and
 * queue-client's RemoteQueueContractTest (a broker on loopback over file://). A program that
 * switches between the two changes only how it opens the queue; this is what it may rely on.
 *
 * <p>Errors are checked by the name of their class as well as by the {@link CasqException} root:
 * both implementations raise the same classes (the broker client maps the broker's error codes to
 * them), which live in queue-core and which this module cannot see.
 */
public abstract class QueueContract {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** A payload. */
  public record Email(String to, String subject) {}

  /** Another payload, for a second job type on the same queue. */
  public record Sms(String number, String text) {}

  /**
   * Opens a new, empty queue; each test opens one and closes it.
   *
   * @param type the payload type
   * @param <T> the payload type
   * @return the open queue
   */
  protected abstract <T> Queue<T> open(Class<T> type);

  // ------------------------------------------------------------------ push, claim, complete

  @Test
  void aPushedJobIsClaimedOnceCompletedAndReportedByGetAndStats() {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("ada@example.com", "hello"));

      LeasedJob<Email> job = q.claim("w1").orElseThrow();
      assertThat(job.id()).isEqualTo(id);
      assertThat(job.payload()).isEqualTo(new Email("ada@example.com", "hello"));
      assertThat(job.payloadJson()).contains("\"ada@example.com\"").contains("\"hello\"");
      assertThat(job.leaseToken()).isNotBlank();
      assertThat(job.leaseExpiresAt()).isNotNull();
      assertThat(job.attempts()).isEqualTo(1);
      assertThat(job.maxAttempts()).isPositive();
      assertThat(job.type()).isNull();
      assertThat(job.priority()).isZero();
      assertThat(job.isCancelled()).isFalse();
      assertThat(job.leaseLost()).isFalse();
      assertThat(job.toString()).doesNotContain(job.leaseToken());
      assertThat(q.claim("w2")).isEmpty();

      JobInfo<Email> leased = q.get(id);
      assertThat(leased.status()).isEqualTo(JobStatus.LEASED);
      assertThat(leased.leaseWorker()).isEqualTo("w1");
      assertThat(leased.payload()).isEqualTo(job.payload());

      q.complete(job, Map.of("sent", true));
      JobInfo<Email> done = q.get(id);
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.status().isFinished()).isTrue();
      assertThat(done.resultJson()).contains("\"sent\"").contains("true");
      assertThat(done.finishedAt()).isNotNull();

      QueueStats stats = q.stats();
      assertThat(stats.pending()).isZero();
      assertThat(stats.counters().pushed()).isEqualTo(1);
      assertThat(stats.counters().claimed()).isEqualTo(1);
      assertThat(stats.counters().completed()).isEqualTo(1);
      assertThat(stats.revision()).isPositive();
    }
  }

  @Test
  void pushOptionsSetKeyTypePriorityAndAttempts() {
    try (Queue<Email> q = open(Email.class)) {
      PushResult low = q.push(new Email("a", "low"), PushOptions.none().key("k-1").type("mail"));
      PushResult again = q.push(new Email("a", "other"), PushOptions.none().key("k-1"));
      assertThat(low.duplicate()).isFalse();
      assertThat(again.duplicate()).isTrue();
      assertThat(again.jobId()).isEqualTo(low.jobId());
      String high =
          q.push(new Email("b", "high"), PushOptions.none().priority(5).maxAttempts(7)).jobId();

      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 10, null), Duration.ZERO);
      assertThat(got).extracting(LeasedJob::id).containsExactly(high, low.jobId());
      assertThat(got.get(0).priority()).isEqualTo(5);
      assertThat(got.get(0).maxAttempts()).isEqualTo(7);
      assertThat(got.get(1).type()).isEqualTo("mail");
      assertThat(got.get(1).payload()).isEqualTo(new Email("a", "low"));
      assertThat(q.get(low.jobId()).key()).isEqualTo("k-1");
    }
  }

  @Test
  void aClaimTakesOnlyTheTypesItAsksFor() {
    try (Queue<Email> q = open(Email.class)) {
      String a = q.push(new Email("a", "a"), PushOptions.none().type("a")).jobId();
      q.push(new Email("b", "b"), PushOptions.none().type("b"));
      List<LeasedJob<Email>> got =
          q.claim(new ClaimRequest("w", null, 10, Set.of("a")), Duration.ZERO);
      assertThat(got).extracting(LeasedJob::id).containsExactly(a);
    }
  }

  // ------------------------------------------------------------------ fail, release, heartbeat

  @Test
  void aFailureWithAttemptsLeftRequeuesAndAPermanentOneIsDead() {
    try (Queue<Email> q = open(Email.class)) {
      String retried = q.push(new Email("a", "1"), PushOptions.none().maxAttempts(3)).jobId();
      String dead = q.push(new Email("b", "2"), PushOptions.none().maxAttempts(3)).jobId();
      String last = q.push(new Email("c", "3"), PushOptions.none().maxAttempts(1)).jobId();
      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 3, null), Duration.ZERO);
      assertThat(got).extracting(LeasedJob::id).containsExactly(retried, dead, last);

      assertThat(q.fail(got.get(0), "smtp down")).isEqualTo(JobStatus.QUEUED);
      assertThat(q.failPermanently(got.get(1), "no such address")).isEqualTo(JobStatus.DEAD);
      assertThat(q.fail(got.get(2), "out of attempts")).isEqualTo(JobStatus.DEAD);

      JobInfo<Email> r = q.get(retried);
      assertThat(r.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(r.lastError()).isEqualTo("smtp down");
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(q.get(dead).status()).isEqualTo(JobStatus.DEAD);
      assertThat(q.get(dead).lastError()).isEqualTo("no such address");
      assertThat(q.get(last).status()).isEqualTo(JobStatus.DEAD);
      QueueStats stats = q.stats();
      assertThat(stats.counters().failed()).isEqualTo(3);
      assertThat(stats.counters().dead()).isEqualTo(2);
      assertThat(stats.pending()).isEqualTo(1);
    }
  }

  @Test
  void aReleasedJobIsClaimableAgainWithoutCountingTheAttempt() {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("a", "b"));
      LeasedJob<Email> first = q.claim("w1").orElseThrow();
      q.release(first);
      assertThat(q.get(id).status()).isEqualTo(JobStatus.QUEUED);

      LeasedJob<Email> second = q.claim("w2").orElseThrow();
      assertThat(second.id()).isEqualTo(id);
      assertThat(second.attempts()).isEqualTo(1);
      assertThat(second.leaseToken()).isNotEqualTo(first.leaseToken());
      // the first lease is gone: its token no longer works
      assertRaises(() -> q.complete(first), "LeaseRejectedException");
      assertRaises(() -> q.heartbeat(first), "LeaseRejectedException");
      q.complete(second);
    }
  }

  @Test
  void aHeartbeatExtendsTheLease() {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("a", "b"));
      LeasedJob<Email> job =
          q.claim(new ClaimRequest("w", Duration.ofSeconds(5), 1, null), Duration.ZERO).get(0);
      Instant extended = q.heartbeat(job, Duration.ofMinutes(10));
      assertThat(extended).isAfter(job.leaseExpiresAt());
      assertThat(q.get(id).leaseExpiresAt()).isAfter(job.leaseExpiresAt());
      assertThat(q.heartbeat(job)).isNotNull();
      q.complete(job);
      assertRaises(() -> q.heartbeat(job), "CasqException");
    }
  }

  // ------------------------------------------------------------------ cancel, get

  @Test
  void aCancelledJobIsNotClaimedAndUnknownIdsAreNotFound() {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("a", "b"));
      q.cancel(id);
      assertThat(q.get(id).status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(q.claim("w")).isEmpty();
      assertThat(q.stats().counters().cancelled()).isEqualTo(1);

      assertRaises(() -> q.get("no-such-job"), "JobNotFoundException");
      assertRaises(() -> q.cancel("no-such-job"), "JobNotFoundException");
    }
  }

  @Test
  void aLeasedJobCanBeCancelledAndItsLeaseNoLongerWorks() {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("a", "b"));
      LeasedJob<Email> job = q.claim("w").orElseThrow();
      q.cancel(id);
      assertThat(q.get(id).status()).isEqualTo(JobStatus.CANCELLED);
      assertRaises(() -> q.complete(job), "CasqException");
    }
  }

  // ------------------------------------------------------------------ pushAll

  @Test
  void pushAllPushesEachJobInOrderWithTheSameOptions() {
    try (Queue<Email> q = open(Email.class)) {
      List<Email> emails = List.of(new Email("a", "1"), new Email("b", "2"), new Email("c", "3"));
      List<PushResult> results = q.pushAll(emails, PushOptions.none().type("bulk"));
      assertThat(results).hasSize(3).noneMatch(PushResult::duplicate);
      assertThat(results).extracting(PushResult::jobId).doesNotHaveDuplicates();

      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 10, null), Duration.ZERO);
      assertThat(got).extracting(LeasedJob::payload).containsExactlyElementsOf(emails);
      assertThat(got).extracting(LeasedJob::type).containsOnly("bulk");
      assertThat(got)
          .extracting(LeasedJob::id)
          .containsExactlyElementsOf(results.stream().map(PushResult::jobId).toList());

      assertThat(q.pushAll(List.of())).isEmpty();
      assertRaises(
          () -> q.pushAll(emails, PushOptions.none().key("one-key")), "InvalidRequestException");
      assertThat(q.stats().counters().pushed()).isEqualTo(3);
    }
  }

  // ------------------------------------------------------------------ completeAll

  @Test
  void completeAllCompletesEveryJobOfTheBatch() {
    try (Queue<Email> q = open(Email.class)) {
      q.pushAll(List.of(new Email("a", "1"), new Email("b", "2"), new Email("c", "3")));
      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 3, null), Duration.ZERO);
      assertThat(got).hasSize(3);

      q.completeAll(got);

      for (LeasedJob<Email> j : got) {
        assertThat(q.get(j.id()).status()).isEqualTo(JobStatus.COMPLETED);
      }
      assertThat(q.stats().counters().completed()).isEqualTo(3);
      q.completeAll(List.of()); // nothing to do
      assertThat(q.stats().counters().completed()).isEqualTo(3);
    }
  }

  @Test
  void completeAllRefusesABadJobWithoutAffectingTheOthers() {
    try (Queue<Email> q = open(Email.class)) {
      q.pushAll(List.of(new Email("a", "1"), new Email("b", "2"), new Email("c", "3")));
      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 3, null), Duration.ZERO);
      LeasedJob<Email> done = got.get(0);
      LeasedJob<Email> good = got.get(1);
      LeasedJob<Email> held = got.get(2);
      q.complete(done);
      LeasedJob<Email> wrongToken = withToken(held, "not-the-lease-token");
      LeasedJob<Email> unknown = withId(good, "no-such-job");

      List<LeasedJob<Email>> batch = List.of(done, good, wrongToken, unknown);
      assertThatThrownBy(() -> q.completeAll(batch))
          .isInstanceOf(BatchCompleteException.class)
          .satisfies(
              e -> {
                BatchCompleteException b = (BatchCompleteException) e;
                assertThat(b.size()).isEqualTo(4);
                assertThat(b.errors()).containsOnlyKeys(0, 2, 3);
                assertThat(b.completed(1)).isTrue();
                assertThat(classNames(b.errors().get(0).getClass()))
                    .contains("JobNotFoundException");
                assertThat(classNames(b.errors().get(2).getClass()))
                    .contains("LeaseRejectedException");
                assertThat(classNames(b.errors().get(3).getClass()))
                    .contains("JobNotFoundException");
              });

      // the good one was completed; the one sent with a wrong token is still held, untouched
      assertThat(q.get(good.id()).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(q.get(held.id()).status()).isEqualTo(JobStatus.LEASED);
      assertThat(q.get(held.id()).attempts()).isEqualTo(1);
      assertThat(q.stats().counters().completed()).isEqualTo(2);
      q.completeAll(List.of(held));
      assertThat(q.get(held.id()).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void completeAllRefusesTheSameJobTwiceAndCompletesNothing() throws Exception {
    try (Queue<Email> q = open(Email.class)) {
      q.pushAll(List.of(new Email("a", "1"), new Email("b", "2")));
      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 2, null), Duration.ZERO);
      List<LeasedJob<Email>> twice = List.of(got.get(0), got.get(1), got.get(0));
      assertRaises(() -> q.completeAll(twice), "InvalidRequestException");
      assertThat(q.stats().counters().completed()).isZero();
      assertThat(q.get(got.get(1).id()).status()).isEqualTo(JobStatus.LEASED);

      q.completeAllAsync(got).get(20, TimeUnit.SECONDS);
      assertThat(q.stats().counters().completed()).isEqualTo(2);
      assertThatThrownBy(() -> q.completeAllAsync(got).get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(BatchCompleteException.class);
    }
  }

  private static <T> LeasedJob<T> withToken(LeasedJob<T> j, String token) {
    return new LeasedJob<>(
        j.id(),
        j.payload(),
        j.payloadJson(),
        token,
        j.leaseExpiresAt(),
        j.attempts(),
        j.maxAttempts(),
        j.type(),
        j.priority());
  }

  private static <T> LeasedJob<T> withId(LeasedJob<T> j, String id) {
    return new LeasedJob<>(
        id,
        j.payload(),
        j.payloadJson(),
        j.leaseToken(),
        j.leaseExpiresAt(),
        j.attempts(),
        j.maxAttempts(),
        j.type(),
        j.priority());
  }

  // ------------------------------------------------------------------ async

  @Test
  void everyOperationHasAnAsyncVariant() throws Exception {
    try (Queue<Email> q = open(Email.class)) {
      PushResult a = q.pushAsync(new Email("a", "1")).get(20, TimeUnit.SECONDS);
      PushResult b =
          q.pushAsync(new Email("b", "2"), PushOptions.none().priority(1))
              .get(20, TimeUnit.SECONDS);
      List<PushResult> more =
          q.pushAllAsync(List.of(new Email("c", "3"), new Email("d", "4")), PushOptions.none())
              .get(20, TimeUnit.SECONDS);
      assertThat(more).hasSize(2);

      LeasedJob<Email> first = q.claimAsync("w").get(20, TimeUnit.SECONDS).orElseThrow();
      assertThat(first.id()).isEqualTo(b.jobId());
      assertThat(q.heartbeatAsync(first, Duration.ofMinutes(5)).get(20, TimeUnit.SECONDS))
          .isAfter(first.leaseExpiresAt());
      q.completeAsync(first, "done").get(20, TimeUnit.SECONDS);
      assertThat(q.getAsync(b.jobId()).get(20, TimeUnit.SECONDS).status())
          .isEqualTo(JobStatus.COMPLETED);

      List<LeasedJob<Email>> rest =
          q.claimAsync(new ClaimRequest("w", null, 3, null), Duration.ofSeconds(1))
              .get(20, TimeUnit.SECONDS);
      assertThat(rest)
          .extracting(LeasedJob::id)
          .containsExactly(a.jobId(), more.get(0).jobId(), more.get(1).jobId());
      assertThat(q.failAsync(rest.get(0), "retry me").get(20, TimeUnit.SECONDS))
          .isEqualTo(JobStatus.QUEUED);
      assertThat(q.failPermanentlyAsync(rest.get(1), "give up").get(20, TimeUnit.SECONDS))
          .isEqualTo(JobStatus.DEAD);
      assertThat(q.failAsync(rest.get(2), "dead too", false).get(20, TimeUnit.SECONDS))
          .isEqualTo(JobStatus.DEAD);

      String c = q.push(new Email("e", "5"));
      LeasedJob<Email> leased =
          q.claimAsync(new ClaimRequest("w", null, 1, null), Duration.ZERO)
              .get(20, TimeUnit.SECONDS)
              .get(0);
      assertThat(leased.id()).isEqualTo(c);
      q.releaseAsync(leased).get(20, TimeUnit.SECONDS);
      q.cancelAsync(c).get(20, TimeUnit.SECONDS);
      assertThat(q.get(c).status()).isEqualTo(JobStatus.CANCELLED);

      QueueStats stats = q.statsAsync().get(20, TimeUnit.SECONDS);
      assertThat(stats.counters().pushed()).isEqualTo(5);
      assertThat(stats.counters().completed()).isEqualTo(1);
      assertThat(stats.counters().dead()).isEqualTo(2);
      assertThat(stats.counters().cancelled()).isEqualTo(1);
    }
  }

  @Test
  void aLongPollClaimWakesWhenAJobArrives() throws Exception {
    try (Queue<Email> q = open(Email.class)) {
      var waiting = q.claimAsync(new ClaimRequest("w", null, 1, null), Duration.ofSeconds(30));
      String id = q.push(new Email("a", "b"));
      assertThat(waiting.get(20, TimeUnit.SECONDS)).extracting(LeasedJob::id).containsExactly(id);
    }
  }

  // ------------------------------------------------------------------ workers

  @Test
  void aWorkerRunsEveryJobAndCompletesThoseWhoseHandlerReturns() {
    try (Queue<Email> q = open(Email.class)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(q.push(new Email("user" + i, "hi")));
      }
      List<Email> seen = new CopyOnWriteArrayList<>();
      try (Worker w = q.worker(job -> seen.add(job.payload()), options("w", 2))) {
        await().atMost(WAIT).until(() -> w.completed() == 5);
        assertThat(w.failed()).isZero();
        assertThat(w.lost()).isZero();
      }
      assertThat(seen)
          .extracting(Email::to)
          .containsExactlyInAnyOrder("user0", "user1", "user2", "user3", "user4");
      for (String id : ids) {
        assertThat(q.get(id).status()).isEqualTo(JobStatus.COMPLETED);
      }
    }
  }

  @Test
  void aWorkerFailsTheAttemptWhenTheHandlerThrows() {
    try (Queue<Email> q = open(Email.class)) {
      String retried = q.push(new Email("retry", "x"), PushOptions.none().maxAttempts(5)).jobId();
      String dead = q.push(new Email("dead", "x"), PushOptions.none().maxAttempts(5)).jobId();
      JobHandler<Email> handler =
          job -> {
            if (job.payload().to().equals("dead")) {
              throw new JobFailure("bad address", false);
            }
            throw new IllegalStateException("smtp down");
          };
      try (Worker w = q.worker(handler, options("w", 1))) {
        await().atMost(WAIT).until(() -> w.failed() >= 2);
      }
      JobInfo<Email> d = q.get(dead);
      assertThat(d.status()).isEqualTo(JobStatus.DEAD);
      assertThat(d.lastError()).isEqualTo("bad address");
      JobInfo<Email> r = q.get(retried);
      assertThat(r.status()).isIn(JobStatus.QUEUED, JobStatus.LEASED);
      assertThat(r.lastError()).contains("IllegalStateException").contains("smtp down");
    }
  }

  @Test
  void aWorkerClaimsOnlyTheTypesOfItsOptions() {
    try (Queue<Email> q = open(Email.class)) {
      String b = q.push(new Email("b", "x"), PushOptions.none().type("b")).jobId();
      String a = q.push(new Email("a", "x"), PushOptions.none().type("a")).jobId();
      try (Worker w = q.worker(job -> {}, options("w", 1).withTypes(Set.of("a")))) {
        await().atMost(WAIT).until(() -> w.completed() == 1);
      }
      assertThat(q.get(a).status()).isEqualTo(JobStatus.COMPLETED);
      JobInfo<Email> other = q.get(b);
      assertThat(other.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(other.attempts()).isZero();
      assertThat(q.stats().counters().claimed()).isEqualTo(1);
    }
  }

  @Test
  void aWorkerHeartbeatsWhileTheHandlerRuns() throws Exception {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("a", "slow"));
      CountDownLatch finish = new CountDownLatch(1);
      AtomicReference<Instant> granted = new AtomicReference<>();
      WorkerOptions o =
          options("w", 1)
              .withLease(Duration.ofSeconds(30))
              .withHeartbeatInterval(Duration.ofMillis(100));
      try (Worker w =
          q.worker(
              job -> {
                granted.set(job.leaseExpiresAt());
                assertThat(finish.await(30, TimeUnit.SECONDS)).isTrue();
              },
              o)) {
        await().atMost(WAIT).until(() -> granted.get() != null);
        await().atMost(WAIT).until(() -> q.get(id).leaseExpiresAt().isAfter(granted.get()));
        assertThat(q.get(id).status()).isEqualTo(JobStatus.LEASED);
        finish.countDown();
        await().atMost(WAIT).until(() -> w.completed() == 1);
        assertThat(w.lost()).isZero();
      }
    }
  }

  @Test
  void closingAWorkerSignalsItsHandlersAndGivesBackTheJobsTheyStop() {
    try (Queue<Email> q = open(Email.class)) {
      String id = q.push(new Email("a", "long"));
      CountDownLatch started = new CountDownLatch(1);
      AtomicReference<Cancellation.Reason> reason = new AtomicReference<>();
      Worker w =
          q.worker(
              job -> {
                started.countDown();
                await().atMost(WAIT).until(job::isCancelled);
                reason.set(job.cancellation().reason());
                job.cancellation().throwIfCancelled();
              },
              options("w", 1).withShutdownGrace(Duration.ofSeconds(10)));
      await().atMost(WAIT).until(() -> started.getCount() == 0);
      w.close();
      assertThat(reason.get()).isEqualTo(Cancellation.Reason.SHUTDOWN);
      assertThat(w.completed()).isZero();
      JobInfo<Email> after = q.get(id);
      assertThat(after.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(q.claim("again").orElseThrow().attempts()).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ handlers by type

  @Test
  void oneWorkerRunsEachTypeWithItsOwnHandlerAndPayloadClass() {
    try (Queue<Object> q = open(Object.class)) {
      String email =
          q.push(new Email("ada@example.com", "hi"), PushOptions.none().type("email")).jobId();
      String sms = q.push(new Sms("+15550100", "yo"), PushOptions.none().type("sms")).jobId();
      String other = q.push(Map.of("x", 1), PushOptions.none().type("fax")).jobId();
      String untyped = q.push(Map.of("y", 2));
      String broken = q.push("not an email", PushOptions.none().type("email")).jobId();

      List<Email> emails = new CopyOnWriteArrayList<>();
      List<Sms> texts = new CopyOnWriteArrayList<>();
      JobHandlers handlers =
          JobHandlers.create()
              .on("email", Email.class, job -> emails.add(job.payload()))
              .on(
                  "sms",
                  Sms.class,
                  job -> {
                    assertThat(job.type()).isEqualTo("sms");
                    texts.add(job.payload());
                  });
      assertThat(handlers.types()).containsExactly("email", "sms");
      try (Worker w = q.worker(handlers, options("w", 2))) {
        await().atMost(WAIT).until(() -> w.completed() == 2 && w.failed() == 1);
      }
      assertThat(emails).containsExactly(new Email("ada@example.com", "hi"));
      assertThat(texts).containsExactly(new Sms("+15550100", "yo"));
      assertThat(q.get(email).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(q.get(sms).status()).isEqualTo(JobStatus.COMPLETED);
      // a payload that does not convert to its type's class will never run: dead at once
      JobInfo<Object> b = q.get(broken);
      assertThat(b.status()).isEqualTo(JobStatus.DEAD);
      assertThat(b.lastError()).contains("does not convert to").contains(Email.class.getName());
      // types without a handler, and untyped jobs, are left for another worker
      assertThat(q.get(other).status()).isEqualTo(JobStatus.QUEUED);
      assertThat(q.get(other).attempts()).isZero();
      assertThat(q.get(untyped).status()).isEqualTo(JobStatus.QUEUED);
      assertThat(q.stats().counters().claimed()).isEqualTo(3);
    }
  }

  @Test
  void handlersAreCheckedWhenTheWorkerStarts() {
    try (Queue<Object> q = open(Object.class)) {
      assertThatThrownBy(() -> q.worker(JobHandlers.create(), options("w", 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no job handler");
      JobHandlers one = JobHandlers.create().on("email", Email.class, job -> {});
      assertThatThrownBy(() -> q.worker(one, options("w", 1).withTypes(Set.of("sms"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[email]");
      assertThatThrownBy(() -> one.on("email", Email.class, job -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already");
    }
  }

  // ------------------------------------------------------------------ history and dead letters

  @Test
  void deadJobsAreFoundListedRetriedAndPurgedBeforeAndAfterTheyAreArchived() {
    try (Queue<Email> q = open(Email.class)) {
      PushOptions once = PushOptions.none().maxAttempts(1);
      String a = q.push(new Email("a", "é \ud83d\ude00"), once.type("x")).jobId();
      String b = q.push(new Email("b", "ok"), once.type("y")).jobId();
      String c = q.push(new Email("c", "bad"), once.type("x")).jobId();
      List<LeasedJob<Email>> got = q.claim(new ClaimRequest("w", null, 3, null), Duration.ZERO);
      assertThat(got).extracting(LeasedJob::id).containsExactly(a, b, c);
      String payloadA = got.get(0).payloadJson();
      assertThat(q.fail(got.get(0), "boom a")).isEqualTo(JobStatus.DEAD);
      q.complete(got.get(1));
      assertThat(q.failPermanently(got.get(2), "boom c")).isEqualTo(JobStatus.DEAD);

      JobPage<Email> dead = q.list(JobFilter.dead(), null, 10);
      assertThat(dead.jobs()).extracting(JobInfo::id).containsExactly(a, c);
      assertThat(dead.hasMore()).isFalse();
      JobPage<Email> first = q.list(JobFilter.dead(), null, 1);
      assertThat(first.jobs()).extracting(JobInfo::id).containsExactly(a);
      assertThat(first.hasMore()).isTrue();
      assertThat(q.list(JobFilter.dead(), first.nextCursor(), 1).jobs())
          .extracting(JobInfo::id)
          .containsExactly(c);
      assertThat(q.list(JobFilter.all().type("y"), null, 10).jobs())
          .extracting(JobInfo::id)
          .containsExactly(b);

      // finished jobs go to archives after a few seconds: they are found there just the same
      await().atMost(WAIT).until(() -> q.stats().finishedPendingArchive() == 0);
      JobInfo<Email> archived = q.get(a);
      assertThat(archived.status()).isEqualTo(JobStatus.DEAD);
      assertThat(archived.lastError()).isEqualTo("boom a");
      assertThat(archived.attempts()).isEqualTo(1);
      assertThat(archived.finishedAt()).isNotNull();
      assertThat(archived.payloadJson()).isEqualTo(payloadA);
      assertThat(q.get(b).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(q.list(JobFilter.dead(), null, 10).jobs())
          .extracting(JobInfo::id)
          .containsExactly(a, c);

      // bad input changes nothing
      assertRaises(() -> q.retry(b), "InvalidRequestException");
      assertRaises(() -> q.purge(b), "InvalidRequestException");
      assertRaises(() -> q.retry("j999999"), "JobNotFoundException");
      assertRaises(() -> q.list(JobFilter.all(), "not-a-cursor", 10), "InvalidRequestException");
      assertRaises(() -> q.list(JobFilter.all(), null, 0), "InvalidRequestException");
      assertRaises(
          () -> q.retry(JobFilter.all().status(JobStatus.QUEUED)), "InvalidRequestException");
      assertThat(q.stats().pending()).isZero();

      q.retry(a);
      JobInfo<Email> again = q.get(a);
      assertThat(again.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(again.attempts()).isZero();
      assertThat(again.payloadJson()).isEqualTo(payloadA);
      LeasedJob<Email> retried = q.claim("w2").orElseThrow();
      assertThat(retried.id()).isEqualTo(a);
      assertThat(retried.payload()).isEqualTo(new Email("a", "é \ud83d\ude00"));
      q.complete(retried);
      assertThat(q.get(a).status()).isEqualTo(JobStatus.COMPLETED);

      q.purge(c);
      assertRaises(() -> q.get(c), "JobNotFoundException");
      assertRaises(() -> q.purge(c), "JobNotFoundException");
      assertThat(q.list(JobFilter.dead(), null, 10).jobs()).isEmpty();
      assertThat(q.retry(JobFilter.dead())).isZero();
      assertThat(q.list(JobFilter.all(), null, 10).jobs())
          .extracting(JobInfo::id)
          .containsExactly(a, b);
    }
  }

  @Test
  void retryAndPurgeByFilterTakeOnlyTheDeadJobsItNames() {
    try (Queue<Email> q = open(Email.class)) {
      PushOptions once = PushOptions.none().maxAttempts(1);
      for (int i = 0; i < 6; i++) {
        q.push(new Email("n" + i, "s"), once.type(i % 2 == 0 ? "even" : "odd"));
      }
      for (LeasedJob<Email> j : q.claim(new ClaimRequest("w", null, 6, null), Duration.ZERO)) {
        q.failPermanently(j, "no");
      }
      assertThat(q.retry(JobFilter.dead().type("even"))).isEqualTo(3);
      assertThat(q.stats().ready()).isEqualTo(3);
      assertThat(q.purge(JobFilter.all())).isEqualTo(3);
      assertThat(q.list(JobFilter.dead(), null, 10).jobs()).isEmpty();
      assertThat(q.list(JobFilter.all(), null, 10).jobs())
          .extracting(JobInfo::type)
          .containsOnly("even")
          .hasSize(3);
    }
  }

  // ------------------------------------------------------------------ recurring schedules

  @Test
  void aScheduleIsPutListedKeptWhenPutAgainAndDeleted() {
    try (Queue<Email> q = open(Email.class)) {
      Schedule nightly =
          Schedule.cron("nightly", "30 2 * * *", "{\"to\" : \"ops@example.com\", \"n\":1.50e2}")
              .inZone("Europe/Berlin")
              .withType("report")
              .withPriority(3)
              .withMaxAttempts(2);
      ScheduleInfo put = q.putSchedule(nightly);
      assertThat(put.schedule()).isEqualTo(nightly);
      assertThat(put.nextFireAt()).isNotNull();
      assertThat(put.lastFireAt()).isNull();
      assertThat(q.putSchedule(nightly)).isEqualTo(put); // unchanged: nothing moves
      q.putSchedule(Schedule.every("often", Duration.ofHours(1), "{}"));
      assertThat(q.schedules())
          .extracting(i -> i.schedule().name())
          .containsExactly("nightly", "often");
      assertThat(q.schedules().get(0).schedule().payloadJson())
          .isEqualTo("{\"to\" : \"ops@example.com\", \"n\":1.50e2}");
      assertThat(q.deleteSchedule("nightly")).isTrue();
      assertThat(q.deleteSchedule("nightly")).isFalse();
      assertThat(q.schedules()).extracting(i -> i.schedule().name()).containsExactly("often");
    }
  }

  @Test
  void aBadScheduleIsRefusedAndChangesNothing() {
    try (Queue<Email> q = open(Email.class)) {
      assertRaises(
          () -> q.putSchedule(Schedule.cron("bad", "61 * * * *", "{}")), "InvalidRequestException");
      assertRaises(
          () -> q.putSchedule(Schedule.cron("bad", "0 0 30 2 *", "{}")), "InvalidRequestException");
      assertRaises(
          () -> q.putSchedule(Schedule.cron("bad", "0 0 * * *", "\"" + "x".repeat(70_000) + "\"")),
          "PayloadTooLargeException");
      assertThatThrownBy(() -> Schedule.cron("bad", "0 0 * * *", "{}").inZone("Nowhere/City"))
          .isInstanceOf(InvalidRequestException.class);
      assertThat(q.schedules()).isEmpty();
    }
  }

  @Test
  void aDueSchedulePushesItsJobWithoutAnyRequest() {
    try (Queue<Email> q = open(Email.class)) {
      String payload = "{\"to\":\"a@example.com\",  \"subject\":\"tick\"}";
      q.putSchedule(Schedule.every("tick", Duration.ofSeconds(1), payload).withType("email"));
      AtomicReference<LeasedJob<Email>> got = new AtomicReference<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                q.claim("w").ifPresent(got::set);
                return got.get() != null;
              });
      assertThat(got.get().payloadJson()).isEqualTo(payload);
      assertThat(got.get().type()).isEqualTo("email");
      assertThat(q.get(got.get().id()).key()).startsWith("casq:schedule:tick:");
      assertThat(q.schedules().get(0).lastJobId()).isNotNull();
      q.deleteSchedule("tick");
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Worker options that claim with short long polls, so that close() is quick. */
  protected WorkerOptions options(String workerId, int concurrency) {
    return WorkerOptions.of(workerId, concurrency)
        .withPollWait(Duration.ofMillis(200))
        .withShutdownGrace(Duration.ofSeconds(5));
  }

  /**
   * Asserts that {@code call} raises a CasqException of a class (or subclass) named {@code name}.
   */
  private static void assertRaises(ThrowingCallable call, String name) {
    assertThatThrownBy(call)
        .isInstanceOf(CasqException.class)
        .satisfies(e -> assertThat(classNames(e.getClass())).contains(name));
  }

  private static List<String> classNames(Class<?> c) {
    List<String> names = new ArrayList<>();
    for (Class<?> k = c; k != null; k = k.getSuperclass()) {
      names.add(k.getSimpleName());
    }
    return names;
  }
}
