package dev.casq.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Whether a program named on the command line can be run: a path, or a name found on PATH. */
final class CommandCheck {
  private CommandCheck() {}

  /**
   * Why {@code program} cannot be run, or null when it can: a name with a slash must be an
   * executable file; a bare name must be an executable file in a directory of {@code path}.
   *
   * @param program the program as given (the first word of the command)
   * @param path the PATH to search a bare name in (may be null)
   */
  static String problem(String program, String path) {
    if (program.isEmpty()) {
      return "the command is empty";
    }
    try {
      if (program.indexOf('/') >= 0 || program.indexOf(File.separatorChar) >= 0) {
        Path p = Path.of(program);
        if (!Files.exists(p)) {
          return program + ": no such file";
        }
        if (Files.isDirectory(p) || !Files.isExecutable(p)) {
          return program + ": not an executable file";
        }
        return null;
      }
      if (path != null) {
        for (String dir : path.split(File.pathSeparator)) {
          Path p = Path.of(dir.isEmpty() ? "." : dir, program);
          if (Files.isRegularFile(p) && Files.isExecutable(p)) {
            return null;
          }
        }
      }
    } catch (InvalidPathException e) {
      return program + ": not a valid file name";
    }
    return program + ": not found on PATH";
  }
}
