package io.conversioni.event;

import io.conversioni.schema.CompiledSchema;
import io.conversioni.schema.SchemaException;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The user's event schema, compiled with the event fields bound, and checked at start-up to give the
 * engine what it needs: the six core fields required, {@code evento}/{@code canale}/{@code stato} as
 * enums of strings (their ordinals index the windows), {@code timestamp} as {@code format: date-time},
 * and {@code valore} constrained to whole cents. Immutable; share it, and give each thread its own
 * {@link EventDecoder}.
 */
public final class EventSchema {
    static final Map<String, Integer> BINDINGS = Map.of(
        "/id_cliente", ConversionEvent.ID_CLIENTE,
        "/evento", ConversionEvent.EVENTO,
        "/timestamp", ConversionEvent.TIMESTAMP,
        "/valore", ConversionEvent.VALORE,
        "/canale", ConversionEvent.CANALE,
        "/stato", ConversionEvent.STATO,
        "/metadati/campagna", ConversionEvent.CAMPAGNA,
        "/metadati/dispositivo", ConversionEvent.DISPOSITIVO,
        "/metadati/localita", ConversionEvent.LOCALITA);

    private static final List<String> CORE = List.of("id_cliente", "evento", "timestamp", "valore", "canale", "stato");
    private static final BigDecimal CENT = new BigDecimal("0.01");

    private final CompiledSchema schema;
    private final List<String> eventi;
    private final List<String> canali;
    private final List<String> stati;

    private EventSchema(final CompiledSchema schema) throws SchemaException {
        this.schema = schema;
        for (String field : CORE) {
            final CompiledSchema.FieldInfo info = schema.field(field);
            if (info == null || !info.required()) {
                throw new SchemaException(schema.source() + ": the engine needs \"" + field
                    + "\" declared under properties and listed in required");
            }
        }
        this.eventi = enumOf("evento");
        this.canali = enumOf("canale");
        this.stati = enumOf("stato");
        final CompiledSchema.FieldInfo ts = schema.field("timestamp");
        if (!ts.dateTime()) {
            throw new SchemaException(schema.source() + ": the engine needs \"timestamp\" to have \"format\": \"date-time\"");
        }
        final CompiledSchema.FieldInfo id = schema.field("id_cliente");
        if (!"string".equals(id.types())) {
            throw new SchemaException(schema.source() + ": the engine needs \"id_cliente\" to have \"type\": \"string\"");
        }
        final CompiledSchema.FieldInfo valore = schema.field("valore");
        final BigDecimal step = valore.multipleOf();
        if (step == null || step.divide(CENT).stripTrailingZeros().scale() > 0) {
            throw new SchemaException(schema.source() + ": the engine needs \"valore\" to have \"multipleOf\": 0.01"
                + " (or a multiple of it) so that money is stored exactly in cents");
        }
        if (!valore.types().equals("number") && !valore.types().equals("integer")) {
            throw new SchemaException(schema.source() + ": the engine needs \"valore\" to have \"type\": \"number\"");
        }
    }

    private List<String> enumOf(final String field) throws SchemaException {
        final List<String> values = schema.field(field).enumStrings();
        if (values.isEmpty()) {
            throw new SchemaException(schema.source() + ": the engine needs \"" + field
                + "\" to have an \"enum\" of strings (its values are the dimensions of the windows)");
        }
        return values;
    }

    public static EventSchema compile(final Path file) throws SchemaException {
        return new EventSchema(CompiledSchema.compile(file, BINDINGS));
    }

    public static EventSchema compile(final byte[] document, final String source) throws SchemaException {
        return new EventSchema(CompiledSchema.compile(document, BINDINGS, source));
    }

    public CompiledSchema compiled() {
        return schema;
    }

    /** The {@code evento} values in schema order: ordinal i names {@code eventi().get(i)}. */
    public List<String> eventi() {
        return eventi;
    }

    public List<String> canali() {
        return canali;
    }

    public List<String> stati() {
        return stati;
    }

    public EventDecoder newDecoder() {
        return new EventDecoder(schema.newValidator());
    }

    /** A decoder that refuses nesting deeper than {@code maxDepth} (code {@code max_depth}). */
    public EventDecoder newDecoder(final int maxDepth) {
        return new EventDecoder(schema.newValidator(maxDepth));
    }
}
