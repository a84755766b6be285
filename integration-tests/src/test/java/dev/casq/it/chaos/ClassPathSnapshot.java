package dev.casq.it.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The class path for child JVMs, with the project's own jars copied once per test run. Children
 * load classes lazily (a broker loads its fencing classes only when it is fenced), and a jar
 * re-installed into the local Maven repository by a parallel build while a child runs would make
 * such a late load fail; the copies stay put for the run.
 */
final class ClassPathSnapshot {
  private static String classPath;

  private ClassPathSnapshot() {}

  static synchronized String classPath() {
    if (classPath == null) {
      classPath = snapshot(System.getProperty("java.class.path"));
    }
    return classPath;
  }

  private static String snapshot(String original) {
    try {
      Path dir = Files.createTempDirectory("casq-chaos-classpath");
      dir.toFile().deleteOnExit();
      List<String> out = new ArrayList<>();
      int n = 0;
      for (String entry : original.split(File.pathSeparator)) {
        Path p = Path.of(entry);
        String s = p.toString().replace(File.separatorChar, '/');
        if (s.contains("/dev/casq/") && s.endsWith(".jar") && Files.isRegularFile(p)) {
          Path copy = dir.resolve((n++) + "-" + p.getFileName());
          Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
          copy.toFile().deleteOnExit();
          out.add(copy.toString());
        } else {
          out.add(entry);
        }
      }
      return String.join(File.pathSeparator, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the class path for child JVMs", e);
    }
  }
}
