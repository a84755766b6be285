package dev.casq.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the file store beyond the contract: layout on disk, recovery, odd files. */
class LocalFileStoreTest {
  @TempDir Path dir;
  LocalFileStore store;

  @BeforeEach
  void open() {
    store = LocalFileStore.open(dir, true);
  }

  @AfterEach
  void noJvmWideLockLeaks() {
    assertThat(ObjectLock.mutexesInUse()).isZero();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void plainPutsLeaveNoLockFileAndKeepTheirVersionAcrossStores() throws IOException {
    Version p1 = store.put("a.json.archive/2026/11/25/17/x.jsonl", utf8("one\n"));
    Path bucket = dir.resolve("a.json.archive/2026/11/25/17");
    assertThat(filesIn(bucket)).containsExactly("x.jsonl");
    assertThat(store.read("a.json.archive/2026/11/25/17/x.jsonl").orElseThrow())
        .isEqualTo(new VersionedBytes(utf8("one\n"), p1));
    // another store on the same directory (another process) sees the same version
    LocalFileStore other = LocalFileStore.open(dir, true);
    assertThat(other.read("a.json.archive/2026/11/25/17/x.jsonl").orElseThrow().version())
        .isEqualTo(p1);
    Version p2 = store.put("a.json.archive/2026/11/25/17/x.jsonl", utf8("two\n"));
    assertThat(p2).isNotEqualTo(p1);
    assertThat(filesIn(bucket)).containsExactly("x.jsonl");
    assertThat(store.list("a.json.archive/"))
        .containsExactly("a.json.archive/2026/11/25/17/x.jsonl");

    // a stale version of a put object is refused and leaves nothing behind
    assertThatThrownBy(() -> store.replace("a.json.archive/2026/11/25/17/x.jsonl", utf8("r"), p1))
        .isInstanceOf(PreconditionFailedException.class);
    assertThatThrownBy(() -> store.create("a.json.archive/2026/11/25/17/x.jsonl", utf8("c")))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(filesIn(bucket)).containsExactly("x.jsonl");
    // the current one is taken; from then on the object has a lock file like any replaced object
    Version r = store.replace("a.json.archive/2026/11/25/17/x.jsonl", utf8("r"), p2);
    assertThat(store.read("a.json.archive/2026/11/25/17/x.jsonl").orElseThrow())
        .isEqualTo(new VersionedBytes(utf8("r"), r));
    store.delete("a.json.archive/2026/11/25/17/x.jsonl");
    assertThat(filesIn(bucket)).isEmpty();
  }

  @Test
  void theObjectIsThePlainContentAndTheLockFileIsHidden() throws IOException {
    Version v1 = store.create("emails.json", utf8("{\"revision\":1}\n"));
    assertThat(Files.readAllBytes(dir.resolve("emails.json")))
        .isEqualTo(utf8("{\"revision\":1}\n"));
    assertThat(filesIn(dir)).containsExactly(".emails.json.casq-lock", "emails.json");
    String lock = Files.readString(dir.resolve(".emails.json.casq-lock"));
    assertThat(lock).startsWith("casq-lock 1 live ").hasSize(LockRecord.SIZE);
    assertThat(lock.trim()).endsWith("0000000000000000001");
    Version v2 = store.replace("emails.json", utf8("{\"revision\":2}\n"), v1);
    assertThat(Files.readString(dir.resolve("emails.json"))).isEqualTo("{\"revision\":2}\n");
    assertThat(v1.token()).endsWith("-1");
    assertThat(v2.token()).endsWith("-2");
    assertThat(v2.token().substring(0, 16)).isEqualTo(v1.token().substring(0, 16));
  }

  @Test
  void keysWithSlashesAreSubdirectoriesAndListingSkipsTheStoresOwnFiles() throws IOException {
    store.put("emails.json.archive/2026/11/25/17/x.json", utf8("x"));
    store.create("emails.json", utf8("{}"));
    Path hour = dir.resolve("emails.json.archive/2026/11/25/17");
    assertThat(Files.readString(hour.resolve("x.json"))).isEqualTo("x");
    assertThat(filesIn(hour)).containsExactly("x.json"); // a plain put leaves no lock file
    Files.writeString(hour.resolve(".x.json.casq-tmp"), "left by a crash");
    assertThat(store.list(""))
        .containsExactly("emails.json", "emails.json.archive/2026/11/25/17/x.json");
    assertThat(store.list("emails.json.archive/2026/11/"))
        .containsExactly("emails.json.archive/2026/11/25/17/x.json");
  }

  @Test
  void deleteLeavesNoLitter() throws IOException {
    store.put("a/b/x.json", utf8("x"));
    Files.writeString(dir.resolve("a/b/.x.json.casq-tmp"), "left by a crash");
    store.delete("a/b/x.json");
    assertThat(filesIn(dir.resolve("a/b"))).isEmpty();
    assertThat(store.read("a/b/x.json")).isEmpty();
  }

  @Test
  void anObjectMadeByHandGetsAVersionOnFirstRead() throws IOException {
    Files.writeString(dir.resolve("hand.json"), "by hand");
    assertThatThrownBy(() -> store.create("hand.json", utf8("x")))
        .isInstanceOf(PreconditionFailedException.class);
    VersionedBytes read = store.read("hand.json").orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("by hand"));
    assertThat(store.read("hand.json").orElseThrow().version()).isEqualTo(read.version());
    Version next = store.replace("hand.json", utf8("through the store"), read.version());
    assertThat(next).isNotEqualTo(read.version());
    assertThat(Files.readString(dir.resolve("hand.json"))).isEqualTo("through the store");
  }

