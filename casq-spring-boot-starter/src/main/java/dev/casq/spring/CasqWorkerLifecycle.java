package dev.casq.spring;

import dev.casq.api.JobHandlers;
import dev.casq.api.Queue;
import dev.casq.api.Worker;
import dev.casq.api.WorkerOptions;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the application's handlers with one worker for as long as the application context runs: the
 * worker starts when the context has refreshed, and stops when it closes, before the queue is
 * closed (lifecycle beans stop before singletons are destroyed). Its {@link #PHASE} is below the
 * web server's, so it stops after the server has stopped taking requests. Stopping takes no new job
 * and lets running handlers finish within the worker's shutdown grace ({@code
 * casq.worker.shutdown-grace}).
 */
public class CasqWorkerLifecycle implements SmartLifecycle {
  /** The phase: below the web server's, so the worker stops after the server. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger log = LoggerFactory.getLogger(CasqWorkerLifecycle.class);

  private final Queue<?> queue;
  private final JobHandlers handlers;
  private final WorkerOptions options;
  private Worker worker;

  /**
   * A worker, not yet started.
   *
   * @param queue the queue it claims from
   * @param handlers a handler per job type
   * @param options how it runs; checked against the handlers here
   * @throws IllegalArgumentException when the options name other types than the handlers
   */
  public CasqWorkerLifecycle(Queue<?> queue, JobHandlers handlers, WorkerOptions options) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.handlers = Objects.requireNonNull(handlers, "handlers");
    this.options = handlers.claimOptions(options);
  }

  /**
   * The handlers this worker runs.
   *
   * @return the handlers by type
   */
  public JobHandlers handlers() {
    return handlers;
  }

  /**
   * How the worker runs (with the handlers' types).
   *
   * @return the options
   */
  public WorkerOptions options() {
    return options;
  }

  /**
   * The running worker, for its counters.
   *
   * @return the worker, or null when it is not running
   */
  public synchronized Worker worker() {
    return worker;
  }

  @Override
  public synchronized void start() {
    if (worker == null) {
      worker = queue.worker(handlers, options);
      log.info(
          "casq worker {} started: types {}, concurrency {}",
          options.workerId(),
          handlers.types(),
          options.concurrency());
    }
  }

  @Override
  public synchronized void stop() {
    Worker w = worker;
    worker = null;
    if (w != null) {
      log.info(
          "casq worker {} stopping (shutdown grace {})",
          options.workerId(),
          options.shutdownGrace());
      w.close();
      log.info(
          "casq worker {} stopped: {} completed, {} failed, {} leases lost",
          options.workerId(),
          w.completed(),
          w.failed(),
          w.lost());
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return worker != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
