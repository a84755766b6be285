package dev.casq.it.chaos;

import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a queue object and its archive objects straight from the store, as an operator would, to
 * judge what the brokers really committed.
 */
final class QueueObject implements AutoCloseable {
  private final StoreLocation location;

  QueueObject(String storeUri, Map<String, String> storeProperties) {
    this.location = Stores.open(storeUri, storeProperties);
  }

  /** The committed state now; empty before the first write. */
  Optional<QueueState> read() {
    Optional<VersionedBytes> bytes = location.store().read(location.key());
    return bytes.map(b -> StateCodec.decode(b.data()));
  }

  /**
   * The live jobs of a state read with {@link #read}, by id: the head's and those still waiting in
   * the segments it names.
   */
  Map<String, Job> liveJobs(QueueState state) {
    Map<String, Job> byId = new java.util.HashMap<>();
    for (Job j : StateCodec.liveJobs(location.store(), state)) {
      byId.put(j.id(), j);
    }
    return byId;
  }

  /**
   * The address of the broker the object names now, read without decoding the jobs (a load
   * generator asks for it at every refused connection); null when it names none.
   */
  String brokerAddress() {
    return location
        .store()
        .read(location.key())
        .flatMap(b -> dev.casq.election.BrokerDiscovery.parse(b.data()))
        .map(dev.casq.core.internal.BrokerRecord::address)
        .orElse(null);
  }

  /** Every job record in every archive object of the queue (duplicates included). */
  List<Job> archived() {
    List<Job> jobs = new ArrayList<>();
    for (String key : location.store().list(location.key() + ".archive/")) {
      Optional<VersionedBytes> bytes = location.store().read(key);
      bytes.ifPresent(b -> jobs.addAll(StateCodec.decodeArchive(b.data())));
    }
    return jobs;
  }

  @Override
  public void close() {
    location.close();
  }
}
