package io.conversioni.delivery;

import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.pipeline.Engine;
import io.conversioni.window.MetricheQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends each window's results, once it closes (the watermark passed its end), to the
 * {@code delivery.finestre_webhook} sink, as the {@code GET /api/v1/metriche} JSON of that one window
 * grouped per canale, through the delivery lanes (retries, dead letters). Empty windows are skipped; a
 * late revision of a window already sent is not sent again. The start of the last window handed over is
 * kept in {@code <data-dir>/delivery/finestre.last}, so a restart resumes there; a first start begins with
 * the windows that close from then on.
 *
 * <p>Threading: its own thread ({@code conversioni-finestre}), polling the watermark once a second and
 * reading windows through the store's consistent snapshots; never touches the pipeline. Allocates per window.
 */
public final class FinestreForwarder implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FinestreForwarder.class);
    private static final long POLL_MILLIS = 1_000;

    private final Engine engine;
    private final DeliveryService delivery;
    private final MetricheQuery query;
    private final Path stateFile;
    private final long windowMillis;
    private final Thread thread;
    private volatile boolean running = true;
    /** Start of the next window to send; Long.MIN_VALUE until the first watermark is seen. */
    private long nextStartMillis = Long.MIN_VALUE;
    /** Passes that saw a watermark and handed over everything closed by then (forwarder thread writes). */
    private volatile long looks;

    public FinestreForwarder(final Engine engine, final DeliveryService delivery, final Path dataDir) {
        this.engine = engine;
        this.delivery = delivery;
        this.query = new MetricheQuery(engine.windows(), engine.config());
        this.stateFile = dataDir.resolve("delivery").resolve("finestre.last");
        this.windowMillis = engine.windows().config().windowLengthMs();
        try {
            if (Files.exists(stateFile)) {
                nextStartMillis = Long.parseLong(Files.readString(stateFile, StandardCharsets.US_ASCII).trim()) + windowMillis;
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot read {} ({}); window results resume with the next window that closes", stateFile, e.getMessage());
        }
        this.thread = new Thread(this, "conversioni-finestre");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void run() {
        while (running) {
            try {
                forwardClosed();
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("forwarding window results failed; retrying in a second", e);
            }
        }
    }

    /** Hands over every window that closed since the last one sent. */
    void forwardClosed() {
        final long watermark = engine.windows().watermarkMillis();
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        final long closedEnd = Math.floorDiv(watermark, windowMillis) * windowMillis;
        if (nextStartMillis == Long.MIN_VALUE) {
            nextStartMillis = closedEnd;
            looks++;
            return;
        }
        final long horizon = engine.windows().config().horizonMs();
        nextStartMillis = Math.max(nextStartMillis, closedEnd - horizon);
        while (running && nextStartMillis + windowMillis <= closedEnd) {
            final long start = nextStartMillis;
            final String json = query.render(start, start + windowMillis, "canale");
            if (!json.contains("\"finestre\":[]")) {
                delivery.submitWindow(start, json);
            }
            nextStartMillis = start + windowMillis;
            remember(start);
        }
        looks++;
    }

    /**
     * How many times it has looked at the watermark and handed over every window closed by then: a test waits for
     * one more look instead of sleeping through the poll interval. Any thread.
     */
    public long looks() {
        return looks;
    }

    private void remember(final long start) {
        try {
            OwnerOnlyFiles.createDirectories(stateFile.getParent());
            OwnerOnlyFiles.writeAtomically(stateFile, Long.toString(start).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", stateFile, e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
