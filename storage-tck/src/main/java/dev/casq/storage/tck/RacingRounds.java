package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Rounds of racing conditional writes: in each round, several threads replace the same object from
 * the same version at the same moment. Exactly one may win. Each racer writes content that names
 * it, so the winner is known by reading even when outcomes are unknown.
 *
 * <p>Checked in every round: at most one racer is told it succeeded; the object afterwards holds
 * the content of the racer that succeeded (at the version it was given), or, when nobody was told
 * so, of a racer whose outcome was unknown, or is unchanged if every outcome was unknown; a racer
 * told it lost never holds the object. Violations throw {@link AssertionError} naming the round.
 */
public final class RacingRounds {
  private RacingRounds() {}

  /** The outcome of one racer's write. */
  public enum Outcome {
    WON,
    LOST,
    UNKNOWN
  }

  /**
   * Totals over all rounds.
   *
   * @param rounds rounds run
   * @param decided rounds in which a racer landed its write (every round, unless all outcomes in it
   *     were unknown and none landed)
   * @param won racers told they won
   * @param lost racers told they lost
   * @param unknown racers whose outcome was unknown
   * @param unknownWinners rounds won by a racer whose outcome was unknown
   */
  public record Summary(
      int rounds, int decided, int won, int lost, int unknown, int unknownWinners) {}

  /**
   * Runs {@code rounds} rounds of {@code racers} threads on {@code key}, creating the object first
   * if it does not exist.
   */
  public static Summary run(ObjectStore store, String key, int racers, int rounds)
      throws InterruptedException {
    if (racers < 2 || rounds < 1) {
      throw new IllegalArgumentException("need at least 2 racers and 1 round");
    }
    ensureExists(store, key);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    int decided = 0;
    int won = 0;
    int lost = 0;
    int unknown = 0;
    int unknownWinners = 0;
    try {
      for (int round = 1; round <= rounds; round++) {
        VersionedBytes base =
            read(store, key)
                .orElseThrow(
                    () -> new AssertionError("object " + key + " vanished between rounds"));
        CountDownLatch ready = new CountDownLatch(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Result>> futures = new ArrayList<>();
        for (int racer = 0; racer < racers; racer++) {
          byte[] content = content(round, racer);
          futures.add(
              pool.submit(
                  () -> {
                    ready.countDown();
                    go.await();
                    return attempt(store, key, content, base.version());
                  }));
        }
        ready.await();
        go.countDown();
        List<Result> results = new ArrayList<>();
        for (Future<Result> f : futures) {
          results.add(get(f, round));
        }
        int thisRound = round;
        VersionedBytes after =
            read(store, key)
                .orElseThrow(
                    () ->
                        new AssertionError("round " + thisRound + ": object " + key + " vanished"));
        int winner = check(round, base, after, results);
        for (Result r : results) {
          switch (r.outcome) {
            case WON -> won++;
            case LOST -> lost++;
            case UNKNOWN -> unknown++;
          }
        }
        if (winner >= 0) {
          decided++;
          if (results.get(winner).outcome == Outcome.UNKNOWN) {
            unknownWinners++;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Summary(rounds, decided, won, lost, unknown, unknownWinners);
  }

  private record Result(Outcome outcome, Version version) {}

  private static Result attempt(ObjectStore store, String key, byte[] content, Version expected) {
    try {
      return new Result(Outcome.WON, store.replace(key, content, expected));
    } catch (PreconditionFailedException e) {
      return new Result(Outcome.LOST, null);
    } catch (OutcomeUnknownException e) {
      return new Result(Outcome.UNKNOWN, null);
    }
  }

  /** Checks one round; returns the index of the racer whose write holds the object, or -1. */
  private static int check(
      int round, VersionedBytes base, VersionedBytes after, List<Result> results) {
    String where = "round " + round + " " + describe(results) + ": ";
    long winners = results.stream().filter(r -> r.outcome == Outcome.WON).count();
    if (winners > 1) {
      throw new AssertionError(where + winners + " racers were told they won");
    }
    if (java.util.Arrays.equals(after.data(), base.data())) {
      if (results.stream().anyMatch(r -> r.outcome != Outcome.UNKNOWN)) {
        throw new AssertionError(
            where + "nobody's write landed, yet some racer was told it won or lost");
      }
      return -1;
    }
    int holder = -1;
    for (int i = 0; i < results.size(); i++) {
      if (java.util.Arrays.equals(after.data(), content(round, i))) {
        holder = i;
      }
    }
    if (holder < 0) {
      throw new AssertionError(
          where
              + "the object holds content no racer wrote: '"
              + new String(after.data(), StandardCharsets.UTF_8)
              + "'");
    }
    Result held = results.get(holder);
    if (held.outcome == Outcome.LOST) {
      throw new AssertionError(
          where + "racer " + holder + " was told it lost, but its write holds");
    }
    if (winners == 1 && held.outcome != Outcome.WON) {
      throw new AssertionError(
          where
              + "a racer was told it won, but racer "
              + holder
              + " (outcome "
              + held.outcome
              + ") holds the object");
    }
    if (held.outcome == Outcome.WON && !held.version.equals(after.version())) {
      throw new AssertionError(
          where
              + "the winner was given version "
              + held.version
              + " but a read shows "
              + after.version());
    }
    return holder;
  }

  private static String describe(List<Result> results) {
    StringBuilder sb = new StringBuilder("[");
    for (Result r : results) {
      sb.append(sb.length() > 1 ? " " : "").append(r.outcome);
    }
    return sb.append(']').toString();
  }

  private static byte[] content(int round, int racer) {
    return ("round=" + round + " racer=" + racer).getBytes(StandardCharsets.UTF_8);
  }

  private static void ensureExists(ObjectStore store, String key) {
    for (int attempt = 1; read(store, key).isEmpty(); attempt++) {
      try {
        store.create(key, "round=0".getBytes(StandardCharsets.UTF_8));
      } catch (PreconditionFailedException | OutcomeUnknownException e) {
        if (attempt > 20) {
          throw e;
        }
      }
    }
  }

  private static Optional<VersionedBytes> read(ObjectStore store, String key) {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.read(key);
      } catch (StorageException e) {
        if (attempt >= 20) {
          throw e;
        }
      }
    }
  }

  private static Result get(Future<Result> f, int round) throws InterruptedException {
    try {
      return f.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new AssertionError(
          "round " + round + ": a racer failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("round " + round + ": a racer did not finish in 2 minutes", e);
    }
  }
}
