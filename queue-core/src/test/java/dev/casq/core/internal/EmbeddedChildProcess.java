package dev.casq.core.internal;

import dev.casq.api.ClaimRequest;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A separate JVM that embeds the core on a shared object (used by {@link
 * MultiProcessEmbeddedTest}). {@code push URI TAG N}: pushes N jobs and prints "pushed <payload>"
 * for each acknowledged one. {@code work URI TAG}: claims and completes jobs until none is left;
 * prints "completed <id>".
 */
public final class EmbeddedChildProcess {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String uri = args[1];
    String tag = args[2];
    try (JobQueue q = JobQueue.open(uri, QueueOptions.defaults())) {
      if (mode.equals("push")) {
        int n = Integer.parseInt(args[3]);
        List<CompletableFuture<PushResult>> window = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String payload = "{\"from\":\"" + tag + "\",\"i\":" + i + "}";
          payloads.add(payload);
          window.add(q.push(PushRequest.of(payload)));
          if (window.size() == 50 || i == n - 1) {
            for (int k = 0; k < window.size(); k++) {
              window.get(k).get();
              System.out.println("pushed " + payloads.get(k));
            }
            window.clear();
            payloads.clear();
          }
        }
      } else {
        int idle = 0;
        while (idle < 3) {
          List<Job> jobs =
              q.claim(
                      new ClaimRequest(tag, Duration.ofMinutes(5), 20, null),
                      Duration.ofMillis(300))
                  .get();
          if (jobs.isEmpty()) {
            idle++;
            continue;
          }
          idle = 0;
          for (Job j : jobs) {
            q.complete(j.id(), j.lease().token(), null).get();
            System.out.println("completed " + j.id());
          }
        }
      }
    }
    System.out.flush();
  }
}
