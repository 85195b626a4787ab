package io.conversioni.ingress.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.events.Event;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The keys at {@code auth.jwks_url}, fetched, cached and refreshed by the library's {@link JWKSourceBuilder}: the
 * set is kept {@link JwtSettings#jwksCacheTtlMillis()} and refreshed in the background ahead of its expiry (so a
 * key rotation needs no restart and a verified token whose key was removed is verified again within about one
 * cache time), and fetched again at once, rate-limited, when a token names a {@code kid} the set lacks. While the
 * URL cannot be reached, the last keys fetched keep serving (up to ten cache times). Only the RS256 and ES256 keys
 * of the set are used ({@link JwkPolicy}).
 *
 * <p>Threading: any thread; the library locks around a fetch. A cache miss whose set has expired (the background
 * refresh failed) or whose kid is unknown waits for the fetch, at most {@link JwtSettings#jwksTimeoutMillis()}
 * per connect and read. Allocation: the library's per call; a fetch parses the whole set. Two daemon threads
 * ({@code conversioni-jwks}) run the refreshes until {@link #close()}.
 */
final class JwksUrlKeys implements VerificationKeys {
    /** Largest JWKS document accepted. */
    static final int MAX_JWKS_BYTES = 256 * 1024;

    private final JWKSource<SecurityContext> source;
    private final ExecutorService refresher;
    private final ScheduledExecutorService scheduler;
    /** Written by whichever thread completes a fetch; read on every verified-token cache hit. */
    private volatile long generation;
    private List<JWK> lastKeys = List.of();

    JwksUrlKeys(final JwtSettings settings) {
        final long ttl = settings.jwksCacheTtlMillis();
        final int timeout = (int) settings.jwksTimeoutMillis();
        final ThreadFactory daemons = r -> {
            final Thread t = new Thread(r, "conversioni-jwks");
            t.setDaemon(true);
            return t;
        };
        this.refresher = Executors.newSingleThreadExecutor(daemons);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemons);
        this.source = JWKSourceBuilder.<SecurityContext>create(settings.jwksUrl(),
                new DefaultResourceRetriever(timeout, timeout, MAX_JWKS_BYTES))
            .cache(ttl, timeout)
            .refreshAheadCache(ttl / 4, this::onEvent, refresher, true, scheduler, true)
            .rateLimited(Math.min(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL, ttl / 2))
            .outageTolerant(true)
            .build();
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public List<JWK> candidates(final String kid) throws KeySourceException {
        final JWKMatcher matcher = kid == null ? new JWKMatcher.Builder().build()
            : new JWKMatcher.Builder().keyID(kid).build();
        return source.get(new JWKSelector(matcher), null);
    }

    /** A completed fetch whose keys differ from the last ones starts a new generation. */
    private synchronized void onEvent(final Event<CachingJWKSetSource<SecurityContext>, SecurityContext> event) {
        if (event instanceof CachingJWKSetSource.RefreshCompletedEvent) {
            final JWKSet set = ((CachingJWKSetSource.RefreshCompletedEvent<SecurityContext>) event).getJWKSet();
            if (set != null && !set.getKeys().equals(lastKeys)) {
                lastKeys = set.getKeys();
                generation++;
            }
        }
    }

    @Override
    public void close() {
        try {
            if (source instanceof Closeable) {
                ((Closeable) source).close();
            }
        } catch (IOException e) {
            // closing only stops executors; nothing to recover
        } finally {
            refresher.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "JwksUrlKeys[generation=" + generation + "]";
    }
}
