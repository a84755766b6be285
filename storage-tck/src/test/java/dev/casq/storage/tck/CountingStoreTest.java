package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CountingStoreTest {

  @Test
  void countsCallsAndConditionalOutcomes() {
    FaultInjectingStore faulty = FaultInjectingStore.builder(new MemoryObjectStore()).build();
    CountingStore store = new CountingStore(faulty);
    byte[] x = "x".getBytes(StandardCharsets.UTF_8);
    Version v = store.create("k", x);
    assertThatThrownBy(() -> store.create("k", x)).isInstanceOf(PreconditionFailedException.class);
    store.replace("k", x, v);
    faulty.failNextWrite(FaultInjectingStore.Fault.BEFORE_WRITE);
    assertThatThrownBy(() -> store.replace("k", x, v)).isInstanceOf(OutcomeUnknownException.class);
    store.read("k");
    store.put("p", x);
    store.list("");
    store.delete("p");
    CountingStore.Counts c = store.counts();
    assertThat(c).isEqualTo(new CountingStore.Counts(1, 2, 2, 1, 1, 1, 1, 1));
    assertThat(c.conditionalWrites()).isEqualTo(4);
    assertThat(c.successfulConditionalWrites()).isEqualTo(2);
  }
}
