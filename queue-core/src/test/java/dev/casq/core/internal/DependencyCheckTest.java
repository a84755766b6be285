package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

class DependencyCheckTest {
  @Test
  void theJacksonOfTheBuildPasses() {
    assertThatCode(DependencyCheck::requireSupportedLibraries).doesNotThrowAnyException();
  }

  @Test
  void jacksonOlderThan216IsRefusedWithTheLibraryTheVersionAndTheMinimum() {
    String p =
        DependencyCheck.problem(
            "com.fasterxml.jackson.core:jackson-core",
            new Version(2, 15, 4, null, "com.fasterxml.jackson.core", "jackson-core"));
    assertThat(p)
        .isEqualTo(
            "com.fasterxml.jackson.core:jackson-core 2.15.4 is too old: casq needs 2.16.0 or newer");
    assertThat(DependencyCheck.message(List.of(p)))
        .startsWith(
            "casq cannot run with the Jackson found on the class path: "
                + "com.fasterxml.jackson.core:jackson-core 2.15.4 is too old")
        .contains("jackson-bom");
  }

  @Test
  void versionsFrom216OnAndUnknownOnesAreJudged() {
    assertThat(DependencyCheck.problem("x", new Version(2, 16, 0, null, null, null))).isNull();
    assertThat(DependencyCheck.problem("x", new Version(2, 21, 3, null, null, null))).isNull();
    assertThat(DependencyCheck.problem("x", new Version(3, 0, 0, null, null, null))).isNull();
    assertThat(DependencyCheck.problem("x", new Version(1, 9, 13, null, null, null)))
        .contains("1.9.13 is too old");
    assertThat(DependencyCheck.problem("x", Version.unknownVersion())).contains("missing");
    assertThat(DependencyCheck.problem("x", null)).contains("missing");
  }
}
