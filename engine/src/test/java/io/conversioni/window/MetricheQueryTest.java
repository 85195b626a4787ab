package io.conversioni.window;

import io.conversioni.config.EngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricheQueryTest {
    private static final long T0 = Instant.parse("2026-11-28T15:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;

    private List<String> renders(final String costsCsv) throws Exception {
        final Path costs = Files.writeString(dir.resolve("costi.csv"), costsCsv);
        final EngineConfig config = EngineConfig.parse("windows:\n  costs: " + costs.toAbsolutePath() + "\n",
            Path.of("..", "config"));
        final SingleWriterWindowStore store = new SingleWriterWindowStore(config.windows());
        final int estate = store.campaigns().idOf("Estate \"24\" é/€\n");
        final int autunno = store.campaigns().idOf("autunno");
        long sequence = 0;
        store.onEvent(sequence++, T0 + 1_000, T0 + 1_000, 0, 0, 0, estate, 1999, false);
        store.onEvent(sequence++, T0 + 2_000, T0 + 1_500, 1, 0, 0, estate, 5, false);
        store.onEvent(sequence++, T0 + 3_000, T0 + 2_000, 1, 1, 0, autunno, 123_456, false);
        store.onEvent(sequence++, T0 + 4_000, T0 + 3_000, 1, 1, 0, autunno, 123_456, true);
        store.onEvent(sequence++, T0 + 5_000, T0 + 4_000, 2, 3, 0, CampaignDictionary.NONE_ID, 0, false);
        store.onEvent(sequence++, T0 + 20 * MINUTE, T0 + 20 * MINUTE, 1, 0, 0, CampaignDictionary.NONE_ID, 7, false);
        store.onEvent(sequence++, T0 + 20 * MINUTE + 1, T0 + 60_000, 1, 0, 0, estate, 250, false);
        final MetricheQuery query = new MetricheQuery(store, config);
        final List<String> out = new ArrayList<>();
        for (String per : MetricheQuery.GROUPINGS) {
            out.add(query.render(T0 - 60 * MINUTE, T0 + 60 * MINUTE, per));
        }
        out.add(query.render(T0, T0 + 5 * MINUTE, "canale", "{\"latenza_insight_p50_us\":null}"));
        out.add(query.render(T0 + 120 * MINUTE, T0 + 180 * MINUTE, "campagna"));
        return out;
    }

    /**
     * The API's bytes, pinned: field order, money with two decimals, ratios, nulls, a campaign name that needs
     * escaping, each cost note, the server's {@code motore} object and an empty range, for every grouping.
     */
    @Test
    void shouldRenderThePinnedBytesForEveryGroupingAndCostNote() throws Exception {
        final List<String> all = new ArrayList<>(renders("canale,campagna,giorno,spesa\nemail,,*,480.00\n"
            + ",autunno,2026-11-28,12.34\n"));
        all.addAll(renders("canale,campagna,giorno,spesa\n"));
        all.addAll(renders("canale,campagna,giorno,spesa\nsms,,2020-01-01,1.00\n"));
        final List<String> golden;
        try (InputStream in = MetricheQueryTest.class.getResourceAsStream("/metriche/golden.txt")) {
            golden = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
        assertEquals(golden.size(), all.size());
        for (int i = 0; i < golden.size(); i++) {
            assertEquals(golden.get(i), all.get(i), "render " + i);
        }
    }
}
