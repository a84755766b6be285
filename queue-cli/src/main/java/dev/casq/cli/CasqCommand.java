package dev.casq.cli;

import dev.casq.api.CasqException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code casq} command and what all its subcommands share. */
@Command(
    name = "casq",
    mixinStandardHelpOptions = true,
    versionProvider = CasqCommand.Version.class,
    description =
        "A durable, highly available job queue whose whole state is one JSON object on"
            + " compare-and-swap storage (file://, s3://, gs://).",
    footer = {
      "",
      "Environment: CASQ_STORE (default --store), CASQ_TOKEN (default --token),",
      "CASQ_BROKER (default --broker), CASQ_<STORE_PROPERTY> (e.g. CASQ_S3_ENDPOINT),",
      "CASQ_LISTEN and CASQ_ADVERTISE (defaults of casq broker --listen and --advertise).",
      "Exit codes: 0 ok, 1 error, 2 usage error."
    },
    subcommands = {
      BrokerCommand.class,
      PushCommand.class,
      WorkCommand.class,
      StatsCommand.class,
      JobsCommand.class,
      SchedulesCommand.class,
      InspectCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      SimulateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class CasqCommand implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log debug output and print stack traces of errors.")
  boolean verbose;

  private Map<String, String> env = Map.of();
  private StopSignal stop = StopSignal.manual();

  /** Builds the command line with its error handling; {@code env} replaces System.getenv(). */
  static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
    return commandLine(env, out, err, StopSignal.manual());
  }

  /** The same, with the signal that asks long-running commands to stop gracefully. */
  static CommandLine commandLine(
      Map<String, String> env, PrintWriter out, PrintWriter err, StopSignal stop) {
    CasqCommand root = new CasqCommand();
    root.env = Map.copyOf(env);
    root.stop = stop;
    CommandLine cl = new CommandLine(root);
    StatsCommand.describeDefaults(cl.getSubcommands().get("stats"));
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean verbose = root.verbose;
          commandLine.getErr().println("casq: " + oneLine(ex));
          if (verbose) {
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            commandLine.getErr().print(trace);
          }
          commandLine.getErr().flush();
          return 1;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("casq: " + ex.getMessage());
          c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
          c.getErr().flush();
          return 2;
        });
    return cl;
  }

  /** Asks long-running commands (broker, work, push) to stop gracefully: SIGTERM, Ctrl-C. */
  StopSignal stopSignal() {
    return stop;
  }

  /** The environment this command line runs with. */
  Map<String, String> env() {
    return env;
  }

  /** Without a subcommand: usage on stderr, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("casq: missing command");
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().flush();
    return 2;
  }

  /** An error as one line a person understands. */
  static String oneLine(Throwable ex) {
    Throwable t = ex;
    while ((t instanceof CompletionException
            || t instanceof ExecutionException
            || t instanceof CommandLine.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (t instanceof CasqException || t instanceof CliException) {
      return flatten(m);
    }
    if (t instanceof java.io.IOException || t instanceof java.io.UncheckedIOException) {
      return flatten(m == null ? t.toString() : m);
    }
    return "internal error: " + flatten(t.toString()) + " (run with --verbose for details)";
  }

  private static String flatten(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CasqCommand.class.getPackage().getImplementationVersion();
      return new String[] {"casq " + (v == null ? "(development build)" : v)};
    }
  }
}
