package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit must fail for stores that break the contract. Each nested class runs the whole kit
 * against a deliberately broken store; nested classes are not picked up by the build's own test
 * run, only launched from here.
 */
class BrokenStoresAreCaughtTest {

  /** create() overwrites an existing object. */
  static class CreateOverwrites extends ObjectStoreContractTest {
    @Override
    protected ObjectStore openStore() {
      MemoryObjectStore mem = new MemoryObjectStore();
      return new DelegatingObjectStore(mem) {
        @Override
        public Version create(String key, byte[] data) {
          return mem.put(key, data);
        }
      };
    }
  }

  /** replace() ignores the expected version. */
  static class ReplaceIgnoresVersion extends ObjectStoreContractTest {
    @Override
    protected ObjectStore openStore() {
      MemoryObjectStore mem = new MemoryObjectStore();
      return new DelegatingObjectStore(mem) {
        @Override
        public Version replace(String key, byte[] data, Version expected) {
          if (mem.read(key).isEmpty()) {
            throw new PreconditionFailedException("missing");
          }
          return mem.put(key, data);
        }
      };
    }
  }

  /** read() hands out the stored array itself. */
  static class SharesArrays extends ObjectStoreContractTest {
    @Override
    protected ObjectStore openStore() {
      MemoryObjectStore mem = new MemoryObjectStore();
      return new DelegatingObjectStore(mem) {
        private final java.util.Map<String, VersionedBytes> cache =
            new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Optional<VersionedBytes> read(String key) {
          Optional<VersionedBytes> fresh = mem.read(key);
          if (fresh.isEmpty()) {
            return fresh;
          }
          return Optional.of(
              cache.merge(
                  key, fresh.get(), (old, now) -> old.version().equals(now.version()) ? old : now));
        }
      };
    }
  }

  @Test
  void createThatOverwritesIsCaught() {
    assertThat(failuresOf(CreateOverwrites.class))
        .contains(
            "createTwiceFailsAndLeavesContent",
            "racingCreatesHaveOneWinner",
            "putOverwritesAndStalesOlderVersions");
  }

  @Test
  void replaceThatIgnoresTheVersionIsCaught() {
    assertThat(failuresOf(ReplaceIgnoresVersion.class))
        .contains(
            "staleReplaceFails",
            "olderVersionsStayStale",
            "versionBeforeDeleteIsStaleAfterRecreate",
            "racingWritersFromOneVersionHaveOneWinnerPerRound");
  }

  @Test
  void sharedArraysAreCaught() {
    assertThat(failuresOf(SharesArrays.class)).containsExactly("bytesAreCopied");
  }

  @Test
  void aCorrectStorePassesEverything() {
    assertThat(failuresOf(MemoryObjectStoreContractTest.class)).isEmpty();
  }

  private static Set<String> failuresOf(Class<?> testClass) {
    Set<String> failed = new TreeSet<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL
                && id.getSource().orElse(null) instanceof MethodSource m) {
              failed.add(m.getMethodName());
            }
          }
        });
    return failed;
  }
}
