package dev.casq.sim;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A compare-and-swap store in simulated time, shared by every node, that fails the way object
 * stores do: a conditional write may fail before it is written or after it landed (the caller is
 * told only that the outcome is unknown), or it may land late, after its caller gave up (as an S3
 * or GCS PUT that completes after the client's timeout): then it is applied at a later simulated
 * moment if and only if the object is still at the version it was conditioned on. Reads and archive
 * writes fail now and then. Every version is new (a counter), as generations are.
 */
final class SimStore implements ObjectStore {
  /** How often each fault happens while faults are on. */
  record Rates(
      double readFailure,
      double unknownBeforeWrite,
      double unknownAfterWrite,
      double lateLanding,
      double putFailure) {
    static final Rates NONE = new Rates(0, 0, 0, 0, 0);
  }

  private record Stored(byte[] data, Version version) {}

  private record LateWrite(String key, byte[] data, Version expected, long due) {}

  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final Tally faults;
  private final TreeMap<String, Stored> objects = new TreeMap<>();
  private final List<LateWrite> late = new ArrayList<>(); // in the order they were sent
  private Rates rates = Rates.NONE;
  private long versions;
  private long writes;

  SimStore(Scheduler scheduler, SplittableRandom random, Tally faults) {
    this.scheduler = scheduler;
    this.random = random;
    this.faults = faults;
  }

  void rates(Rates newRates) {
    this.rates = newRates;
  }

  /** Conditional writes that have been sent but have neither landed nor failed yet. */
  int lateWritesInFlight() {
    return late.size();
  }

  long writes() {
    return writes;
  }

  /** Reads without faults, for the checker and for discovery by simulated probes. */
  Optional<VersionedBytes> peek(String key) {
    landDue();
    Stored s = objects.get(key);
    return s == null
        ? Optional.empty()
        : Optional.of(new VersionedBytes(s.data.clone(), s.version));
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    landDue();
    if (chance(rates.readFailure())) {
      faults.add("read-failure");
      throw new StorageException("simulated read failure of " + key);
    }
    return peek(key);
  }

  @Override
  public Version create(String key, byte[] data) {
    landDue();
    if (objects.containsKey(key)) {
      throw new PreconditionFailedException(key + " exists");
    }
    return write(key, data, null);
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    landDue();
    return write(key, data, expected);
  }

  @Override
  public Version put(String key, byte[] data) {
    landDue();
    if (chance(rates.putFailure())) {
      faults.add("put-failure");
      if (random.nextBoolean()) {
        store(key, data); // it landed; the answer did not come back
      }
      throw new StorageException("simulated failure writing " + key);
    }
    return store(key, data);
  }

  @Override
  public List<String> list(String prefix) {
    landDue();
    List<String> keys = new ArrayList<>();
    for (String k : objects.tailMap(prefix, true).keySet()) {
      if (!k.startsWith(prefix)) {
        break;
      }
      keys.add(k);
    }
    return keys;
  }

  @Override
  public void delete(String key) {
    landDue();
    objects.remove(key);
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(Duration.ZERO, true, 64L << 20);
  }

  @Override
  public String describe() {
    return "sim://";
  }

  /** Lands or drops every late write whose moment has come (also called by a scheduled event). */
  void landDue() {
    Iterator<LateWrite> it = late.iterator();
    while (it.hasNext()) {
      LateWrite w = it.next();
      if (w.due <= scheduler.now()) {
        it.remove();
        if (conditionHolds(w.key, w.expected)) {
          faults.add("late-landing-landed");
          store(w.key, w.data);
        }
      }
    }
  }

  private Version write(String key, byte[] data, Version expected) {
    if (chance(rates.unknownBeforeWrite())) {
      faults.add("unknown-before-write");
      throw new OutcomeUnknownException("simulated timeout before " + key + " was written");
    }
    if (chance(rates.unknownAfterWrite())) {
      faults.add("unknown-after-write");
      if (conditionHolds(key, expected)) {
        store(key, data);
      }
      throw new OutcomeUnknownException("simulated timeout after " + key + " was written");
    }
    if (chance(rates.lateLanding())) {
      faults.add("late-landing");
      long due = scheduler.now() + 1 + random.nextLong(3000);
      late.add(new LateWrite(key, data.clone(), expected, due));
      scheduler.at(due, this::landDue);
      throw new OutcomeUnknownException(
          "simulated timeout; the write of " + key + " is still" + " on its way");
    }
    if (!conditionHolds(key, expected)) {
      throw new PreconditionFailedException(key + " is not at version " + expected);
    }
    return store(key, data);
  }

  private boolean conditionHolds(String key, Version expected) {
    Stored s = objects.get(key);
    return expected == null ? s == null : s != null && s.version.equals(expected);
  }

  private Version store(String key, byte[] data) {
    Version v = new Version("g" + (++versions));
    objects.put(key, new Stored(data.clone(), v));
    writes++;
    return v;
  }

  private boolean chance(double p) {
    return p > 0 && random.nextDouble() < p;
  }
}
