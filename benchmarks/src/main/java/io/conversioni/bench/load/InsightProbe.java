package io.conversioni.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * Time-to-insight, on its own thread beside the load: spread evenly over the run, it posts one valid event of a
 * campaign no other event uses ({@code insight-<run>-<n>}), then polls {@code GET /api/v1/metriche?per=campagna}
 * until that campaign's key appears, and records send-to-visible in its own histogram (microseconds). One blocking
 * keep-alive connection; interrupting the thread closes it. Allocates per sample (query strings, needles); it is
 * a few hundred samples, not the hot path. The server tracks a bounded number of campaigns
 * ({@code windows.campaign_capacity}, 1024 by default); samples beyond it land in "(altre)" and count as not visible.
 */
final class InsightProbe implements Runnable {
    private static final long HIGHEST_MICROS = 60_000_000L;
    private static final long VISIBLE_TIMEOUT_NANOS = 2_000_000_000L;
    private static final long POLL_PAUSE_NANOS = 200_000L;

    private final LoadSettings settings;
    private final long startNanos;
    private final String runTag;
    private final RequestEncoder postEncoder;
    private final TrafficModel traffic;
    private final HttpResponseParser parser = new HttpResponseParser(true);
    private final ByteBuffer out = ByteBuffer.allocateDirect(8 * 1024);
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private final Histogram latencyMicros = new Histogram(HIGHEST_MICROS, 3);
    private SocketChannel channel;
    private long notVisible;
    private long failed;
    private String lastError;

    InsightProbe(final LoadSettings settings, final long startNanos, final String runTag) {
        this.settings = settings;
        this.startNanos = startNanos;
        this.runTag = runTag;
        this.postEncoder = new RequestEncoder(settings.hostHeader, settings.token, false);
        this.traffic = new TrafficModel(settings.seed + 1, 0, 0, 0);
    }

    /** Read only after the probe thread has been joined. */
    void reportInto(final LoadReport report) {
        report.insightMicros = latencyMicros;
        report.insightNotVisible = notVisible;
        report.insightFailed = failed;
        report.insightLastError = lastError;
    }

    @Override
    public void run() {
        final int samples = settings.insightSamples;
        final long deadline = startNanos + settings.durationNanos + settings.drainNanos;
        try {
            channel = SocketChannel.open(settings.target);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            for (int n = 0; n < samples && !Thread.currentThread().isInterrupted(); n++) {
                final long due = startNanos + (long) ((n + 0.5) * settings.durationNanos / samples);
                for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                    LockSupport.parkNanos(due - now);
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
                sample("insight-" + runTag + "-" + n);
            }
        } catch (final IOException | HttpResponseParser.ProtocolException e) {
            failed++;
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (final IOException ignored) {
                    // The probe is done with it either way.
                }
            }
        }
    }

    private void sample(final String campagna) throws IOException, HttpResponseParser.ProtocolException {
        traffic.nextMarker(System.currentTimeMillis(), campagna);
        postEncoder.encodePost(out, traffic.body(), traffic.length());
        final long sentNanos = System.nanoTime();
        if (exchange() != 202) {
            failed++;
            lastError = "POST answered " + parser.status();
            return;
        }
        final byte[] needle = ("\"chiave\":\"" + campagna + "\"").getBytes(StandardCharsets.UTF_8);
        while (true) {
            final Instant now = Instant.now();
            postEncoder.encodeGet(out, RequestEncoder.METRICHE_PATH + "?per=campagna&da=" + now.minusSeconds(3600)
                + "&a=" + now.plusSeconds(3600));
            final int status = exchange();
            final long seenNanos = System.nanoTime();
            if (status == 200 && parser.bodyContains(needle)) {
                latencyMicros.recordValue(Math.min(HIGHEST_MICROS, (seenNanos - sentNanos) / 1000));
                return;
            }
            if (status != 200) {
                failed++;
                lastError = "GET metriche answered " + status;
                return;
            }
            if (seenNanos - sentNanos > VISIBLE_TIMEOUT_NANOS) {
                notVisible++;
                return;
            }
            LockSupport.parkNanos(POLL_PAUSE_NANOS);
        }
    }

    /** Writes {@link #out}, reads one whole response; returns its status. */
    private int exchange() throws IOException, HttpResponseParser.ProtocolException {
        while (out.hasRemaining()) {
            channel.write(out);
        }
        parser.reset();
        while (true) {
            in.clear();
            if (channel.read(in) < 0) {
                throw new IOException("connection closed by the server");
            }
            in.flip();
            if (parser.feed(in)) {
                if (parser.closeAfter()) {
                    channel.close();
                    channel = SocketChannel.open(settings.target);
                }
                return parser.status();
            }
        }
    }
}
