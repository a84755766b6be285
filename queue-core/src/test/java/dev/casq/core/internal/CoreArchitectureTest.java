package dev.casq.core.internal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.casq.storage.StorageException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

/**
 * Rules of queue-core that the build's dependency rules (maven-enforcer) cannot see: time comes
 * from the injected clock, threads are owned by the few classes that run them, and the state
 * machine stays a pure function of (state, command, now).
 */
@AnalyzeClasses(packages = "dev.casq.core", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreArchitectureTest {

  /** Simulations and tests replace the clock; only option defaults name the system clock. */
  @ArchTest
  static final ArchRule theSystemClockIsOnlyADefault =
      noClasses()
          .that()
          .doNotHaveSimpleName("EngineOptions")
          .and()
          .doNotHaveSimpleName("Worker")
          .should()
          .callMethod(Clock.class, "systemUTC")
          .orShould()
          .callMethod(Clock.class, "systemDefaultZone")
          .because("time comes from the injected Clock (QueueOptions.Builder.clock)");

  @ArchTest
  static final ArchRule nothingReadsTheWallClockDirectly =
      noClasses()
          .should()
          .callMethod(Instant.class, "now")
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(LocalDateTime.class, "now")
          .orShould()
          .callMethod(OffsetDateTime.class, "now")
          .orShould()
          .callMethod(ZonedDateTime.class, "now")
          .because("time comes from the injected Clock, so a simulation decides what 'now' is");

  /**
   * The engine's commit and writer threads, the claim timer, the worker's own threads, and the pool
   * that reads key index objects at start (shut down before the read returns).
   */
  @ArchTest
  static final ArchRule threadsAreOwnedByTheEngineTheQueueAndTheWorker =
      noClasses()
          .that()
          .doNotHaveSimpleName("GroupCommitEngine")
          .and()
          .doNotHaveSimpleName("JobQueue")
          .and()
          .doNotHaveSimpleName("Worker")
          .and()
          .doNotHaveSimpleName("KeyIndexReads")
          .and()
          .doNotHaveSimpleName("JobHistory")
          .should()
          .callConstructor(Thread.class, Runnable.class, String.class)
          .orShould()
          .callConstructor(Thread.class, Runnable.class)
          .orShould()
          .callConstructor(Thread.class)
          .orShould()
          .callMethod(
              java.util.concurrent.Executors.class,
              "newSingleThreadScheduledExecutor",
              java.util.concurrent.ThreadFactory.class)
          .orShould()
          .callMethod(
              java.util.concurrent.Executors.class,
              "newSingleThreadExecutor",
              java.util.concurrent.ThreadFactory.class)
          .orShould()
          .callMethod(
              java.util.concurrent.Executors.class,
              "newFixedThreadPool",
              int.class,
              java.util.concurrent.ThreadFactory.class)
          .because("every thread casq starts has an owner that stops it on close");

  /**
   * The state machine and the state: no storage, no I/O, no threads, no logging. The one exception:
   * segments are read through the state's {@code SegmentSource}, and a due segment the store fails
   * to return is skipped until the next tick, so the state knows the store's exception type (and
   * nothing else of the store).
   */
  @ArchTest
  static final ArchRule theStateMachineIsPure =
      noClasses()
          .that()
          .haveSimpleName("QueueStateMachine")
          .or()
          .haveSimpleName("QueueState")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "dev.casq.storage..",
                      "java.io..",
                      "java.nio.file..",
                      "java.net..",
                      "java.util.concurrent..",
                      "org.slf4j..")
                  .and(
                      DescribedPredicate.not(
                          JavaClass.Predicates.equivalentTo(StorageException.class))))
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Thread.class)
          .because(
              "the state machine is a function of (state, command, now); only the commit loop"
                  + " reads, applies and writes");
}
