package io.conversioni.ingress.dashboard;

import io.conversioni.json.JsonTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium through the system chromedriver; Selenium Manager is never asked for a driver), against a real
 * server over HTTPS with its self-signed development certificate. Skipped, saying why, where either is
 * missing; {@code .ci/run} installs them. Screenshots go to {@code target/dashboard/}.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("conversioni.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("conversioni.chromium", "/usr/bin/chromium"));
    private static final Path SCREENSHOTS = Path.of("target", "dashboard");
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final List<String> CANALI = List.of("email", "social_media", "webform", "sms");
    private static final List<String> EVENTI = List.of("richiesta_demo", "acquisto_concluso", "iscrizione_evento",
        "cancello_abbandono");
    private static final List<String> CAMPAGNE = List.of("Campagna_Email_Autunno", "Campagna_Social_Natale",
        "Campagna_Webform_Demo");

    @TempDir
    static Path data;
    private static LiveServer live;
    private static ChromeDriverService service;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
            "dashboard browser test skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing "
                + "(apt-get install chromium chromium-driver; .ci/run installs them)");
        live = new LiveServer(data.resolve("server")); // the shipped config/costi.csv: spend per canale, any day
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
            .withLogOutput(OutputStream.nullOutputStream()).build();
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--ignore-certificate-errors", "--window-size=1280,800", "--hide-scrollbars", "--lang=it-IT",
            "--user-data-dir=" + Files.createDirectories(data.resolve("chromium")),
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(PATIENCE).scriptTimeout(PATIENCE);
        viewport(1280, 800, false);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (live != null) {
            live.close();
        }
    }

    @Test
    @Order(1)
    void shouldAskForATokenAndSayWhetherAPastedOneIsMalformedExpiredOrRefused() throws Exception {
        driver.get(live.base + "/");
        waitFor(() -> visible("accesso") && text("accesso-messaggio").contains("Incolla il token"));
        assertFalse(visible("contenuto"), "the metrics are shown without a token");
        assertEquals("token richiesto", text("stato"));

        paste("non-un-token");
        waitFor(() -> text("accesso-messaggio").contains("non è un token JWT valido"));

        paste(live.auth.issuer().issue("scaduto", System.currentTimeMillis() / 1000 - 7200, 3600));
        waitFor(() -> text("accesso-messaggio").contains("scaduto"));

        final String good = live.token("dashboard");
        final String forged = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        paste(forged);
        waitFor(() -> visible("accesso") && text("accesso-messaggio").contains("rifiutato"));
        assertNull(script("return sessionStorage.getItem('conversioni.token')"), "a refused token was kept");

        paste(live.auth.issuer().issue("solo-invio", System.currentTimeMillis() / 1000, 3600, "eventi:scrivi"));
        waitFor(() -> visible("accesso") && text("accesso-messaggio").contains("manca lo scope metriche:leggi"));
        assertNull(script("return sessionStorage.getItem('conversioni.token')"), "a token without the scope was kept");

        final List<String> unexpected = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            // the 401s and the 403 are the browser's own network log lines; anything else (a script error, CSP) is a bug
            if (e.getLevel().intValue() >= Level.WARNING.intValue()
                && !(e.getMessage().contains("/api/v1/metriche")
                    && (e.getMessage().contains("401") || e.getMessage().contains("403")))) {
                unexpected.add(e.getLevel() + " " + e.getMessage());
            }
        }
        assertEquals(List.of(), unexpected, "browser console");
    }

    @Test
    @Order(2)
    void shouldShowPostedEventsLiveWithoutReloadOrConsoleErrorsOnALaptopAndAPhone() throws Exception {
        driver.get(live.base + "/");
        final String token = live.token("dashboard");
        waitFor(() -> visible("accesso"));
        paste(token);
        waitFor(() -> "dal vivo".equals(text("stato")));
        waitFor(() -> text("finestra-titolo").contains("Nessun evento"));
        script("window.conversioniSenzaRicarica = 'sì'");

        final Traffic traffic = postTraffic(token);
        final long postedNanos = System.nanoTime();
        waitFor(() -> text("tot-accettati").equals(String.valueOf(traffic.accepted)));
        final long shownMillis = (System.nanoTime() - postedNanos) / 1_000_000;
        System.out.println("dashboard: the last event posted was on the page after " + shownMillis + " ms");
        assertTrue(shownMillis < 3_000, "the page took " + shownMillis + " ms to show new events");
        assertEquals("sì", script("return window.conversioniSenzaRicarica"), "the page was reloaded");
        // heartbeats move the watermark with the clock, so back-dated traffic is mostly late: the API is the oracle
        final Map<?, ?> totale = (Map<?, ?>) ((Map<?, ?>) JsonTree.parse(
            live.get("/api/v1/metriche", "Authorization", "Bearer " + token).body())).get("totale");
        assertEquals(traffic.accepted, count(totale.get("accettati")));
        assertEquals(DUPLICATES, count(totale.get("duplicati")));
        assertEquals(1, count(totale.get("rifiutati")));
        final String late = String.valueOf(count(totale.get("in_ritardo")));
        assertTrue(count(totale.get("in_ritardo")) >= 1, "the late event was not counted late");
        waitFor(() -> text("tot-conversioni").matches("[1-9][0-9.]*"));
        // the first screen speaks to marketing; engine words live in the collapsed operator panel
        final String firstScreen = String.valueOf(script("return document.getElementById('contenuto').innerText"))
            .toLowerCase(java.util.Locale.ROOT);
        for (String word : List.of("motore", "anello", "latenza")) {
            assertFalse(firstScreen.contains(word), "'" + word + "' on the first screen: " + firstScreen);
        }
        assertFalse(visible("mot-p50"), "the operator panel is open by default");
        driver.findElement(By.cssSelector("#operatore > summary")).click();
        waitFor(() -> text("tot-duplicati").equals(String.valueOf(DUPLICATES)) && text("tot-rifiutati").equals("1")
            && text("tot-ritardo").equals(late));
        waitFor(() -> text("mot-p50").matches(".*[0-9] [µm]s") && text("mot-p99").matches(".*[0-9] [µm]s")
            && !text("mot-anello").equals("–"));
        driver.findElement(By.cssSelector("#operatore > summary")).click();
        waitFor(() -> !visible("mot-p50"));

        final List<String> canali = firstColumn();
        assertFalse(canali.isEmpty(), "no groups in the table");
        assertTrue(CANALI.containsAll(canali), "table keys " + canali);
        assertTrue(text("kpi-cpa").contains("€"), "CPA of the window: " + text("kpi-cpa"));
        // with the shipped costs every canale has a spend today: each canale with a conversion shows its CPA
        final List<List<String>> rows = rows();
        assertTrue(rows.stream().anyMatch(r -> !r.get(2).equals("0")), "no conversion in the newest window: " + rows);
        for (List<String> row : rows) {
            assertTrue(row.get(2).equals("0") ? row.get(5).equals("–") : row.get(5).matches("[0-9.,]+[\\s\\u00a0]€"),
                "CPA of " + row.get(0) + " with " + row.get(2) + " conversions: '" + row.get(5) + "' in " + rows);
        }
        assertFalse(visible("costi-nota"), "a costs note while every canale has a spend: " + text("costi-nota"));
        assertTrue(driver.findElements(By.cssSelector("#grafico-finestre canvas")).size() == 1, "no window chart");

        // the real alert service behind /api/v1/allarmi: the duplicate spike is on the page (polled every 5 s)
        new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(100)).withMessage(DashboardBrowserTest::pageState)
            .until(d -> visible("allarmi") && text("allarmi-lista").contains("duplicati"));
        script("window.scrollTo(0, 0)");
        waitFor(() -> ((Number) script("return window.scrollY")).intValue() == 0);
        Files.write(SCREENSHOTS.resolve("dashboard-1280x800.png"), driver.getScreenshotAs(OutputType.BYTES));

        new Select(driver.findElement(By.id("per"))).selectByValue("evento");
        waitFor(() -> !firstColumn().isEmpty() && EVENTI.containsAll(firstColumn()));
        assertFalse(driver.findElement(By.cssSelector("#tabella-gruppi th:nth-child(6)")).isDisplayed(),
            "a CPA column per evento, where it is always empty");
        new Select(driver.findElement(By.id("per"))).selectByValue("campagna");
        waitFor(() -> !firstColumn().isEmpty() && CAMPAGNE.containsAll(firstColumn()));
        // the shipped costs have no spend for these campaigns: the page says so, and how to add it
        waitFor(() -> visible("costi-nota") && text("costi-nota").contains("costi.csv"));
        assertTrue(driver.findElement(By.cssSelector("#tabella-gruppi th:nth-child(6)")).isDisplayed());
        assertEquals("sì", script("return window.conversioniSenzaRicarica"));

        viewport(390, 844, true);
        waitFor(() -> ((Number) script("return document.querySelector('#grafico-gruppi canvas')"
            + ".getBoundingClientRect().right")).doubleValue() <= 390);
        final List<?> widths = (List<?>) script("return [document.documentElement.scrollWidth, "
            + "document.documentElement.clientWidth, document.body.scrollWidth, window.innerWidth]");
        assertEquals(390L, ((Number) widths.get(3)).longValue(), "viewport " + widths);
        assertTrue(((Number) widths.get(0)).longValue() <= ((Number) widths.get(1)).longValue()
            && ((Number) widths.get(2)).longValue() <= 390, "horizontal overflow at 390 px: " + widths);
        Files.write(SCREENSHOTS.resolve("dashboard-390.png"), driver.getScreenshotAs(OutputType.BYTES));
        viewport(1280, 800, false);

        final List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                errors.add(e.getLevel() + " " + e.getMessage());
            }
        }
        assertEquals(List.of(), errors, "browser console");
    }

    /** What {@link #postTraffic} sent, as the dashboard should count it. */
    private record Traffic(int accepted) {
    }

    /**
     * Seeded traffic over the last 55 minutes in time order (so windows close as it goes), then one re-delivery,
     * one invalid event and one late event for a closed window.
     */
    private static Traffic postTraffic(final String token) throws Exception {
        final Random random = new Random(8);
        final long now = System.currentTimeMillis();
        final int n = 60;
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // the last one is dated now, so the newest window (the one the page shows first) always has events
            final long t = now - 55 * 60_000L + i * (55 * 60_000L / (n - 1));
            final String evento = random.nextInt(10) < 3 ? "acquisto_concluso"
                : EVENTI.get(random.nextInt(EVENTI.size()));
            final String valore = evento.equals("acquisto_concluso")
                ? (20 + random.nextInt(280)) + "." + random.nextInt(10) + "0" : "0";
            final String event = event(String.format("CLIENTE-ITALIA-%06d", 100_000 + i), evento, t, valore,
                CANALI.get(random.nextInt(CANALI.size())), CAMPAGNE.get(random.nextInt(CAMPAGNE.size())));
            assertEquals(202, live.postEvent(token, event).statusCode(), event);
            sent.add(event);
        }
        for (int i = 0; i < DUPLICATES; i++) { // more than 3: the duplicati rule opens an alert
            final String again = live.postEvent(token, sent.get(n - 1)).body(); // dedupe keeps keys 2 windows
            assertTrue(again.contains("\"esito\":\"duplicato\""), again);
        }
        assertEquals(400, live.postEvent(token, sent.get(7).replace("\"canale\":\"", "\"canale\":\"fax")).statusCode());
        final String late = event("CLIENTE-ITALIA-999999", "acquisto_concluso", now - 40 * 60_000L, "99.00", "email",
            CAMPAGNE.get(0));
        assertEquals(202, live.postEvent(token, late).statusCode());
        return new Traffic(n + 1);
    }

    private static String event(final String cliente, final String evento, final long millis, final String valore,
                                final String canale, final String campagna) {
        return "{\"id_cliente\":\"" + cliente + "\",\"evento\":\"" + evento + "\",\"timestamp\":\""
            + Instant.ofEpochMilli(millis) + "\",\"valore\":" + valore + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"" + campagna + "\"}}";
    }

    private static int count(final Object jsonNumber) {
        return ((BigDecimal) jsonNumber).intValueExact();
    }

    private static void paste(final String token) {
        final WebElement field = driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        driver.findElement(By.cssSelector("#accesso-form button[type=submit]")).click();
    }

    /**
     * The group table's first column, read in one script: the page re-renders the table's rows on every poll, so
     * cells found by one WebDriver call can be gone by the next (StaleElementReferenceException).
     */
    private static List<String> firstColumn() {
        final List<String> keys = new ArrayList<>();
        final Object texts = script("return Array.from(document.querySelectorAll("
            + "'#tabella-gruppi tbody tr td:first-child')).map(td => td.innerText.trim())");
        for (Object text : (List<?>) texts) {
            keys.add(String.valueOf(text));
        }
        return keys;
    }

    /** The group table's cells, row by row, read in one script (see {@link #firstColumn()}). */
    private static List<List<String>> rows() {
        final List<List<String>> rows = new ArrayList<>();
        final Object cells = script("return Array.from(document.querySelectorAll('#tabella-gruppi tbody tr'))"
            + ".map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))");
        for (Object row : (List<?>) cells) {
            final List<String> texts = new ArrayList<>();
            for (Object cell : (List<?>) row) {
                texts.add(String.valueOf(cell));
            }
            rows.add(texts);
        }
        return rows;
    }

    private static void viewport(final int width, final int height, final boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
            Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    private static Object script(final String js) {
        return ((JavascriptExecutor) driver).executeScript(js);
    }

    private static String text(final String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private static boolean visible(final String id) {
        return driver.findElement(By.id(id)).isDisplayed();
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static final int DUPLICATES = 4;

    private static void waitFor(final Check check) {
        new WebDriverWait(driver, PATIENCE, Duration.ofMillis(50)).withMessage(DashboardBrowserTest::pageState).until(d -> {
            try {
                return check.holds();
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** What the page shows, for a failed wait's message. */
    private static String pageState() {
        final StringBuilder sb = new StringBuilder("the page shows:");
        for (String id : List.of("stato", "accesso-messaggio", "finestra-titolo", "kpi-conversioni", "kpi-cpa", "costi-nota",
            "tot-accettati", "tot-duplicati", "tot-rifiutati", "tot-ritardo", "mot-p50", "mot-p99", "mot-anello")) {
            try {
                sb.append(' ').append(id).append("=[").append(text(id)).append(']');
            } catch (RuntimeException e) {
                sb.append(' ').append(id).append("=?");
            }
        }
        return sb.toString();
    }
}
