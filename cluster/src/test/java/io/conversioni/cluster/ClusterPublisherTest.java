package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.Outcome;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receiving node's side of the data path against a real broker, with a real engine and its
 * {@link OwnerConsumer} (node "a", owning every partition) in the same JVM, and two receiving nodes ("b" and "c",
 * each a {@link ClusterPublisher}): a valid event comes back {@code accettato} with its window, the same event
 * through the other node {@code duplicato} naming the first; with the owner down, a hung broker or a dead one, the
 * caller is never made to wait and its request ends {@code NO_VERDICT} at the verdict timeout or
 * {@code UNAVAILABLE} at once; a late verdict is dropped and counted; once the broker is back both nodes work again
 * by themselves; and the engine counts each distinct event once across all of it.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPublisherTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final String ENGINE_YAML = "pipeline:\n  heartbeat: 60s\n  ring_size: 1024\n";
    /** Far below Kafka's 60 s default max.block.ms: a tryPublish that returns later than this has waited. */
    private static final long NO_WAIT_MS = 1_000;
    private static final long VERDICT_TIMEOUT_MS = 4_000;
    /** How late after the verdict timeout a NO_VERDICT may come on this loaded machine (the router sweeps every 50 ms). */
    private static final long EXPIRY_SLACK_MS = 3_000;
    private static final long WINDOW_MS = 300_000;
    private static final Pattern ESITO = Pattern.compile("\"esito\":\"(\\w+)\"");
    private static final Pattern SEQUENZA = Pattern.compile("\"sequenza\":(\\d+)");
    private static final Pattern DUPLICATO_DI = Pattern.compile("\"duplicato_di\":(\\d+)");
    private static final Pattern FINESTRA = Pattern.compile("\"finestra\":\"([^\"]+)\"");

    @TempDir
    static Path brokerFolder;
    @TempDir
    static Path data;
    private static KafkaBroker broker;
    private static ClusterSettings ownerSettings;
    private static Engine engine;
    private static OwnerConsumer owner;
    private static ClusterPublisher nodeB;
    private static ClusterPublisher nodeC;

    /** The id_cliente of every distinct event sent, each given a verdict in the end. */
    private static final Set<String> distinct = ConcurrentHashMap.newKeySet();
    /** Attempts that tryPublish refused: their listener must never be called. */
    private static final List<Attempt> refused = new ArrayList<>();
    private static final AtomicInteger endedTwice = new AtomicInteger();
    /** The first test's first event, sent again at the end. */
    private static String firstEvent;

    /** How one request ended, and when (nanoTime). */
    private record Ended(VerdictListener.Result result, int status, String answer, long atNanos) {
    }

    /** One call of tryPublish: whether it was taken, how long the call took, and its end. */
    private record Attempt(boolean published, long startNanos, long callMillis, CompletableFuture<Ended> end) {
        Ended await() throws Exception {
            return end.get(VERDICT_TIMEOUT_MS + EXPIRY_SLACK_MS + 10_000, TimeUnit.MILLISECONDS);
        }

        long endedAfterMillis(final Ended e) {
            return TimeUnit.NANOSECONDS.toMillis(e.atNanos() - startNanos);
        }
    }

    /** Completes the attempt's future; a second call for one request is counted (and fails the last test). */
    private static final VerdictListener LISTENER = (result, status, answer, attachment) -> {
        @SuppressWarnings("unchecked") final CompletableFuture<Ended> end = (CompletableFuture<Ended>) attachment;
        final Ended e = new Ended(result, status, answer == null ? null : new String(answer, StandardCharsets.UTF_8),
            System.nanoTime());
        if (!end.complete(e)) {
            endedTwice.incrementAndGet();
        }
    };

    private static ClusterSettings settings(final String node, final String owns) throws Exception {
        return ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  partitions: 3\n  node: " + node + "\n  owns: \"" + owns + "\"\n"
            + "  verdict_timeout: " + VERDICT_TIMEOUT_MS + "ms\n  producer_buffer: 1MiB\n  broker_timeout: 10s\n",
            "test.yaml").section("cluster"));
    }

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start(brokerFolder);
        ownerSettings = settings("a", "0-2");
        ClusterTopics.ensure(ownerSettings, 3_600_000);
        engine = Engine.create(EngineConfig.parse(ENGINE_YAML, CONFIG_DIR), data, System::currentTimeMillis);
        engine.start();
        owner = OwnerConsumer.start(ownerSettings, engine);
        nodeB = ClusterPublisher.start(settings("b", ""), 64);
        nodeC = ClusterPublisher.start(settings("c", ""), 64);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {nodeB, nodeC, owner, engine, broker}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new AssertionError("closing " + c, e);
                }
            }
        }
    }

    /** A valid event of client {@code n}, dated now (within the windows kept). */
    private static String event(final int n, final long timeMillis) {
        distinct.add(id(n));
        return "{\"id_cliente\":\"" + id(n) + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\""
            + Instant.ofEpochMilli(timeMillis) + "\",\"valore\":12.50,\"canale\":\"email\",\"stato\":\"completato\","
            + "\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    private static String id(final int n) {
        return String.format("CLIENTE-MILANO-%06d", n);
    }

    private static String idOf(final String body) {
        return group(Pattern.compile("\"id_cliente\":\"([^\"]+)\""), body);
    }

    /** One tryPublish through {@code node}, timed: it must never make its caller wait. */
    private static Attempt publish(final ClusterPublisher node, final String body) {
        final CompletableFuture<Ended> end = new CompletableFuture<>();
        final long start = System.nanoTime();
        final boolean taken = node.tryPublish(idOf(body).getBytes(StandardCharsets.UTF_8),
            body.getBytes(StandardCharsets.UTF_8), LISTENER, end);
        final long callMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(callMillis < NO_WAIT_MS, "tryPublish returned after " + callMillis + " ms");
        final Attempt a = new Attempt(taken, start, callMillis, end);
        if (!taken) {
            synchronized (refused) {
                refused.add(a);
            }
        }
        return a;
    }

    /** Publishes {@code body} through {@code node} as a client retrying after each 503 would, until a verdict comes. */
    private static Ended retryUntilVerdict(final ClusterPublisher node, final String body) {
        final Ended[] verdict = {null};
        final List<String> seen = new ArrayList<>();
        Await.until("a verdict for " + idOf(body), Duration.ofSeconds(90), () -> {
            final Attempt a = publish(node, body);
            if (!a.published()) {
                seen.add("refused");
                return false;
            }
            try {
                final Ended e = a.await();
                seen.add(e.result().toString());
                if (e.result() == VerdictListener.Result.VERDICT) {
                    verdict[0] = e;
                    return true;
                }
                return false;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, () -> seen.size() + " attempts, the last " + seen.subList(Math.max(0, seen.size() - 5), seen.size()));
        return verdict[0];
    }

    private static String group(final Pattern p, final String json) {
        final Matcher m = p.matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static void assertEsito(final String esito, final Ended e) {
        assertEquals(VerdictListener.Result.VERDICT, e.result(), String.valueOf(e));
        assertEquals(esito, group(ESITO, e.answer()), e.answer());
        assertEquals(202, e.status(), e.answer());
    }

    /** The first is accettato, or duplicato when an earlier attempt did reach the owner after all. */
    private static void assertCountedOnce(final Ended e) {
        assertEquals(VerdictListener.Result.VERDICT, e.result(), String.valueOf(e));
        final String esito = group(ESITO, e.answer());
        assertTrue("accettato".equals(esito) || "duplicato".equals(esito), e.answer());
    }

    /** A request that got no verdict ends NO_VERDICT at the verdict timeout, not before, and not much after. */
    private static void assertNoVerdictAtTheTimeout(final Attempt a) throws Exception {
        final Ended e = a.await();
        assertEquals(VerdictListener.Result.NO_VERDICT, e.result(), String.valueOf(e));
        assertEquals(503, e.status());
        assertNull(e.answer());
        final long after = a.endedAfterMillis(e);
        assertTrue(after >= VERDICT_TIMEOUT_MS && after < VERDICT_TIMEOUT_MS + EXPIRY_SLACK_MS,
            "ended " + after + " ms after the publish, the verdict timeout is " + VERDICT_TIMEOUT_MS + " ms");
    }

    @Test
    @Order(1)
    void shouldAnswerAcceptedWithItsWindowThenDuplicateWhenTheSameEventComesThroughAnotherNode() throws Exception {
        final long time = System.currentTimeMillis();
        final String first = event(1, time);
        firstEvent = first;

        final Ended accepted = publish(nodeB, first).await();
        assertEsito("accettato", accepted);
        assertEquals(Instant.ofEpochMilli(time - Math.floorMod(time, WINDOW_MS)).toString(),
            group(FINESTRA, accepted.answer()), "the event's 5-minute window: " + accepted.answer());

        final Ended duplicate = publish(nodeC, first).await();
        assertEsito("duplicato", duplicate);
        assertEquals(group(SEQUENZA, accepted.answer()), group(DUPLICATO_DI, duplicate.answer()), duplicate.answer());

        final List<Attempt> many = new ArrayList<>();
        for (int n = 2; n < 42; n++) {
            many.add(publish(n % 2 == 0 ? nodeB : nodeC, event(n, time)));
        }
        for (Attempt a : many) {
            assertTrue(a.published());
            assertEsito("accettato", a.await());
        }
        assertEquals(0, nodeB.lateVerdicts() + nodeC.lateVerdicts());
        assertEquals(0, nodeB.malformedVerdicts() + nodeC.malformedVerdicts());
    }

    @Test
    @Order(2)
    void shouldAnswerNoVerdictWhileTheOwnerIsDownDropLateVerdictsAndAnswerTheRetryDuplicate() throws Exception {
        owner.stop();
        final long time = System.currentTimeMillis();
        final String body = event(100, time);
        final Attempt a = publish(nodeB, body);
        assertTrue(a.published());
        final List<Attempt> more = new ArrayList<>();
        for (int n = 101; n < 164; n++) {
            more.add(publish(nodeB, event(n, time)));
        }
        assertTrue(more.stream().allMatch(Attempt::published), "64 requests waiting fill node b's 64 slots");
        assertFalse(publish(nodeB, body).published(), "a 65th is refused at once: the table never grows");
        assertNoVerdictAtTheTimeout(a);
        for (Attempt m : more) {
            assertNoVerdictAtTheTimeout(m);
        }

        final long lateBefore = nodeB.lateVerdicts();
        owner = OwnerConsumer.start(ownerSettings, engine); // resumes after its journal: reads the records now
        Await.until("the 64 verdicts that came too late dropped and counted", Duration.ofSeconds(30),
            () -> nodeB.lateVerdicts() == lateBefore + 64, () -> (nodeB.lateVerdicts() - lateBefore) + " late");

        assertEsito("duplicato", publish(nodeB, body).await()); // the retry: the first was journaled after all
    }

    @Test
    @Order(3)
    void shouldAnswerNoVerdictAtTheTimeoutWhileTheBrokerHangsWithoutMakingTheCallerWait() throws Exception {
        final String body = event(200, System.currentTimeMillis());
        broker.freeze();
        final Attempt a;
        try {
            a = publish(nodeB, body);
            assertTrue(a.published(), "the topic's metadata is known and the buffer has room");
            assertNoVerdictAtTheTimeout(a);
        } finally {
            broker.thaw();
        }
        assertCountedOnce(retryUntilVerdict(nodeB, body));
    }

    @Test
    @Order(4)
    void shouldAnswerUnavailableAtOnceWhileTheBrokerIsDownAndWorkAgainByItselfOnceItIsBack() throws Exception {
        final String body = event(300, System.currentTimeMillis());
        broker.kill();
        final List<Attempt> taken = new ArrayList<>();
        awaitRefusedAtOnce(nodeB, body, taken);
        awaitRefusedAtOnce(nodeC, body, taken);
        for (Attempt a : taken) {
            final Ended e = a.await();
            assertTrue(e.result() == VerdictListener.Result.UNAVAILABLE || e.result() == VerdictListener.Result.NO_VERDICT,
                String.valueOf(e));
            assertTrue(a.endedAfterMillis(e) < VERDICT_TIMEOUT_MS + EXPIRY_SLACK_MS, a.endedAfterMillis(e) + " ms");
        }

        broker.restart();
        assertCountedOnce(retryUntilVerdict(nodeB, body));
        assertEsito("duplicato", retryUntilVerdict(nodeC, firstEvent)); // the state is intact
    }

    /**
     * Publishes {@code body} through {@code node} until it is refused at once: until its producer notices that the
     * broker is gone, a record still goes into its buffer (those attempts are added to {@code taken}).
     */
    private static void awaitRefusedAtOnce(final ClusterPublisher node, final String body, final List<Attempt> taken) {
        Await.until("a publish refused at once", Duration.ofSeconds(30), () -> {
            final Attempt a = publish(node, body);
            if (a.published()) {
                taken.add(a);
            }
            return !a.published();
        });
    }

    @Test
    @Order(5)
    void shouldHaveCountedEachDistinctEventOnceAndEndedEveryRequestOnce() throws Exception {
        Await.until("the owner answered what it fed in", () -> owner.answered() == owner.published());
        assertEquals(distinct.size(), engine.counters().outcomes(Outcome.ACCEPTED), "accepted: " + distinct);
        assertTrue(engine.counters().outcomes(Outcome.DUPLICATE) >= 3, "the duplicates of events 1 and 100");
        assertEquals(0, engine.counters().outcomes(Outcome.REJECTED));
        assertEquals(0, endedTwice.get(), "a request ended twice");
        synchronized (refused) {
            assertFalse(refused.isEmpty());
            for (Attempt a : refused) {
                assertFalse(a.end().isDone(), "a refused publish had its listener called: " + a.end().getNow(null));
            }
        }
        assertEquals(0, nodeB.waiting() + nodeC.waiting(), "requests still waiting");
        assertNotNull(owner);
        assertNull(owner.failure());
    }
}
