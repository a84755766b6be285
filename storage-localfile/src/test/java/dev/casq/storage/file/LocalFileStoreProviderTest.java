package dev.casq.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening file:// stores by URI, and the errors a user sees when the URI or directory is wrong. */
class LocalFileStoreProviderTest {
  @TempDir Path dir;

  @Test
  void opensTheParentDirectoryAndNamesTheFileAsKey() {
    StoreLocation loc = Stores.open(dir.toUri() + "emails.json");
    assertThat(loc.key()).isEqualTo("emails.json");
    LocalFileStore store = (LocalFileStore) loc.store();
    assertThat(store.pathOf("emails.json")).isEqualTo(store.root().resolve("emails.json"));
    assertThat(store.capabilities().durable()).isTrue();
    assertThat(loc.toString()).contains("file://", "key=emails.json");
    loc.store().create(loc.key(), new byte[] {'{', '}'});
    assertThat(dir.resolve("emails.json")).hasContent("{}");
  }

  @Test
  void acceptsOneSlashLocalhostAndPercentEncodedNames() {
    String path = dir.toString();
    assertThat(Stores.open("file:" + path + "/q.json").key()).isEqualTo("q.json");
    assertThat(Stores.open("file://localhost" + path + "/q.json").key()).isEqualTo("q.json");
    assertThat(Stores.open("file://" + path + "/my%20queue.json").key()).isEqualTo("my queue.json");
  }

  @Test
  void fsyncPropertyTurnsDurabilityOff() {
    StoreLocation off =
        Stores.open(dir.toUri() + "q.json", Map.of(LocalFileStoreProvider.FSYNC, "false"));
    assertThat(off.store().capabilities().durable()).isFalse();
    assertThat(off.store().describe()).contains("fsync off");
    assertThatThrownBy(
            () ->
                Stores.open(dir.toUri() + "q.json", Map.of(LocalFileStoreProvider.FSYNC, "maybe")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("file.fsync")
        .hasMessageContaining("CASQ_FILE_FSYNC");
  }

  @Test
  void missingDirectory() {
    Path missing = dir.resolve("no/such/dir");
    assertThatThrownBy(() -> Stores.open(missing.toUri() + "/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("directory " + missing + " does not exist")
        .hasMessageContaining(dir.resolve("no") + " is missing")
        .hasMessageContaining("mkdir -p");
    assertThat(dir.resolve("no")).doesNotExist();
  }

  @Test
  void relativeUri() {
    assertThatThrownBy(() -> Stores.open("file:tmp/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("relative file URI")
        .hasMessageContaining("three slashes")
        .hasMessageContaining(Path.of("tmp/q.json").toAbsolutePath().toUri().toString());
  }

  @Test
  void twoSlashesMeanAHost() {
    assertThatThrownBy(() -> Stores.open("file://tmp/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("names host 'tmp'")
        .hasMessageContaining("file:///tmp/q.json");
    assertThatThrownBy(() -> Stores.open("file://host/x"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("file:// stores are local");
  }

  @Test
  void uriWithoutAFileName() {
    assertThatThrownBy(() -> Stores.open(dir.toUri().toString()))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("names a directory");
    assertThatThrownBy(() -> Stores.open("file:///"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("names no file");
    assertThatThrownBy(() -> Stores.open(dir.toUri() + "q.json?fsync=false"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("file.fsync");
    assertThatThrownBy(() -> Stores.open(dir.toUri() + ".q.json.casq-lock"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("lock or temp");
  }

  @Test
  void parentIsNotADirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    assertThatThrownBy(() -> Stores.open(file.toUri() + "/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining(file + " is not a directory");
  }

  @Test
  void objectIsADirectory() throws IOException {
    Files.createDirectory(dir.resolve("q.json"));
    assertThatThrownBy(() -> Stores.open(dir.toUri() + "q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void typoInTheSchemeListsFile() {
    assertThatThrownBy(() -> Stores.open("fiel://" + dir + "/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("no store for scheme 'fiel'")
        .hasMessageContaining("file");
  }

  /**
   * A directory the process may not write to. As a normal user, permissions 555 do it; root ignores
   * permissions, so as root the directory is made immutable with chattr +i instead, and the test is
   * skipped where that is not allowed (a container without CAP_LINUX_IMMUTABLE).
   */
  @Test
  void readOnlyDirectory() throws Exception {
    Path ro = Files.createDirectory(dir.resolve("read-only"));
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      assumeTrue(
          run("chattr", "+i", ro.toString()) == 0,
          "running as root, and chattr +i is not permitted here: no way to make a directory"
              + " read-only for root");
    } else {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    try {
      assertThatThrownBy(() -> Stores.open(ro.toUri() + "q.json"))
          .isInstanceOf(StoreConfigurationException.class)
          .hasMessageContaining(
              "directory " + ro.toRealPath() + " is not writable by this process");
    } finally {
      if (root) {
        run("chattr", "-i", ro.toString());
      } else {
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException e) {
      return -1; // command not installed
    }
  }
}
