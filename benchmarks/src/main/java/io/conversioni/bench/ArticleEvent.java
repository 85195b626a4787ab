package io.conversioni.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The seed article's example event and the shipped schema, shared by the benchmarks. */
final class ArticleEvent {
    static final byte[] BODY = ("{\"id_cliente\": \"CLIENTE-ITALIA-789456\", \"evento\": \"richiesta_demo\", "
        + "\"timestamp\": \"2024-05-20T14:32:45.123Z\", \"valore\": 0.0, \"canale\": \"email\", \"stato\": \"completato\", "
        + "\"metadati\": { \"campagna\": \"Campagna_Email_Verano2024\", \"dispositivo\": \"iPad_pro\", \"localita\": \"Roma\" }}")
        .getBytes(StandardCharsets.UTF_8);

    private ArticleEvent() {
    }

    /** The shipped schema: from -Dconversioni.schema, else found by walking up from the working directory. */
    static Path schemaPath() {
        final String configured = System.getProperty("conversioni.schema");
        if (configured != null) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            final Path candidate = dir.resolve("config/schema/conversione.schema.json");
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("config/schema/conversione.schema.json not found; pass -Dconversioni.schema=FILE");
    }
}
