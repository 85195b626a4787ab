package io.conversioni.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * Time-to-insight, on its own thread beside the load: spread evenly over the run, it posts one valid event of a
 * campaign no other event uses ({@code insight-<run>-<n>}), then polls {@code GET /api/v1/metriche?per=campagna}
 * until that campaign's key appears, and records send-to-visible in its own histogram (microseconds). The POST goes to
 * the first {@code --url}, the polls to {@code --insight-url} (another node of a cluster: time to cluster-wide insight;
 * by default the same server), every {@code --insight-poll}; a sample not seen within {@code --insight-timeout} is "not
 * visible". One blocking keep-alive connection per server; interrupting the thread closes them. Allocates per sample (query strings, needles); it is
 * a few hundred samples, not the hot path. The server tracks a bounded number of campaigns
 * ({@code windows.campaign_capacity}, 1024 by default); samples beyond it land in "(altre)" and count as not visible.
 */
final class InsightProbe implements Runnable {
    private static final long HIGHEST_MICROS = 60_000_000L;

    private final LoadSettings settings;
    private final long startNanos;
    private final String runTag;
    private final RequestEncoder postEncoder;
    private final TrafficModel traffic;
    private final HttpResponseParser parser = new HttpResponseParser(true);
    private final ByteBuffer out = ByteBuffer.allocateDirect(8 * 1024);
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private final Histogram latencyMicros = new Histogram(HIGHEST_MICROS, 3);
    private final InetSocketAddress[] servers;
    /** One keep-alive connection per server: [0] the POSTs' ({@code --url}), [1] the polls' ({@code --insight-url}). */
    private final SocketChannel[] channels = new SocketChannel[2];
    private long notVisible;
    private long failed;
    private String lastError;

    InsightProbe(final LoadSettings settings, final long startNanos, final String runTag) {
        this.settings = settings;
        this.startNanos = startNanos;
        this.runTag = runTag;
        this.postEncoder = new RequestEncoder(settings.hostHeader, settings.token, false);
        this.traffic = new TrafficModel(settings.seed + 1, 0, 0, 0);
        this.servers = new InetSocketAddress[] {settings.target, settings.insightTarget};
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
            for (int i = 0; i < channels.length; i++) {
                channels[i] = open(servers[i]);
            }
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
            for (SocketChannel channel : channels) {
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (final IOException ignored) {
                        // The probe is done with it either way.
                    }
                }
            }
        }
    }

    private void sample(final String campagna) throws IOException, HttpResponseParser.ProtocolException {
        traffic.nextMarker(System.currentTimeMillis(), campagna);
        postEncoder.encodePost(out, traffic.body(), traffic.length());
        final long sentNanos = System.nanoTime();
        if (exchange(0) != 202) {
            failed++;
            lastError = "POST answered " + parser.status();
            return;
        }
        final byte[] needle = ("\"chiave\":\"" + campagna + "\"").getBytes(StandardCharsets.UTF_8);
        while (true) {
            final Instant now = Instant.now();
            postEncoder.encodeGet(out, RequestEncoder.METRICHE_PATH + "?per=campagna&da=" + now.minusSeconds(3600)
                + "&a=" + now.plusSeconds(3600));
            final int status = exchange(1);
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
            if (seenNanos - sentNanos > settings.insightTimeoutNanos) {
                notVisible++;
                return;
            }
            LockSupport.parkNanos(settings.insightPollNanos);
        }
    }

    private static SocketChannel open(final InetSocketAddress server) throws IOException {
        final SocketChannel channel = SocketChannel.open(server);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    /** Writes {@link #out} to server {@code s} (0: --url, 1: --insight-url), reads one whole response; returns its status. */
    private int exchange(final int s) throws IOException, HttpResponseParser.ProtocolException {
        final SocketChannel channel = channels[s];
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
                    channels[s] = open(servers[s]);
                }
                return parser.status();
            }
        }
    }
}
