package dev.casq.storage.file;

import dev.casq.storage.ObjectKeys;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file://} store: objects are plain files under a root directory (a key's '/' separate
 * subdirectories), with compare-and-swap that is safe across threads and processes, atomic under
 * crashes, and durable when {@code fsync} is on.
 *
 * <p>Beside each object {@code name} live two hidden files: {@code .name.casq-lock}, whose file
 * lock serializes writers (and excludes readers from a write in progress) and whose content is the
 * object's version (a random incarnation and a generation counter), and {@code .name.casq-tmp}, the
 * next content while it is being written. A write, under the exclusive lock: check the expected
 * version; write the new content to the temp file (and force it); write generation+1 to the lock
 * file; rename the temp file over the object; force the directory; only then return. So the object
 * file is always one complete version (readable with {@code cat}), and new content is never visible
 * under an old generation. See {@code docs/storage-file.md}.
 *
 * <p>Objects written only by {@link #put} (archive objects: written once, never replaced) get no
 * lock file: their version is derived from their file ({@link #put}), so no litter is left beside
 * them. The first create or replace of such an object gives it a lock file.
 */
public final class LocalFileStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFileStore.class);
  static final String LOCK_SUFFIX = ".casq-lock";
  static final String TEMP_SUFFIX = ".casq-tmp";

  /** Longest key segment in UTF-8 bytes, leaving room for the lock and temp file names. */
  static final int MAX_SEGMENT_BYTES = 240;

  private final Path root;
  private final boolean durable;

  private LocalFileStore(Path root, boolean durable) {
    this.root = root;
    this.durable = durable;
  }

  /**
   * Opens the store rooted at {@code directory}, which must exist and be a writable directory.
   *
   * @param fsync whether writes are forced to disk before they are acknowledged
   * @throws StoreConfigurationException if the directory cannot be used, with the reason
   */
  public static LocalFileStore open(Path directory, boolean fsync) {
    Path dir = directory.toAbsolutePath().normalize();
    if (!Files.exists(dir)) {
      Path missing = dir;
      while (missing.getParent() != null && !Files.exists(missing.getParent())) {
        missing = missing.getParent();
      }
      throw new StoreConfigurationException(
          "directory "
              + dir
              + " does not exist"
              + (missing.equals(dir) ? "" : " (" + missing + " is missing)")
              + "; create it first, e.g. mkdir -p "
              + dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new StoreConfigurationException(dir + " is not a directory");
    }
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      throw new StoreConfigurationException("cannot resolve directory " + dir + ": " + e, e);
    }
    if (!Files.isReadable(real) || !Files.isExecutable(real)) {
      throw new StoreConfigurationException(
          "directory "
              + real
              + " is not readable by this process (user "
              + System.getProperty("user.name")
              + "); check its permissions");
    }
    if (!Files.isWritable(real)) {
      throw new StoreConfigurationException(
          "directory "
              + real
              + " is not writable by this process (user "
              + System.getProperty("user.name")
              + "); the store writes the object, a lock file and a temp file there");
    }
    return new LocalFileStore(real, fsync);
  }

  /** The root directory (its real path). */
  public Path root() {
    return root;
  }

  /** Whether writes are forced to disk before they are acknowledged. */
  public boolean fsync() {
    return durable;
  }

  /** The file that holds the object {@code key}. */
  public Path pathOf(String key) {
    return files(key).object;
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Optional<VersionedBytes> read(String key) {
    ObjectFiles f = files(key);
    if (!Files.isDirectory(f.dir)) {
      return Optional.empty();
    }
    boolean exclusive = false;
    try {
      while (true) {
        ObjectLock lock = ObjectLock.acquire(f.lock, exclusive, exclusive);
        if (lock == null) {
          // an object written by a plain put has no lock file: its version is its file's identity
          Optional<VersionedBytes> plain = readWithoutLock(f);
          if (plain != null) {
            return plain;
          }
          continue; // it changed while being read, or a lock file appeared
        }
        try (lock) {
          Optional<byte[]> content = readContent(f.object);
          if (content.isEmpty()) {
            if (lock.exclusive() && lock.record().state() != LockRecord.State.LIVE) {
              lock.deleteLockFile(); // the object went away while we waited: leave no lock file
            }
            return Optional.empty();
          }
          if (lock.record().state() != LockRecord.State.LIVE) {
            if (!lock.exclusive()) {
              exclusive = true;
              continue;
            }
            LOG.debug("{}: first locked access to an object without a version", f.object);
            lock.write(LockRecord.live(fileIdentity(f.object), 0));
          }
          return Optional.of(new VersionedBytes(content.get(), lock.record().version()));
        }
      }
    } catch (IOException e) {
      throw new StorageException("could not read " + f.object + ": " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting to read " + f.object, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    int slash = prefix.lastIndexOf('/');
    String dirPart = prefix.substring(0, slash + 1);
    String namePrefix = prefix.substring(slash + 1);
    Path dir = root;
    if (!dirPart.isEmpty()) {
      ObjectKeys.validate(dirPart.substring(0, dirPart.length() - 1));
      for (String segment : dirPart.substring(0, dirPart.length() - 1).split("/")) {
        dir = dir.resolve(segment);
      }
    }
    List<String> keys = new ArrayList<>();
    try {
      walk(dir, dirPart, namePrefix, keys, true);
    } catch (IOException e) {
      throw new StorageException("could not list " + dir + ": " + reason(e), e);
    }
    keys.sort(null);
    return keys;
  }

  /** Adds the keys under {@code dir}; unreadable subdirectories (not {@code dir}) are skipped. */
  private void walk(Path dir, String keyPrefix, String namePrefix, List<String> out, boolean top)
      throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.startsWith(namePrefix) || isReserved(name)) {
          continue;
        }
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          walk(entry, keyPrefix + name + "/", "", out, false);
        } else if (Files.isRegularFile(entry) && isValidKey(keyPrefix + name)) {
          out.add(keyPrefix + name);
        }
      }
    } catch (NoSuchFileException vanished) {
      // removed while listing: it has no keys
    } catch (AccessDeniedException e) {
      if (top) {
        throw e;
      }
      LOG.debug("not listing {}: permission denied", dir);
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public Version create(String key, byte[] data) {
    ObjectFiles f = files(key);
    ensureDirectory(f, key);
    refuseDirectory(f, key);
    try (ObjectLock lock = lock(f, true)) {
      if (Files.isRegularFile(f.object)) {
        if (lock.record().state() != LockRecord.State.LIVE) {
          deleteLockFileQuietly(lock, f); // an object written by a plain put keeps none
        }
        throw new PreconditionFailedException("object already exists: " + key);
      }
      return commit(lock, f, data, key);
    }
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    LockRecord.checkVersion(expected);
    ObjectFiles f = files(key);
    if (!Files.isDirectory(f.dir)) {
      throw new PreconditionFailedException("object does not exist: " + key);
    }
    ObjectLock existing = lock(f, false);
    if (existing == null && !Files.isRegularFile(f.object)) {
      throw new PreconditionFailedException("object does not exist: " + key);
    }
    try (ObjectLock lock = existing != null ? existing : lock(f, true)) {
      if (!Files.isRegularFile(f.object)) {
        if (lock.record().state() != LockRecord.State.LIVE) {
          deleteLockFileQuietly(lock, f);
        }
        throw new PreconditionFailedException("object does not exist: " + key);
      }
      if (lock.record().state() != LockRecord.State.LIVE) {
        // written by a plain put (or never read through the store): its version is its identity
        LockRecord plain;
        try {
          plain = LockRecord.live(fileIdentity(f.object), 0);
        } catch (IOException e) {
          throw new StorageException("could not read " + f.object + ": " + reason(e), e);
        }
        if (!plain.matches(expected)) {
          deleteLockFileQuietly(lock, f);
          throw new PreconditionFailedException(
              "version mismatch for "
                  + key
                  + ": expected "
                  + expected
                  + ", found "
                  + plain.version());
        }
        try {
          lock.write(plain);
        } catch (IOException e) {
          throw new StorageException(
              "could not update the lock file "
                  + f.lock
                  + " ("
                  + reason(e)
                  + "); "
                  + key
                  + " is unchanged",
              e);
        }
      }
      if (!lock.record().matches(expected)) {
        throw new PreconditionFailedException(
            "version mismatch for "
                + key
                + ": expected "
                + expected
                + ", found "
                + (lock.record().state() == LockRecord.State.LIVE
                    ? lock.record().version()
                    : "an object not yet read through the store"));
      }
      return commit(lock, f, data, key);
    }
  }

  /**
   * Writes the object unconditionally. An object that has no lock file (the usual case: archive
   * objects are written once with put and never replaced) gets none: the content goes to a temp
   * file of its own, is forced, and is renamed over the object; its version is the identity of its
   * file (file key, modification time and size), which every later read derives the same way. An
   * object that has a lock file is written under its lock, as by {@link #replace}. A plain put is
   * not ordered against a create or replace of the same key running at the same moment in another
   * thread or process (casq never mixes them on one key).
   */
  @Override
  public Version put(String key, byte[] data) {
    ObjectFiles f = files(key);
    ensureDirectory(f, key);
    refuseDirectory(f, key);
    if (!Files.exists(f.lock, LinkOption.NOFOLLOW_LINKS)) {
      return putWithoutLock(f, data, key);
    }
    try (ObjectLock lock = lock(f, true)) {
      return commit(lock, f, data, key);
    }
  }

  private Version putWithoutLock(ObjectFiles f, byte[] data, String key) {
    Path temp =
        f.dir.resolve(
            "."
                + f.object.getFileName()
                + "."
                + Long.toHexString(ObjectLock.randomLong())
                + TEMP_SUFFIX);
    long identity;
    try {
      writeFile(temp, data);
      identity = fileIdentity(temp);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new StorageException(
          "could not write " + temp + " (" + reason(e) + "); " + key + " is unchanged", e);
    }
    try {
      Files.move(temp, f.object, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      boolean tempLeft = Files.exists(temp);
      deleteQuietly(temp);
      if (tempLeft) {
        throw new StorageException(
            "could not rename "
                + temp
                + " to "
                + f.object
                + " ("
                + reason(e)
                + "); "
                + key
                + " is unchanged",
            e);
      }
      throw new OutcomeUnknownException(
          "rename of "
              + temp
              + " to "
              + f.object
              + " failed ("
              + reason(e)
              + "); the write may have landed",
          e);
    }
    if (durable) {
      try {
        forceDirectory(f.dir);
      } catch (IOException e) {
        throw new OutcomeUnknownException(
            "wrote "
                + f.object
                + " but could not force its directory to disk ("
                + reason(e)
                + "); the write may not survive a crash",
            e);
      }
    }
    return LockRecord.live(identity, 0).version();
  }

  /**
   * Reads an object that has no lock file, with the version derived from its file. Returns null
   * when the file changed while it was read (read again).
   */
  private static Optional<VersionedBytes> readWithoutLock(ObjectFiles f) throws IOException {
    if (!Files.isRegularFile(f.object)) {
      return Files.exists(f.lock, LinkOption.NOFOLLOW_LINKS) ? null : Optional.empty();
    }
    long before;
    try {
      before = fileIdentity(f.object);
    } catch (NoSuchFileException e) {
      return Files.exists(f.lock, LinkOption.NOFOLLOW_LINKS) ? null : Optional.empty();
    }
    Optional<byte[]> content = readContent(f.object);
    long after;
    try {
      after = fileIdentity(f.object);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (content.isEmpty() || before != after) {
      return null;
    }
    return Optional.of(new VersionedBytes(content.get(), LockRecord.live(before, 0).version()));
  }

  /**
   * The identity of a file: its file key (device and inode), modification time and size, mixed into
   * 64 bits. A rename keeps it; any new content (always a new file here) changes it.
   */
  static long fileIdentity(Path file) throws IOException {
    java.nio.file.attribute.BasicFileAttributes a =
        Files.readAttributes(
            file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    long h = 0xcbf29ce484222325L;
    Object key = a.fileKey();
    String k = key != null ? key.toString() : file.toString();
    for (int i = 0; i < k.length(); i++) {
      h = (h ^ k.charAt(i)) * 0x100000001b3L;
    }
    h = mix(h ^ a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
    return mix(h ^ a.size());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", p, e.toString());
    }
  }

  private static void deleteLockFileQuietly(ObjectLock lock, ObjectFiles f) {
    try {
      lock.deleteLockFile();
    } catch (IOException e) {
      LOG.debug("{}: could not remove its lock file: {}", f.object, e.toString());
    }
  }

  @Override
  public void delete(String key) {
    ObjectFiles f = files(key);
    if (!Files.isDirectory(f.dir)) {
      return;
    }
    ObjectLock existing = lock(f, false);
    if (existing == null && !Files.isRegularFile(f.object)) {
      return;
    }
    try (ObjectLock lock = existing != null ? existing : lock(f, true)) {
      boolean existed = Files.isRegularFile(f.object) && Files.deleteIfExists(f.object);
      Files.deleteIfExists(f.temp);
      if (existed && durable) {
        forceDirectory(f.dir);
      }
      lock.deleteLockFile();
    } catch (IOException e) {
      throw new StorageException("could not delete " + f.object + ": " + reason(e), e);
    }
  }

  /**
   * Writes {@code data} as the next version of the object, holding its exclusive lock: temp file,
   * generation, rename, directory.
   */
  private Version commit(ObjectLock lock, ObjectFiles f, byte[] data, String key) {
    try {
      writeFile(f.temp, data);
    } catch (IOException e) {
      cleanUpFailedCreate(lock, f);
      throw new StorageException(
          "could not write " + f.temp + " (" + reason(e) + "); " + key + " is unchanged", e);
    }
    LockRecord next = lock.record().next(ObjectLock.randomLong());
    try {
      lock.write(next);
    } catch (IOException e) {
      throw new StorageException(
          "could not update the lock file "
              + f.lock
              + " ("
              + reason(e)
              + "); "
              + key
              + " is unchanged",
          e);
    }
    try {
      Files.move(f.temp, f.object, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (Files.exists(f.temp)) {
        throw new StorageException(
            "could not rename "
                + f.temp
                + " to "
                + f.object
                + " ("
                + reason(e)
                + "); "
                + key
                + " is unchanged",
            e);
      }
      throw new OutcomeUnknownException(
          "rename of "
              + f.temp
              + " to "
              + f.object
              + " failed ("
              + reason(e)
              + "); the write may have landed",
          e);
    }
    if (durable) {
      try {
        forceDirectory(f.dir);
      } catch (IOException e) {
        throw new OutcomeUnknownException(
            "wrote "
                + f.object
                + " but could not force its directory to disk ("
                + reason(e)
                + "); the write may not survive a crash",
            e);
      }
    }
    return next.version();
  }

  /** After a failed first write, removes the lock file it left so no litter remains. */
  private void cleanUpFailedCreate(ObjectLock lock, ObjectFiles f) {
    try {
      Files.deleteIfExists(f.temp);
      if (!Files.exists(f.object)) {
        lock.deleteLockFile();
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: clean-up after a failed write failed: {}", f.object, e.toString());
    }
  }

  private void writeFile(Path file, byte[] data) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (durable) {
        ch.force(true);
      }
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private ObjectLock lock(ObjectFiles f, boolean create) {
    try {
      return ObjectLock.acquire(f.lock, true, create);
    } catch (IOException e) {
      throw new StorageException("could not lock " + f.lock + ": " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(
          "interrupted while waiting for the lock of " + f.object + "; nothing was written", e);
    }
  }

  /** Creates the object's directory and any missing parents (forcing each new entry to disk). */
  private void ensureDirectory(ObjectFiles f, String key) {
    if (Files.isDirectory(f.dir)) {
      return;
    }
    List<Path> missing = new ArrayList<>();
    for (Path d = f.dir; !d.equals(root) && !Files.isDirectory(d); d = d.getParent()) {
      missing.add(0, d);
    }
    for (Path d : missing) {
      try {
        Files.createDirectory(d);
        if (durable) {
          forceDirectory(d.getParent());
        }
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(d)) {
          throw new StorageException(
              "cannot store " + key + ": " + d + " is a file (an object), not a directory");
        }
      } catch (IOException e) {
        throw new StorageException("could not create directory " + d + ": " + reason(e), e);
      }
    }
  }

  private static void refuseDirectory(ObjectFiles f, String key) {
    if (Files.isDirectory(f.object, LinkOption.NOFOLLOW_LINKS)) {
      throw new StorageException(
          "cannot store "
              + key
              + ": "
              + f.object
              + " is a directory (it holds the objects "
              + key
              + "/...)");
    }
  }

  private static Optional<byte[]> readContent(Path object) throws IOException {
    if (!Files.isRegularFile(object)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(object));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  // ------------------------------------------------------------------ keys and paths

  private record ObjectFiles(Path object, Path lock, Path temp, Path dir) {}

  private ObjectFiles files(String key) {
    ObjectKeys.validate(key);
    Path object = root;
    try {
      for (String segment : key.split("/")) {
        if (isReserved(segment)) {
          throw new IllegalArgumentException(
              "object key uses a name reserved for the store's own files (names starting with"
                  + " '.' and ending with "
                  + LOCK_SUFFIX
                  + " or "
                  + TEMP_SUFFIX
                  + "): "
                  + key);
        }
        if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
          throw new IllegalArgumentException(
              "object key has a segment longer than "
                  + MAX_SEGMENT_BYTES
                  + " bytes, too long for a file name: "
                  + key);
        }
        object = object.resolve(segment);
      }
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "object key '"
              + key
              + "' cannot be a file name here (file names are encoded as "
              + System.getProperty("sun.jnu.encoding")
              + "; run with a UTF-8 locale, e.g. LANG=C.UTF-8, to store such keys)",
          e);
    }
    Path dir = object.getParent();
    String name = object.getFileName().toString();
    return new ObjectFiles(
        object, dir.resolve("." + name + LOCK_SUFFIX), dir.resolve("." + name + TEMP_SUFFIX), dir);
  }

  /** Whether a file name is one of the store's own (lock or temp file). */
  static boolean isReserved(String name) {
    return name.startsWith(".") && (name.endsWith(LOCK_SUFFIX) || name.endsWith(TEMP_SUFFIX));
  }

  private static boolean isValidKey(String key) {
    try {
      ObjectKeys.validate(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + e.getMessage();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file: " + e.getMessage();
    }
    String msg = e.getMessage();
    return msg == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + msg;
  }

  // ------------------------------------------------------------------ the rest

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(Duration.ZERO, durable, Integer.MAX_VALUE - 16);
  }

  @Override
  public String describe() {
    return root.toUri().toString() + (durable ? "" : " (fsync off)");
  }
}
