package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.casq.api.JobFilter;
import dev.casq.api.JobInfo;
import dev.casq.api.JobPage;
import dev.casq.api.JobStatus;
import dev.casq.api.Queue;
import dev.casq.client.CasqClient;
import dev.casq.client.TakeoverPolicy;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code casq jobs list|get|retry|cancel|purge}: find a queue's jobs (live and archived) and act on
 * them, through the queue's broker.
 */
@Command(
    name = "jobs",
    header = "Find jobs (live and archived) and retry, cancel or purge them.",
    description =
        "Lists and shows a queue's jobs wherever they are (waiting, leased, finished, archived),"
            + " retries or purges dead jobs and cancels live ones, through the queue's broker.",
    subcommands = {
      JobsCommand.ListJobs.class,
      JobsCommand.GetJob.class,
      JobsCommand.RetryJobs.class,
      JobsCommand.CancelJobs.class,
      JobsCommand.PurgeJobs.class
    })
final class JobsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();

  /** Without a subcommand: usage on stderr, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println("casq jobs: missing command (list, get, retry, cancel, purge)");
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().flush();
    return 2;
  }

  /** What every jobs subcommand shares: how to reach the queue. */
  abstract static class JobsSubcommand implements Callable<Integer> {
    @ParentCommand JobsCommand jobs;
    @Spec CommandSpec spec;
    @Mixin HelpOption help = new HelpOption();
    @Mixin ClientOptions client = new ClientOptions();

    @Override
    public final Integer call() throws Exception {
      CommandLine cmd = spec.commandLine();
      client.check(cmd, jobs.parent.env());
      checkArguments(cmd);
      try (CasqClient c = client.build(cmd, jobs.parent.env(), TakeoverPolicy.NONE)) {
        return run(c.queue(JsonNode.class), cmd.getOut());
      }
    }

    /** Refuses wrong arguments before any I/O (exit 2). */
    void checkArguments(CommandLine cmd) {}

    abstract int run(Queue<JsonNode> q, PrintWriter out) throws Exception;
  }

  /** Filter options of list, retry and purge. */
  static final class FilterOptions {
    @Option(names = "--type", paramLabel = "TYPE", description = "Only jobs of this type.")
    String type;

    @Option(
        names = "--created-from",
        paramLabel = "INSTANT",
        description =
            "Only jobs pushed at or after this time (ISO-8601, e.g. 2026-01-31T12:00:00Z).")
    String createdFrom;

    @Option(
        names = "--created-to",
        paramLabel = "INSTANT",
        description = "Only jobs pushed before this time (ISO-8601).")
    String createdTo;

    JobFilter filter(CommandLine cmd, JobStatus status) {
      return new JobFilter(
          status,
          type,
          instant(cmd, "--created-from", createdFrom),
          instant(cmd, "--created-to", createdTo));
    }

    boolean any() {
      return type != null || createdFrom != null || createdTo != null;
    }

    private static Instant instant(CommandLine cmd, String option, String value) {
      if (value == null) {
        return null;
      }
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(
            cmd,
            "invalid value for "
                + option
                + ": '"
                + value
                + "' is not an ISO-8601 instant"
                + " such as 2026-01-31T12:00:00Z");
      }
    }
  }

  // ------------------------------------------------------------------ list

  @Command(
      name = "list",
      header = "List jobs, live and archived, oldest id first.",
      description =
          "Prints one line per job: id, status, type, attempts, push time, finish time and last"
              + " error. Prints the next page's cursor when there are more (or follow them all"
              + " with --all).")
  static final class ListJobs extends JobsSubcommand {
    @Mixin FilterOptions filter = new FilterOptions();

    @Option(
        names = "--status",
        paramLabel = "STATUS",
        description = "Only jobs with this status: queued, leased, completed, dead, cancelled.")
    String status;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "Jobs per page, 1 to 1000. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
        names = "--cursor",
        paramLabel = "CURSOR",
        description = "Start after this cursor (printed at the end of the previous page).")
    String cursor;

    @Option(names = "--all", description = "Follow the cursors to the last page.")
    boolean all;

    @Option(names = "--json", description = "Print one JSON object per job (JSON lines).")
    boolean json;

    private JobFilter jobFilter;

    @Override
    void checkArguments(CommandLine cmd) {
      if (limit < 1 || limit > 1000) {
        throw new CommandLine.ParameterException(
            cmd, "invalid value for --limit: must be from 1 to 1000, got " + limit);
      }
      jobFilter = filter.filter(cmd, status(cmd, status));
    }

    @Override
    int run(Queue<JsonNode> q, PrintWriter out) throws Exception {
      String next = cursor;
      int shown = 0;
      if (!json) {
        out.printf(
            "%-12s %-9s %-16s %-8s %-24s %-24s %s%n",
            "ID", "STATUS", "TYPE", "ATTEMPTS", "CREATED", "FINISHED", "LAST ERROR");
      }
      do {
        JobPage<JsonNode> page = q.list(jobFilter, next, limit);
        for (JobInfo<JsonNode> j : page.jobs()) {
          if (json) {
            out.println(JSON.writeValueAsString(jsonOf(j, false)));
          } else {
            out.printf(
                "%-12s %-9s %-16s %-8s %-24s %-24s %s%n",
                j.id(),
                j.status().name().toLowerCase(Locale.ROOT),
                orDash(j.type()),
                j.attempts() + "/" + j.maxAttempts(),
                j.createdAt(),
                j.finishedAt() == null ? "-" : j.finishedAt().toString(),
                j.lastError() == null ? "-" : oneLine(j.lastError(), 80));
          }
          shown++;
        }
        next = page.nextCursor();
      } while (all && next != null);
      if (!json) {
        out.println(
            shown
                + (shown == 1 ? " job" : " jobs")
                + (next == null ? "" : "; more after it: --cursor " + next));
      }
      out.flush();
      return 0;
    }
  }

  // ------------------------------------------------------------------ get

  @Command(
      name = "get",
      header = "Show one job wherever it is, with its payload and last error.",
      description = "Prints the job as JSON: status, attempts, last error, times, payload, result.")
  static final class GetJob extends JobsSubcommand {
    @Parameters(paramLabel = "ID", description = "The job id, e.g. j42.")
    String id;

    @Override
    int run(Queue<JsonNode> q, PrintWriter out) throws Exception {
      JobInfo<JsonNode> j = q.get(id);
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(jsonOf(j, true)));
      out.flush();
      return 0;
    }
  }

  // ------------------------------------------------------------------ retry, cancel, purge

  @Command(
      name = "retry",
      header = "Retry dead jobs: by id, or every dead job (--all) a filter takes.",
      description =
          "Puts dead jobs back in the queue, queued and ready now, with the same id and the"
              + " payload exactly as pushed, and no attempts made.")
  static final class RetryJobs extends JobsSubcommand {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Dead jobs to retry.")
    List<String> ids = new ArrayList<>();

    @Option(names = "--all", description = "Every dead job (that --type and --created-* take).")
    boolean all;

    @Mixin FilterOptions filter = new FilterOptions();

    @Override
    void checkArguments(CommandLine cmd) {
      byIdsOrAll(cmd, ids, all, filter);
    }

    @Override
    int run(Queue<JsonNode> q, PrintWriter out) {
      if (all) {
        int n = q.retry(filter.filter(spec.commandLine(), JobStatus.DEAD));
        out.println("retried " + n + (n == 1 ? " dead job" : " dead jobs"));
      } else {
        for (String id : ids) {
          q.retry(id);
          out.println("retried " + id + " (queued again)");
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "cancel",
      header = "Cancel live jobs (queued or leased) by id.",
      description =
          "A lease on a cancelled job becomes invalid; its worker can no longer finish it.")
  static final class CancelJobs extends JobsSubcommand {
    @Parameters(arity = "1..*", paramLabel = "ID", description = "Jobs to cancel.")
    List<String> ids = new ArrayList<>();

    @Override
    int run(Queue<JsonNode> q, PrintWriter out) {
      for (String id : ids) {
        q.cancel(id);
        out.println("cancelled " + id);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "purge",
      header = "Purge dead jobs: by id, or every dead job (--all) a filter takes.",
      description =
          "Purged jobs are no longer found by 'jobs get' or listed; their bytes stay in their"
              + " archive objects until your bucket's lifecycle rule deletes those.")
  static final class PurgeJobs extends JobsSubcommand {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Dead jobs to purge.")
    List<String> ids = new ArrayList<>();

    @Option(names = "--all", description = "Every dead job (that --type and --created-* take).")
    boolean all;

    @Mixin FilterOptions filter = new FilterOptions();

    @Override
    void checkArguments(CommandLine cmd) {
      byIdsOrAll(cmd, ids, all, filter);
    }

    @Override
    int run(Queue<JsonNode> q, PrintWriter out) {
      if (all) {
        int n = q.purge(filter.filter(spec.commandLine(), JobStatus.DEAD));
        out.println("purged " + n + (n == 1 ? " dead job" : " dead jobs"));
      } else {
        for (String id : ids) {
          q.purge(id);
          out.println("purged " + id);
        }
      }
      out.flush();
      return 0;
    }
  }

  // ------------------------------------------------------------------ helpers

  private static void byIdsOrAll(
      CommandLine cmd, List<String> ids, boolean all, FilterOptions filter) {
    if (all == !ids.isEmpty()) {
      throw new CommandLine.ParameterException(
          cmd, "give job ids, or --all (with --type / --created-from / --created-to to narrow it)");
    }
    if (!all && filter.any()) {
      throw new CommandLine.ParameterException(
          cmd, "--type, --created-from and --created-to go with --all, not with job ids");
    }
    filter.filter(cmd, JobStatus.DEAD); // checks the instants
  }

  private static JobStatus status(CommandLine cmd, String s) {
    if (s == null) {
      return null;
    }
    try {
      return JobStatus.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          cmd,
          "invalid value for --status: '" + s + "' (queued, leased, completed, dead, cancelled)");
    }
  }

  private static ObjectNode jsonOf(JobInfo<JsonNode> j, boolean payload) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", j.id());
    n.put("status", j.status().name().toLowerCase(Locale.ROOT));
    n.put("type", j.type());
    n.put("key", j.key());
    n.put("priority", j.priority());
    n.put("attempts", j.attempts());
    n.put("maxAttempts", j.maxAttempts());
    n.put("createdAt", j.createdAt().toString());
    n.put("runAt", j.runAt().toString());
    n.put("finishedAt", j.finishedAt() == null ? null : j.finishedAt().toString());
    n.put("lastError", j.lastError());
    n.put("leaseWorker", j.leaseWorker());
    n.put("leaseExpiresAt", j.leaseExpiresAt() == null ? null : j.leaseExpiresAt().toString());
    if (payload) {
      // as sent, byte for byte (no number rounded by a parse)
      n.putRawValue("payload", new RawValue(j.payloadJson()));
      if (j.resultJson() != null) {
        n.putRawValue("result", new RawValue(j.resultJson()));
      } else {
        n.putNull("result");
      }
    }
    return n;
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }

  private static String oneLine(String s, int max) {
    String flat = s.replaceAll("\\s+", " ").trim();
    return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
  }
}
