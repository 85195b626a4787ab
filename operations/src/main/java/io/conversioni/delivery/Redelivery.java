package io.conversioni.delivery;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code conversioni deadletters redeliver}: one attempt for each selected dead letter through the sink
 * configured under its name now; a success is marked in the journal (the letter leaves the list), a failure
 * stays. Runs on the caller's thread; allocates.
 */
public final class Redelivery {
    /** What happened: letters tried, delivered, and an exit-worthy error when nothing could be tried. */
    public record Result(int tried, int delivered, String error) {
    }

    private Redelivery() {
    }

    public static Result run(final DeliveryConfig config, final Path dataDir, final String id, final PrintWriter out,
                             final PrintWriter err) {
        try (DeadLetters journal = DeadLetters.open(dataDir)) {
            final List<DeadLetters.Letter> letters = journal.list();
            int tried = 0;
            int delivered = 0;
            for (DeadLetters.Letter letter : letters) {
                if (id != null && !letter.id().equals(id)) {
                    continue;
                }
                tried++;
                final Sink sink = config.sink(letter.sink());
                if (sink == null) {
                    err.println(letter.id() + " not redelivered: sink '" + letter.sink()
                        + "' is not configured under delivery.sinks (pass the server's --config)");
                    continue;
                }
                try {
                    sink.send(letter.item());
                    journal.markRedelivered(letter.id(), System.currentTimeMillis());
                    delivered++;
                    out.println(letter.id() + " redelivered to " + letter.sink());
                } catch (DeliveryFailure f) {
                    err.println(letter.id() + " not redelivered to " + letter.sink() + ": " + f.getMessage());
                }
            }
            if (id != null && tried == 0) {
                return new Result(0, 0, "no dead letter with id " + id + " (./conversioni deadletters list)");
            }
            return new Result(tried, delivered, null);
        }
    }
}
