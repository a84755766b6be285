package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.JobFailure;
import dev.casq.api.LeasedJob;
import dev.casq.api.WorkerOptions;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.ClientWorker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code casq work}: runs a command for every job. */
@Command(
    name = "work",
    header = "Run a command for every job.",
    description =
        "Runs COMMAND once per job: the payload (JSON) goes to its stdin; exit status 0 completes"
            + " the job, any other fails the attempt with the tail of its stderr as the error"
            + " (retried with backoff while the job has attempts left). Leases are extended while"
            + " COMMAND runs. The job's id, attempt and type are in CASQ_JOB_ID, CASQ_JOB_ATTEMPT"
            + " and CASQ_JOB_TYPE, the queue name in CASQ_QUEUE. Runs until SIGTERM/Ctrl-C"
            + " (running jobs get the grace period, then are stopped and released) or"
            + " --max-jobs.")
final class WorkCommand implements Callable<Integer> {
  static final int STDERR_TAIL = 2000;

  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();
  @Mixin ClientOptions client = new ClientOptions();

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "1",
      description = "Jobs run at once. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(
      names = "--lease",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Lease asked for each job; renewed every third of it. Default: 30s.")
  Duration lease;

  @Option(
      names = "--worker-id",
      paramLabel = "ID",
      description = "Recorded in each lease. Default: host and process id.")
  String workerId;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only jobs of this type (repeatable). Default: any.")
  List<String> types = new ArrayList<>();

  @Option(
      names = "--poll-wait",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "How long one claim waits for a job (long poll). Default: ${DEFAULT-VALUE}.")
  Duration pollWait;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description =
          "On shutdown, how long running jobs may finish before they are stopped and"
              + " released. Default: ${DEFAULT-VALUE}.")
  Duration grace;

  @Option(
      names = "--max-jobs",
      paramLabel = "N",
      description = "Exit (status 0) after N jobs were run. Default: run until stopped.")
  Long maxJobs;

  private final AtomicReference<String> cannotRun = new AtomicReference<>();
  private final CountDownLatch done = new CountDownLatch(1);

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command and its arguments (put them after --).")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    // SIGTERM / Ctrl-C: stop claiming, give running commands the grace period, then close the
    // client, which drains and resigns the broker it hosts in this process, if any
    parent.stopSignal().onRequest(done::countDown);
    client.check(cmd, parent.env());
    if (concurrency < 1 || concurrency > 10_000) {
      throw new CommandLine.ParameterException(
          cmd, "--concurrency must be from 1 to 10000, got " + concurrency);
    }
    if (maxJobs != null && maxJobs < 1) {
      throw new CommandLine.ParameterException(cmd, "--max-jobs must be at least 1");
    }
    if (pollWait.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new CommandLine.ParameterException(cmd, "--poll-wait must be at most 60s");
    }
    // before any job is taken: a typo must not claim (and give back) a job
    String cannot = CommandCheck.problem(command.get(0), System.getenv("PATH"));
    if (cannot != null) {
      throw new CommandLine.ParameterException(cmd, "cannot run COMMAND " + cannot);
    }
    String id = workerId != null ? workerId : ManagementFactory.getRuntimeMXBean().getName();
    WorkerOptions options =
        new WorkerOptions(id, concurrency, lease, null, pollWait, grace, Set.copyOf(types));
    PrintWriter err = cmd.getErr();
    AtomicLong started = new AtomicLong();
    AtomicLong finished = new AtomicLong();
    try (CasqClient c = client.build(cmd, parent.env(), null)) {
      ClientQueue<JsonNode> queue = c.queue(JsonNode.class);
      ClientWorker<JsonNode> worker =
          queue.worker(
              job -> {
                if (maxJobs != null && started.incrementAndGet() > maxJobs) {
                  throw new InterruptedException("over --max-jobs: give the job back");
                }
                try {
                  runCommand(job, queue.name(), err);
                } finally {
                  if (maxJobs != null && finished.incrementAndGet() >= maxJobs) {
                    done.countDown();
                  }
                }
              },
              options);
      err.printf(
          "casq: worker %s runs `%s` for queue %s with concurrency %d%n",
          id, String.join(" ", command), queue.name(), concurrency);
      err.flush();
      try {
        done.await();
      } finally {
        worker.close();
      }
      err.printf(
          "casq: %d job(s) completed, %d failed, %d released%n",
          worker.completed(), worker.failed(), worker.released());
      err.flush();
    }
    if (cannotRun.get() != null) {
      throw new CliException(cannotRun.get());
    }
    return 0;
  }

  /** Runs the command for one job; throws {@link JobFailure} when it exits non-zero. */
  private void runCommand(LeasedJob<JsonNode> job, String queueName, PrintWriter err)
      throws IOException, InterruptedException, JobFailure {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("CASQ_JOB_ID", job.id());
    pb.environment().put("CASQ_JOB_ATTEMPT", Integer.toString(job.attempts()));
    pb.environment().put("CASQ_QUEUE", queueName);
    if (job.type() != null) {
      pb.environment().put("CASQ_JOB_TYPE", job.type());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      // not the job's fault: give it back and stop the worker
      cannotRun.compareAndSet(null, "cannot run " + command.get(0) + ": " + e.getMessage());
      done.countDown();
      throw new InterruptedException(cannotRun.get());
    }
    StderrTail tail = new StderrTail(p.getErrorStream(), err);
    tail.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(job.payloadJson().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the command did not read its stdin: that is its business
    }
    int code;
    try {
      code = p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      throw e;
    }
    tail.join(5_000);
    if (code != 0) {
      String t = tail.tail().strip();
      throw new JobFailure("exit status " + code + (t.isEmpty() ? "" : ": " + t));
    }
  }

  /** Copies the command's stderr to ours and keeps its last characters. */
  private static final class StderrTail extends Thread {
    private final InputStream in;
    private final PrintWriter err;
    private final StringBuilder tail = new StringBuilder();

    StderrTail(InputStream in, PrintWriter err) {
      super("casq-work-stderr");
      setDaemon(true);
      this.in = in;
      this.err = err;
    }

    @Override
    public void run() {
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          String s = new String(buf, 0, n, StandardCharsets.UTF_8);
          synchronized (this) {
            tail.append(s);
            if (tail.length() > STDERR_TAIL) {
              tail.delete(0, tail.length() - STDERR_TAIL);
            }
          }
          synchronized (err) {
            err.print(s);
            err.flush();
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }

    synchronized String tail() {
      return tail.toString();
    }
  }
}
