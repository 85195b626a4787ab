package io.conversioni.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.event.EventSchema;
import io.conversioni.schema.Violations;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Decode + validate of the seed article's event, single thread: conversioni's one-pass compiled
 * validator into a reused holder, against what people build instead (Jackson tree + networknt JSON
 * Schema with format assertions on), on the same bytes and the same schema file.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DecodeValidateBenchmark {
    private EventDecoder decoder;
    private final ConversionEvent event = new ConversionEvent();
    private final Violations violations = new Violations();
    private ObjectMapper jackson;
    private JsonSchema networknt;
    private byte[][] seeded;
    private long nextSeeded;

    @Setup
    public void setUp() throws Exception {
        decoder = EventSchema.compile(ArticleEvent.schemaPath()).newDecoder();
        if (!decoder.decode(ArticleEvent.BODY, 0, ArticleEvent.BODY.length, event, violations)) {
            throw new IllegalStateException("article event must be valid: " + violations);
        }
        seeded = SeededTraffic.bodies();
        for (byte[] body : seeded) {
            if (!decoder.decode(body, 0, body.length, event, violations)) {
                throw new IllegalStateException("seeded event must be valid: " + violations);
            }
        }
        jackson = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        networknt = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
            Files.readString(ArticleEvent.schemaPath()),
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        if (!networknt.validate(jackson.readTree(ArticleEvent.BODY)).isEmpty()) {
            throw new IllegalStateException("peer must accept the article event");
        }
    }

    /** conversioni: bytes → validated, bound {@link ConversionEvent}; 0 B/op. */
    @Benchmark
    public long conversioniDecodeValidate() {
        decoder.decode(ArticleEvent.BODY, 0, ArticleEvent.BODY.length, event, violations);
        return event.valoreCents() + event.timestampMillis() + violations.total();
    }

    /**
     * conversioni over the pipeline's {@link SeededTraffic} (4096 distinct bodies in turn: other lengths,
     * values and enum members each call), so that branch history learned from one repeated body does not
     * flatter the score as it does in {@link #conversioniDecodeValidate}.
     */
    @Benchmark
    public long conversioniDecodeValidateSeeded() {
        final byte[] body = seeded[(int) (nextSeeded++ & (SeededTraffic.BODIES - 1))];
        decoder.decode(body, 0, body.length, event, violations);
        return event.valoreCents() + event.timestampMillis() + violations.total();
    }

    /** Peer: Jackson tree + networknt validation (the tree is what the application would then read). */
    @Benchmark
    public int jacksonNetworkntDecodeValidate() throws Exception {
        final JsonNode tree = jackson.readTree(ArticleEvent.BODY);
        final Set<ValidationMessage> errors = networknt.validate(tree);
        return errors.size() + tree.size();
    }
}
