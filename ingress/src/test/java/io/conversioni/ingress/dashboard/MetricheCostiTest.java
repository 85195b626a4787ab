package io.conversioni.ingress.dashboard;

import io.conversioni.config.EngineConfig;
import io.conversioni.json.JsonTree;
import io.conversioni.window.MetricheQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPA per canale, per campagna and per window in {@code /api/v1/metriche} with the shipped {@code costi.csv}
 * (every-day spend per canale), a campaign-only file in the older format, and a file with no rows; and the
 * {@code costi} note that says why CPA is empty and how to load costs. Over a real server and client.
 */
@Timeout(60)
class MetricheCostiTest {
    /** Two conversions on email, one demo request on sms, all in the same 5-minute window. */
    private static final Instant WHEN = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    static Path data;
    private static LiveServer live;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        live = new LiveServer(data.resolve("server"));
        token = live.token("test");
        post("CLIENTE-ITALIA-600001", "acquisto_concluso", "19.90", "email");
        post("CLIENTE-ITALIA-600002", "acquisto_concluso", "30.10", "email");
        post("CLIENTE-ITALIA-600003", "richiesta_demo", "0", "sms");
    }

    @AfterAll
    static void stop() {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void shouldGiveCpaPerCanaleFromTheShippedCostsOnAnyDay() throws Exception {
        final HttpResponse<String> r = live.get("/api/v1/metriche?per=canale&da=" + WHEN.minusSeconds(3600) + "&a="
            + WHEN.plusSeconds(3600), "Authorization", "Bearer " + token);
        assertEquals(200, r.statusCode(), r.body());
        final Map<?, ?> metriche = (Map<?, ?>) JsonTree.parse(r.body());
        final Map<?, ?> finestra = onlyWindow(metriche);
        final Map<String, Object> cpa = cpaByKey(finestra);
        // email: 480.00 a day is 1.666.. per 5 minutes, over 2 conversions = 0.83
        assertMoney("0.83", cpa.get("email"), r.body());
        assertEquals(JsonTree.NULL, cpa.get("sms"), "no conversion on sms, so no CPA: " + r.body());
        // the window: every canale's day (480 + 1440 + 360 + 144 = 2424.00) prorated, over 2 conversions = 4.21
        assertMoney("4.21", ((Map<?, ?>) finestra.get("totale")).get("cpa"), r.body());
        final Map<?, ?> costi = (Map<?, ?>) metriche.get("costi");
        assertEquals(Boolean.TRUE, costi.get("caricati"));
        assertEquals(JsonTree.NULL, costi.get("nota"), r.body());
        assertTrue(r.body().indexOf("\"costi\":") < r.body().indexOf("\"motore\":"), "motore stays last");
    }

    @Test
    void shouldKeepCampaignOnlyFilesWorkingAndSayWhyCpaPerCanaleIsEmpty() throws Exception {
        final Path costs = Files.writeString(data.resolve("campagne.csv"), "campagna,giorno,spesa\n"
            + "Campagna_Costi,*,2880.00\n");
        final MetricheQuery query = query("windows:\n  costs: " + costs.toAbsolutePath() + "\n");

        final Map<?, ?> perCanale = render(query, "canale");
        final Map<String, Object> canali = cpaByKey(onlyWindow(perCanale));
        assertEquals(JsonTree.NULL, canali.get("email"), perCanale.toString());
        assertMoney("5.00", ((Map<?, ?>) onlyWindow(perCanale).get("totale")).get("cpa"),
            "2880.00 a day is 10.00 per 5 minutes, over 2 conversions");
        final Map<?, ?> costi = (Map<?, ?>) perCanale.get("costi");
        assertEquals(Boolean.TRUE, costi.get("caricati"));
        assertTrue(String.valueOf(costi.get("nota")).startsWith("Nessuna spesa in costi.csv per i canali"),
            costi.toString());
        assertTrue(String.valueOf(costi.get("nota")).contains("canale,,giorno,spesa"), costi.toString());

        final Map<?, ?> perCampagna = render(query, "campagna");
        assertMoney("5.00", cpaByKey(onlyWindow(perCampagna)).get("Campagna_Costi"), perCampagna.toString());
        assertEquals(JsonTree.NULL, ((Map<?, ?>) perCampagna.get("costi")).get("nota"), perCampagna.toString());
    }

    @Test
    void shouldSayWhenTheCostsLoadedCoverNoneOfTheDaysShown() throws Exception {
        final Path costs = Files.writeString(data.resolve("2024.csv"), "canale,campagna,giorno,spesa\n"
            + "email,,2024-07-15,10.00\n,Campagna_Costi,2024-07-15,10.00\n");
        final MetricheQuery query = query("windows:\n  costs: " + costs.toAbsolutePath() + "\n");
        final Map<String, String> expected = Map.of("evento", "Nessuna spesa in costi.csv per i giorni mostrati",
            "canale", "Nessuna spesa in costi.csv per i canali", "campagna", "Nessuna spesa in costi.csv per le campagne");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            final Map<?, ?> metriche = render(query, e.getKey());
            assertEquals(JsonTree.NULL, ((Map<?, ?>) onlyWindow(metriche).get("totale")).get("cpa"), metriche.toString());
            final Map<?, ?> costi = (Map<?, ?>) metriche.get("costi");
            assertEquals(Boolean.TRUE, costi.get("caricati"));
            assertTrue(String.valueOf(costi.get("nota")).startsWith(e.getValue()), e.getKey() + ": " + costi);
        }
    }

    @Test
    void shouldSayThatNoCostsAreLoadedAndHowToLoadThem() throws Exception {
        final Path costs = Files.writeString(data.resolve("vuoto.csv"), "canale,campagna,giorno,spesa\n# nulla\n");
        final MetricheQuery query = query("windows:\n  costs: " + costs.toAbsolutePath() + "\n");
        for (String per : MetricheQuery.GROUPINGS) {
            final Map<?, ?> metriche = render(query, per);
            assertEquals(JsonTree.NULL, ((Map<?, ?>) onlyWindow(metriche).get("totale")).get("cpa"), metriche.toString());
            final Map<?, ?> costi = (Map<?, ?>) metriche.get("costi");
            assertEquals(Boolean.FALSE, costi.get("caricati"));
            final String nota = String.valueOf(costi.get("nota"));
            assertTrue(nota.startsWith("Nessun costo caricato") && nota.contains("costi.csv")
                && nota.contains("windows.costs"), nota);
        }
        final Map<?, ?> noWindows = (Map<?, ?>) JsonTree.parse(query.render(0, 300_000, "canale"));
        assertEquals(Boolean.FALSE, ((Map<?, ?>) noWindows.get("costi")).get("caricati"));
    }

    private static void assertMoney(final String expected, final Object actual, final String context) {
        assertTrue(actual instanceof BigDecimal && ((BigDecimal) actual).compareTo(new BigDecimal(expected)) == 0,
            "expected " + expected + " but was " + actual + ": " + context);
    }

    private static MetricheQuery query(final String yaml) throws Exception {
        return new MetricheQuery(live.engine.windows(), EngineConfig.parse(yaml, Path.of("..", "config")));
    }

    private static Map<?, ?> render(final MetricheQuery query, final String per) {
        return (Map<?, ?>) JsonTree.parse(query.render(WHEN.minusSeconds(3600).toEpochMilli(),
            WHEN.plusSeconds(3600).toEpochMilli(), per));
    }

    private static Map<?, ?> onlyWindow(final Map<?, ?> metriche) {
        final List<?> finestre = (List<?>) metriche.get("finestre");
        assertEquals(1, finestre.size(), metriche.toString());
        return (Map<?, ?>) finestre.get(0);
    }

    private static Map<String, Object> cpaByKey(final Map<?, ?> finestra) {
        final Map<String, Object> cpa = new HashMap<>();
        for (Object g : (List<?>) finestra.get("gruppi")) {
            cpa.put(String.valueOf(((Map<?, ?>) g).get("chiave")), ((Map<?, ?>) g).get("cpa"));
        }
        return cpa;
    }

    private static void post(final String cliente, final String evento, final String valore, final String canale)
        throws Exception {
        final String event = "{\"id_cliente\":\"" + cliente + "\",\"evento\":\"" + evento + "\",\"timestamp\":\""
            + WHEN + "\",\"valore\":" + valore + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Costi\"}}";
        final HttpResponse<String> r = live.postEvent(token, event);
        assertEquals(202, r.statusCode(), r.body());
    }
}
