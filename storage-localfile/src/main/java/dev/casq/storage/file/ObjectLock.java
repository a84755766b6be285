package dev.casq.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock of one object, held by this thread: an exclusive or shared {@link FileLock} on the
 * object's lock file (which excludes other processes) together with a JVM-wide mutex for the lock
 * file's path (which excludes other threads of this JVM: file locks belong to a process, and a JVM
 * must not take two of them on one file).
 *
 * <p>While it is held, the lock file is open through exactly one channel in this JVM, used by this
 * thread only, and closed on release. So closing it, or an interrupt that closes it, can only ever
 * drop this thread's own lock (a POSIX process loses all its locks on a file when any of its
 * descriptors of that file is closed).
 *
 * <p>A lock file is deleted together with its object. The deleter first writes a "dead" record,
 * then unlinks the file while still holding its lock. Whoever then acquires the lock on the
 * unlinked file reads "dead", lets go, and opens the path again. If the deleter crashed between the
 * two steps, the dead file stays linked: reading the same dead record (same random nonce) again
 * after re-opening the path proves it, and an exclusive holder revives the file.
 */
final class ObjectLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectLock.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ConcurrentHashMap<Path, Mutex> MUTEXES = new ConcurrentHashMap<>();
  private static final int MAX_REOPENS = 1000;

  private static final class Mutex {
    final ReentrantLock lock = new ReentrantLock();
    int users; // guarded by MUTEXES' bin lock (only changed inside compute)
  }

  private final Path lockFile;
  private final Mutex mutex;
  private final FileChannel channel;
  private final FileLock fileLock;
  private final boolean exclusive;
  private LockRecord record;
  private boolean released;

  private ObjectLock(
      Path lockFile,
      Mutex mutex,
      FileChannel channel,
      FileLock fileLock,
      boolean exclusive,
      LockRecord record) {
    this.lockFile = lockFile;
    this.mutex = mutex;
    this.channel = channel;
    this.fileLock = fileLock;
    this.exclusive = exclusive;
    this.record = record;
  }

  /** A random 64-bit number for incarnations and nonces. */
  static long randomLong() {
    return RANDOM.nextLong();
  }

  /**
   * Acquires the lock of the object whose lock file is {@code lockFile} (an absolute, normalized
   * path). With {@code create} false and no lock file, returns null and holds nothing. A shared
   * request may come back exclusive (when it had to repair a dead lock file).
   */
  static ObjectLock acquire(Path lockFile, boolean exclusive, boolean create)
      throws IOException, InterruptedException {
    Mutex mutex = enter(lockFile);
    try {
      Long lastDead = null;
      for (int attempt = 0; attempt < MAX_REOPENS; attempt++) {
        FileChannel channel;
        try {
          channel =
              create
                  ? FileChannel.open(
                      lockFile,
                      StandardOpenOption.READ,
                      StandardOpenOption.WRITE,
                      StandardOpenOption.CREATE)
                  : FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
          if (create) {
            throw e;
          }
          exit(lockFile, mutex);
          return null;
        }
        FileLock fileLock;
        LockRecord record;
        try {
          fileLock = channel.lock(0, Long.MAX_VALUE, !exclusive);
          record = readRecord(channel, lockFile);
        } catch (OverlappingFileLockException e) {
          closeQuietly(channel);
          throw new IOException(
              lockFile
                  + " is locked by another thread of this JVM under a different path (a"
                  + " symbolic link or bind mount inside the store's directory?)",
              e);
        } catch (IOException | RuntimeException e) {
          closeQuietly(channel);
          throw e;
        }
        if (record.state() != LockRecord.State.DEAD) {
          return new ObjectLock(lockFile, mutex, channel, fileLock, exclusive, record);
        }
        boolean leftOver = lastDead != null && lastDead == record.incarnation();
        if (leftOver && exclusive) {
          LOG.warn("{}: lock file of an interrupted delete found; reviving it", lockFile);
          ObjectLock held = new ObjectLock(lockFile, mutex, channel, fileLock, true, record);
          held.write(LockRecord.fresh());
          return held;
        }
        lastDead = record.incarnation();
        try {
          fileLock.release();
        } finally {
          closeQuietly(channel);
        }
        if (leftOver) {
          exclusive = true; // only an exclusive holder may repair it
          lastDead = null;
        }
      }
      throw new IOException(
          "the lock file "
              + lockFile
              + " was deleted and re-created "
              + MAX_REOPENS
              + " times while waiting for it");
    } catch (IOException | RuntimeException | Error e) {
      if (mutex.lock.isHeldByCurrentThread()) {
        exit(lockFile, mutex);
      }
      throw e;
    }
  }

  /** The record read when the lock was taken, or last written. */
  LockRecord record() {
    return record;
  }

  boolean exclusive() {
    return exclusive;
  }

  /**
   * Writes {@code next} over the record (exclusive holders only). The record is not forced to disk:
   * a version lives only in the memory of processes on this machine, so after a power loss, which
   * ends all of them, nobody holds an old version that a lost generation update could let win.
   * Within a running system the page cache makes the write visible to every process at once.
   */
  void write(LockRecord next) throws IOException {
    if (!exclusive) {
      throw new IllegalStateException("writing a lock record needs the exclusive lock");
    }
    ByteBuffer buf = ByteBuffer.wrap(next.encode());
    long position = 0;
    while (buf.hasRemaining()) {
      position += channel.write(buf, position);
    }
    if (channel.size() > LockRecord.SIZE) {
      channel.truncate(LockRecord.SIZE);
    }
    record = next;
  }

  /**
   * Marks the lock file dead and unlinks it, keeping the lock until {@link #close()}. Call after
   * the object itself was deleted.
   */
  void deleteLockFile() throws IOException {
    write(LockRecord.dead(randomLong()));
    Files.deleteIfExists(lockFile);
  }

  /** Releases the file lock, closes the lock file and leaves the JVM-wide mutex. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      if (channel.isOpen()) {
        fileLock.release();
      }
    } catch (IOException e) {
      LOG.debug(
          "{}: releasing the file lock failed (closing the file releases it): {}",
          lockFile,
          e.toString());
    } finally {
      closeQuietly(channel);
      exit(lockFile, mutex);
    }
  }

  private static LockRecord readRecord(FileChannel channel, Path lockFile) throws IOException {
    byte[] bytes = new byte[LockRecord.SIZE];
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      if (channel.read(buf, buf.position()) < 0) {
        break;
      }
    }
    if (!LockRecord.isReadable(bytes, buf.position())) {
      LOG.warn(
          "{}: lock file is damaged; treating it as new (older versions become stale)", lockFile);
    }
    return LockRecord.decode(bytes, buf.position());
  }

  private static Mutex enter(Path lockFile) throws InterruptedException {
    Mutex m =
        MUTEXES.compute(
            lockFile,
            (p, existing) -> {
              Mutex mutex = existing == null ? new Mutex() : existing;
              mutex.users++;
              return mutex;
            });
    try {
      m.lock.lockInterruptibly();
    } catch (InterruptedException e) {
      MUTEXES.computeIfPresent(lockFile, (p, mutex) -> --mutex.users == 0 ? null : mutex);
      throw e;
    }
    return m;
  }

  private static void exit(Path lockFile, Mutex m) {
    m.lock.unlock();
    MUTEXES.computeIfPresent(lockFile, (p, mutex) -> --mutex.users == 0 ? null : mutex);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a lock file failed: {}", e.toString());
    }
  }

  /** Number of lock files with a JVM-wide mutex in use (for tests: none leak). */
  static int mutexesInUse() {
    return MUTEXES.size();
  }
}