  @Test
  void replaceOfAnObjectMadeByHandNeedsARead() throws IOException {
    Version elsewhere = store.create("other.json", utf8("o"));
    Files.writeString(dir.resolve("hand.json"), "by hand");
    assertThatThrownBy(() -> store.replace("hand.json", utf8("x"), elsewhere))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(Files.readString(dir.resolve("hand.json"))).isEqualTo("by hand");
  }

  @Test
  void aDamagedLockFileStartsANewIncarnationSoOldVersionsAreStale() throws IOException {
    Version v1 = store.create("q.json", utf8("one"));
    Files.writeString(dir.resolve(".q.json.casq-lock"), "garbage");
    VersionedBytes read = store.read("q.json").orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("one"));
    assertThat(read.version()).isNotEqualTo(v1);
    assertThatThrownBy(() -> store.replace("q.json", utf8("stale"), v1))
        .isInstanceOf(PreconditionFailedException.class);
    store.replace("q.json", utf8("two"), read.version());
    assertThat(Files.readString(dir.resolve("q.json"))).isEqualTo("two");
  }

  /**
   * A writer that bumped the generation and died before its rename: the old content stays, under
   * the new generation. A holder of the old version fails (spuriously, but safely); a fresh read
   * succeeds.
   */
  @Test
  void aCrashBetweenGenerationAndRenameOnlyStalesOldHolders() throws IOException {
    Version v1 = store.create("q.json", utf8("one"));
    Path lockFile = dir.resolve(".q.json.casq-lock");
    LockRecord r = LockRecord.decode(Files.readAllBytes(lockFile), LockRecord.SIZE);
    Files.write(lockFile, r.next(0).encode());
    Files.writeString(dir.resolve(".q.json.casq-tmp"), "two, half writ");
    assertThatThrownBy(() -> store.replace("q.json", utf8("stale"), v1))
        .isInstanceOf(PreconditionFailedException.class);
    VersionedBytes read = store.read("q.json").orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("one"));
    Version v3 = store.replace("q.json", utf8("three"), read.version());
    assertThat(store.read("q.json").orElseThrow()).isEqualTo(new VersionedBytes(utf8("three"), v3));
    assertThat(filesIn(dir)).containsExactly(".q.json.casq-lock", "q.json");
  }

  /** A deleter that wrote the dead record and died before unlinking the lock file. */
  @Test
  void aDeadLockFileLeftByACrashedDeleteIsRevived() throws IOException {
    store.create("q.json", utf8("one"));
    Files.delete(dir.resolve("q.json"));
    Files.write(dir.resolve(".q.json.casq-lock"), LockRecord.dead(42).encode());
    assertThat(store.read("q.json")).isEmpty();
    Version v = store.create("q.json", utf8("again"));
    assertThat(store.read("q.json").orElseThrow()).isEqualTo(new VersionedBytes(utf8("again"), v));
  }

  @Test
  void aDeadLockFileBesideContentIsRevivedByAReader() throws IOException {
    Files.writeString(dir.resolve("q.json"), "content");
    Files.write(dir.resolve(".q.json.casq-lock"), LockRecord.dead(7).encode());
    VersionedBytes read = store.read("q.json").orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("content"));
    store.replace("q.json", utf8("next"), read.version());
  }

  @Test
  void reservedNamesAreRejected() {
    for (String bad : List.of(".q.json.casq-lock", "a/.q.json.casq-tmp", ".x.casq-lock/y")) {
      assertThatThrownBy(() -> store.put(bad, utf8("x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reserved");
    }
    assertThatThrownBy(() -> store.read("a/" + "x".repeat(300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void anObjectAndADirectoryOfTheSameNameConflictClearly() throws IOException {
    store.put("a", utf8("a"));
    assertThatThrownBy(() -> store.put("a/b", utf8("b")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is a file (an object), not a directory");
    assertThat(store.read("a/b")).isEmpty();
    store.put("d/e", utf8("e"));
    assertThatThrownBy(() -> store.create("d", utf8("d")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is a directory");
    assertThat(store.read("d")).isEmpty();
    assertThat(store.list("")).containsExactly("a", "d/e");
    assertThat(filesIn(dir)).containsExactly("a", "d");
  }

  @Test
  void foreignVersionTokensAreAProgrammingError() {
    store.create("q.json", utf8("x"));
    assertThatThrownBy(() -> store.replace("q.json", utf8("y"), new Version("17")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a file:// version");
  }

  @Test
  void anInterruptedCallerWritesNothingAndTheStoreStaysUsable() throws IOException {
    Version v = store.create("q.json", utf8("one"));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> store.replace("q.json", utf8("two"), v))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("interrupted");
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
    assertThat(Files.readString(dir.resolve("q.json"))).isEqualTo("one");
    Version v2 = store.replace("q.json", utf8("two"), v);
    assertThat(store.read("q.json").orElseThrow().version()).isEqualTo(v2);
  }

  @Test
  void twoStoresOnTheSameDirectoryShareTheObjects() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
    LocalFileStore other = LocalFileStore.open(link, false);
    assertThat(other.root()).isEqualTo(store.root());
    Version v = store.create("q.json", utf8("one"));
    Version v2 = other.replace("q.json", utf8("two"), v);
    assertThatThrownBy(() -> store.replace("q.json", utf8("x"), v))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(store.read("q.json").orElseThrow().version()).isEqualTo(v2);
  }
}
