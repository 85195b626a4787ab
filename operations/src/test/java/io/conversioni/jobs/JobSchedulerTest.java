package io.conversioni.jobs;

import io.conversioni.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class JobSchedulerTest {
    private static boolean jobThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("conversioni-jobs") && t.isAlive());
    }

    @Test
    void shouldRunOnScheduleAndOnDemandRecordFailuresAndStopItsThreadOnClose() throws Exception {
        final CountDownLatch scheduledTwice = new CountDownLatch(2);
        final CountDownLatch failed = new CountDownLatch(1);
        final AtomicInteger external = new AtomicInteger();
        final AtomicInteger onDemand = new AtomicInteger();
        final CountDownLatch ranOnDemand = new CountDownLatch(1);
        try (JobScheduler jobs = new JobScheduler(System::currentTimeMillis)) {
            jobs.schedule("spesso", 20, 0, now -> {
                scheduledTwice.countDown();
                return "fatto";
            });
            jobs.schedule("rotto", 20, 0, now -> {
                failed.countDown();
                throw new IllegalStateException("CRM irraggiungibile");
            });
            jobs.schedule("raro", 3_600_000, 3_600_000, now -> {
                onDemand.incrementAndGet();
                ranOnDemand.countDown();
                return "a richiesta";
            });
            jobs.external("snapshot", () -> new JobStatus("snapshot", 300_000, 5, 10, "ok", null),
                () -> external.incrementAndGet() > 0);
            jobs.start();
            assertTrue(scheduledTwice.await(10, TimeUnit.SECONDS));
            assertTrue(failed.await(10, TimeUnit.SECONDS));
            assertTrue(jobs.runNow("raro"));
            assertTrue(ranOnDemand.await(10, TimeUnit.SECONDS));
            assertTrue(jobs.runNow("snapshot"));
            assertFalse(jobs.runNow("nessuno"));
            assertEquals(1, external.get());
            final List<JobStatus> statuses = jobs.statuses();
            assertEquals(List.of("spesso", "rotto", "raro", "snapshot"), statuses.stream().map(JobStatus::nome).toList());
            // a job's body returns before the scheduler records its outcome: wait for both records (bounded)
            Await.poll(Duration.ofSeconds(10), () -> jobs.statuses().get(1).esito().equals("errore")
                && !jobs.statuses().get(2).esito().equals("in_corso"));
            final JobStatus broken = jobs.statuses().get(1);
            assertEquals("CRM irraggiungibile", broken.lastError());
            assertTrue(broken.lastRunMillis() > 0);
            final JobStatus rare = jobs.statuses().get(2);
            assertEquals("ok: a richiesta", rare.esito());
            assertNull(rare.lastError());
            assertTrue(rare.nextRunMillis() > System.currentTimeMillis() + 3_000_000, "an extra run keeps the schedule");
            final String json = JobsJson.render(jobs.statuses());
            assertTrue(json.contains("{\"nome\":\"raro\",\"intervallo\":\"1h\",\"ultima_esecuzione\":\""), json);
            assertTrue(json.contains("{\"nome\":\"snapshot\",\"intervallo\":\"5m\",\"ultima_esecuzione\":"
                + "\"1970-01-01T00:00:00.005Z\",\"prossima_esecuzione\":\"1970-01-01T00:00:00.010Z\",\"esito\":\"ok\","
                + "\"ultimo_errore\":null}"), json);
            assertTrue(jobThreadAlive());
        }
        assertFalse(jobThreadAlive(), "close stops the job thread");
        assertEquals(1, onDemand.get());
    }
}
