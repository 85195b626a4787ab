package io.conversioni.delivery;

import io.conversioni.journal.TextRecordQueue;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.JsonTree;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dead-letter journal, {@code <data-dir>/delivery/deadletters} (a Chronicle queue): every message
 * that exhausted its attempts or was refused for good, with its last error; and a marker record for each
 * one later redelivered. Read by {@code conversioni deadletters}. One appending thread per process
 * (Chronicle lets a second process append beside a server); allocates.
 */
public final class DeadLetters implements AutoCloseable {
    /** A dead letter as listed: the message and when delivery gave up on it. */
    public record Letter(String id, String sink, String regola, String titolo, int attempts, String lastError,
                         long diedMillis, DeliveryItem item) {
    }

    private final TextRecordQueue queue;

    private DeadLetters(final TextRecordQueue queue) {
        this.queue = queue;
    }

    public static Path directory(final Path dataDir) {
        return dataDir.resolve("delivery").resolve("deadletters");
    }

    public static DeadLetters open(final Path dataDir) {
        return new DeadLetters(TextRecordQueue.open(directory(dataDir)));
    }

    /** For listing only (creates nothing); null when the data folder has no dead-letter journal yet. */
    public static DeadLetters openReadOnly(final Path dataDir) {
        final TextRecordQueue queue = TextRecordQueue.openReadOnly(directory(dataDir));
        return queue == null ? null : new DeadLetters(queue);
    }

    synchronized void add(final DeliveryItem item, final long atMillis) {
        queue.append(new JsonBuilder(1024).beginObject().instantField("morto_il", atMillis).rawField("consegna", item.toJson())
            .endObject().toString());
    }

    synchronized void markRedelivered(final String id, final long atMillis) {
        queue.append(new JsonBuilder(128).beginObject().field("riconsegnata", id).instantField("il", atMillis).endObject()
            .toString());
    }

    /** Dead letters not redelivered since, oldest first. */
    public synchronized List<Letter> list() {
        final Map<String, Letter> letters = new LinkedHashMap<>();
        final Set<String> redelivered = new HashSet<>();
        queue.forEach(text -> {
            if (!(JsonTree.parse(text) instanceof Map<?, ?> m)) {
                return;
            }
            if (m.get("riconsegnata") instanceof String id) {
                redelivered.add(id);
                letters.remove(id);
            } else if (m.get("consegna") instanceof Map<?, ?> c && m.get("morto_il") instanceof String died) {
                final DeliveryItem item = DeliveryItem.fromJson(c);
                redelivered.remove(item.id);
                letters.put(item.id, new Letter(item.id, item.sink, item.regola, item.titolo, item.attempts,
                    item.lastError, Instant.parse(died).toEpochMilli(), item));
            }
        });
        return new ArrayList<>(letters.values());
    }

    @Override
    public synchronized void close() {
        queue.close();
    }
}
