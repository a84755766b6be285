package dev.casq.it.chaos;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/** The chaos tests on {@code file://}: every process shares a queue file in a temporary folder. */
@DisplayName("chaos with real processes on file://")
class FileChaosTest extends AbstractChaosTest {
  @TempDir Path dir;

  @Override
  protected String queueUri(String name) {
    return dir.resolve(name + ".json").toUri().toString();
  }

  @Override
  protected Map<String, String> storeProperties() {
    return Map.of();
  }

  @Override
  protected Map<String, String> childEnvironment() {
    return Map.of();
  }

  @Override
  protected Optional<Path> lockedDirectory() {
    return Optional.of(dir);
  }

  @Override
  protected String backend() {
    return "file";
  }
}
