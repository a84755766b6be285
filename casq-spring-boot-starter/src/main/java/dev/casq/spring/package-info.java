/**
 * Spring Boot auto-configuration of a casq queue: {@link dev.casq.spring.CasqProperties} ({@code
 * casq.*}), the {@code Queue} bean, {@link dev.casq.spring.CasqHandler} beans run by a worker
 * ({@link dev.casq.spring.CasqWorkerLifecycle}), a health indicator and the Micrometer meters. See
 * docs/spring.md.
 */
package dev.casq.spring;
