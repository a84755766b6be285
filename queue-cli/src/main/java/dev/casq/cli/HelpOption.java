package dev.casq.cli;

import picocli.CommandLine.Option;

/** {@code -h / --help} for a subcommand. */
final class HelpOption {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;
}
