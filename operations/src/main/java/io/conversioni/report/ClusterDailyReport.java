package io.conversioni.report;

import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.JsonTree;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster's daily report: the sum of the {@code eventi} of every node's report of the day. Each event of the
 * cluster is journaled by exactly one node (its partition's owner, or the node that received and rejected it), so
 * the sum counts what one node fed the same events counts. It lists the nodes whose reports it adds (name,
 * partitions, when each was written, whether partial), the partitions they cover and whether that is all of them
 * ({@code "completo"}); a node that owns nothing adds its rejections. Written by the elected node (the owner of
 * partition 0) as {@code <data-dir>/reports/cluster-YYYY-MM-DD.json}, through a temporary file and a rename.
 *
 * <p>{@code {"giorno","generato_il","parziale","completo","partizioni_coperte":[int],"partizioni_totali",
 * "nodi":[{"nodo","partizioni":[int],"generato_il","parziale"}],"eventi":{the sums of the nodes' "eventi"}}}.
 * Stateless; the job thread; allocates freely.
 */
public final class ClusterDailyReport {
    private ClusterDailyReport() {
    }

    /**
     * The cluster report of {@code day} from the nodes' report JSONs of that day (one per node, as each wrote it).
     *
     * @throws IllegalArgumentException when a report is not a node's report of {@code day}
     */
    public static String json(final String day, final List<String> nodeReports, final int partitionsTotal,
                              final long nowMillis) {
        final Map<String, Object> sums = new TreeMap<>();
        final TreeSet<Integer> covered = new TreeSet<>();
        final List<Map<?, ?>> nodes = new ArrayList<>();
        boolean partial = false;
        for (String text : nodeReports) {
            final Map<?, ?> report = (Map<?, ?>) JsonTree.parse(text);
            final Map<?, ?> copertura = (Map<?, ?>) report.get("copertura");
            if (!day.equals(report.get("giorno")) || copertura == null) {
                throw new IllegalArgumentException("not a cluster node's report of " + day + ": " + report.get("giorno"));
            }
            for (Object p : (List<?>) copertura.get("partizioni")) {
                covered.add(((Number) p).intValue());
            }
            partial |= Boolean.TRUE.equals(report.get("parziale"));
            nodes.add(report);
            add(sums, (Map<?, ?>) report.get("eventi"));
        }
        final JsonBuilder out = new JsonBuilder(1024).beginObject().field("giorno", day)
            .instantField("generato_il", nowMillis).field("parziale", partial)
            .field("completo", covered.size() == partitionsTotal).name("partizioni_coperte").beginArray();
        for (int p : covered) {
            out.value(p);
        }
        out.endArray().field("partizioni_totali", partitionsTotal).name("nodi").beginArray();
        for (Map<?, ?> report : nodes) {
            final Map<?, ?> copertura = (Map<?, ?>) report.get("copertura");
            out.beginObject().field("nodo", String.valueOf(copertura.get("nodo"))).name("partizioni").beginArray();
            for (Object p : (List<?>) copertura.get("partizioni")) {
                out.value(((Number) p).longValue());
            }
            out.endArray().field("generato_il", String.valueOf(report.get("generato_il")))
                .field("parziale", Boolean.TRUE.equals(report.get("parziale"))).endObject();
        }
        out.endArray();
        write(out.name("eventi"), sums);
        return out.endObject().toString() + "\n";
    }

    /** Writes the cluster report of {@code day} into {@code dir} as {@code cluster-YYYY-MM-DD.json}. */
    public static Path write(final Path dir, final String day, final String json) throws IOException {
        OwnerOnlyFiles.createDirectories(dir);
        final Path file = dir.resolve("cluster-" + day + ".json");
        OwnerOnlyFiles.writeAtomically(file, json.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    @SuppressWarnings("unchecked")
    private static void add(final Map<String, Object> sums, final Map<?, ?> counts) {
        for (Map.Entry<?, ?> e : counts.entrySet()) {
            final String key = String.valueOf(e.getKey());
            if (e.getValue() instanceof BigDecimal n) {
                sums.merge(key, n, (x, y) -> ((BigDecimal) x).add((BigDecimal) y));
            } else if (e.getValue() instanceof Map<?, ?> m) {
                add((Map<String, Object>) sums.computeIfAbsent(key, k -> new TreeMap<String, Object>()), m);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(final JsonBuilder out, final Map<String, Object> sums) {
        out.beginObject();
        for (Map.Entry<String, Object> e : sums.entrySet()) {
            if (e.getValue() instanceof BigDecimal n) {
                out.rawField(e.getKey(), n.toPlainString());
            } else {
                write(out.name(e.getKey()), (Map<String, Object>) e.getValue());
            }
        }
        out.endObject();
    }
}
