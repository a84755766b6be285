package dev.casq.storage.file;

import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.tck.CasCounter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The program child JVMs run in the multi-process tests. Commands:
 *
 * <ul>
 *   <li>{@code increment DIR KEY WRITER COUNT FSYNC}: prints "ready", waits for "go" on stdin,
 *       increments the {@link CasCounter} in KEY COUNT times as WRITER, prints "done".
 *   <li>{@code create DIR KEY WRITER FSYNC}: prints "ready", waits for "go", tries to create KEY
 *       with content WRITER, prints "won" or "lost".
 *   <li>{@code write-forever DIR KEY SEED FSYNC}: replaces KEY with {@link ChecksummedRecord}s of
 *       growing sequence numbers in a CAS loop, printing "acked N" after each success, until
 *       killed.
 * </ul>
 */
public final class ChildMain {
  private ChildMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    LocalFileStore store =
        LocalFileStore.open(Path.of(args[1]), Boolean.parseBoolean(args[args.length - 1]));
    String key = args[2];
    switch (args[0]) {
      case "increment" -> {
        CasCounter counter = new CasCounter(store, key);
        out.println("ready");
        if (!"go".equals(in.readLine())) {
          throw new IllegalStateException("expected go");
        }
        CasCounter.Stats s = counter.increment(args[3], Integer.parseInt(args[4]));
        out.println("lost " + s.preconditionFailures());
        out.println("done");
      }
      case "create" -> {
        out.println("ready");
        if (!"go".equals(in.readLine())) {
          throw new IllegalStateException("expected go");
        }
        try {
          store.create(key, args[3].getBytes(StandardCharsets.UTF_8));
          out.println("won");
        } catch (PreconditionFailedException e) {
          out.println("lost");
        }
      }
      case "write-forever" -> {
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        while (true) {
          VersionedBytes current = store.read(key).orElseThrow();
          long seq = ChecksummedRecord.parse(current.data()).seq() + 1;
          byte[] next = ChecksummedRecord.of(seq, random.nextInt(512 * 1024), random).encode();
          try {
            Version v = store.replace(key, next, current.version());
            out.println("acked " + seq + " " + v);
          } catch (PreconditionFailedException e) {
            out.println("lost " + seq);
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }
}
