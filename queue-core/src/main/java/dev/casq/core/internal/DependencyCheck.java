package dev.casq.core.internal;

import com.fasterxml.jackson.core.Version;
import dev.casq.core.Casq;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Checks at start-up that the libraries casq runs on are recent enough, so that an application
 * whose dependency management picked older versions fails at once with a message that says what to
 * change, instead of failing deep inside casq later.
 *
 * <p>casq needs Jackson 2.16 or newer ({@code jackson-core}, {@code jackson-databind} and {@code
 * jackson-datatype-jsr310}): it lifts the document-length limit of {@code StreamReadConstraints},
 * which older Jackson lacks. Frameworks pin Jackson in their own dependency management (Spring Boot
 * 3.1 brings 2.15); override it there, e.g. with the {@code jackson-bom} of a recent version.
 *
 * <p>{@link Casq#open} and the Java client's builder run the check. Setting the system property
 * {@value #SKIP_PROPERTY} to {@code true} turns it off, at the application's own risk.
 */
public final class DependencyCheck {
  /** System property that turns the check off when set to {@code true}. */
  public static final String SKIP_PROPERTY = "casq.skip-dependency-check";

  /** The oldest Jackson casq works with. */
  public static final String MIN_JACKSON = "2.16.0";

  private static volatile boolean passed;

  private DependencyCheck() {}

  /**
   * Fails unless the Jackson libraries on the class path are {@value #MIN_JACKSON} or newer.
   *
   * @throws IllegalStateException naming each library that is too old (or missing), the version
   *     found and the minimum version
   */
  public static void requireSupportedLibraries() {
    if (passed || Boolean.getBoolean(SKIP_PROPERTY)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    check(
        problems,
        "com.fasterxml.jackson.core:jackson-core",
        () -> com.fasterxml.jackson.core.json.PackageVersion.VERSION);
    check(
        problems,
        "com.fasterxml.jackson.core:jackson-databind",
        () -> com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION);
    check(
        problems,
        "com.fasterxml.jackson.datatype:jackson-datatype-jsr310",
        () -> com.fasterxml.jackson.datatype.jsr310.PackageVersion.VERSION);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(message(problems));
    }
    passed = true;
  }

  /**
   * The problem with one library, or null when its version is fine.
   *
   * @param library {@code groupId:artifactId}
   * @param found the version found on the class path, or null when the library is missing
   */
  static String problem(String library, Version found) {
    if (found == null || found.isUnknownVersion()) {
      return library
          + " is missing or its version is unknown (casq needs "
          + MIN_JACKSON
          + " or newer)";
    }
    if (found.getMajorVersion() == 2 && found.getMinorVersion() < 16
        || found.getMajorVersion() < 2) {
      return library + " " + found + " is too old: casq needs " + MIN_JACKSON + " or newer";
    }
    return null;
  }

  static String message(List<String> problems) {
    return "casq cannot run with the Jackson found on the class path: "
        + String.join("; ", problems)
        + ". Use Jackson "
        + MIN_JACKSON
        + " or newer for all Jackson modules (with Spring Boot:"
        + " set the jackson-bom.version property; with Maven: import com.fasterxml.jackson:"
        + "jackson-bom in dependencyManagement).";
  }

  private static void check(List<String> problems, String library, Supplier<Version> version) {
    Version found;
    try {
      found = version.get();
    } catch (LinkageError e) {
      found = null;
    }
    String p = problem(library, found);
    if (p != null) {
      problems.add(p);
    }
  }
}
