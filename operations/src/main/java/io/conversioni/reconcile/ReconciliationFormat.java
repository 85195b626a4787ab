package io.conversioni.reconcile;

import io.conversioni.json.JsonBuilder;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link ReconciliationResult} as JSON (a contract: the job's log, the report and
 * {@code conversioni reconcile --format json}) or as a table for a person. Stateless; allocates the text.
 *
 * <p>JSON: {@code {"da","a","fonte","esito","finestre_confrontate","finestre_aperte","coppie_concordi",
 * "eventi_motore","eventi_crm","crm_non_confrontati","discordanze":[{"finestra","evento","canale",
 * "motore":{"conteggio","valore_totale","checksum"},"crm":{...},"mancanti":[event + "esito_motore"],
 * "in_piu":[event],"valore_diverso":[event + "valore_motore","valore_crm"]}]}}; an event is
 * {@code {"id_cliente","evento","canale","timestamp","valore","origine"}}.
 */
public final class ReconciliationFormat {
    private ReconciliationFormat() {
    }

    public static String json(final ReconciliationResult r) {
        final JsonBuilder out = new JsonBuilder(1024).beginObject();
        fields(out, r);
        return out.endObject().toString();
    }

    /** The run log's record: {@link #json(ReconciliationResult)} with a first field {@code "eseguita"}, the run's instant. */
    public static String json(final long ranAtMillis, final ReconciliationResult r) {
        final JsonBuilder out = new JsonBuilder(1024).beginObject().instantField("eseguita", ranAtMillis);
        fields(out, r);
        return out.endObject().toString();
    }

    private static void fields(final JsonBuilder out, final ReconciliationResult r) {
        out.instantField("da", r.fromMillis()).instantField("a", r.toMillis()).field("fonte", r.fonte())
            .field("esito", r.esito()).field("finestre_confrontate", r.windowsCompared())
            .field("finestre_aperte", r.openWindows()).field("coppie_concordi", r.matched().size())
            .field("eventi_motore", r.engineEvents()).field("eventi_crm", r.crmEvents())
            .field("crm_non_confrontati", r.crmOutside()).name("discordanze").beginArray();
        for (Mismatch m : r.mismatches()) {
            out.beginObject().field("finestra", m.key().finestra()).field("evento", m.key().evento())
                .field("canale", m.key().canale());
            tally(out.name("motore"), m.motore());
            tally(out.name("crm"), m.crm());
            out.name("mancanti").beginArray();
            for (Mismatch.Missing missing : m.mancanti()) {
                event(out.beginObject(), missing.event()).field("esito_motore", missing.esitoMotore()).endObject();
            }
            out.endArray().name("in_piu").beginArray();
            for (LedgerEvent e : m.inPiu()) {
                event(out.beginObject(), e).endObject();
            }
            out.endArray().name("valore_diverso").beginArray();
            for (Mismatch.ValueDifference d : m.valoreDiverso()) {
                event(out.beginObject(), d.crm()).moneyField("valore_motore", d.motore().valoreCents())
                    .moneyField("valore_crm", d.crm().valoreCents()).field("origine_motore", d.motore().origine())
                    .endObject();
            }
            out.endArray().endObject();
        }
        out.endArray();
    }

    public static String table(final ReconciliationResult r) {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append(String.format(Locale.ROOT, "riconciliazione %s .. %s (%s): %s%n", Instant.ofEpochMilli(r.fromMillis()),
            Instant.ofEpochMilli(r.toMillis()), r.fonte(), r.esito()));
        sb.append(String.format(Locale.ROOT, "  %d finestre chiuse confrontate, %d aperte saltate; %d coppie concordi, "
                + "%d discordi; eventi motore %d, CRM %d (%d non confrontati)%n", r.windowsCompared(), r.openWindows(),
            r.matched().size(), r.mismatches().size(), r.engineEvents(), r.crmEvents(), r.crmOutside()));
        if (r.mismatches().isEmpty()) {
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "%n%-21s %-20s %-13s %8s %12s %8s %12s%n", "finestra", "evento", "canale",
            "motore", "valore", "crm", "valore"));
        for (Mismatch m : r.mismatches()) {
            sb.append(String.format(Locale.ROOT, "%-21s %-20s %-13s %8d %12s %8d %12s%n", m.key().finestra(),
                m.key().evento(), m.key().canale(), m.motore().count(), money(m.motore().valueCents()), m.crm().count(),
                money(m.crm().valueCents())));
            for (Mismatch.Missing missing : m.mancanti()) {
                line(sb, "mancante ", missing.event(), missing.esitoMotore() == null ? "mai ricevuto dal motore"
                    : "motore: " + missing.esitoMotore());
            }
            for (LedgerEvent e : m.inPiu()) {
                line(sb, "in più   ", e, "non nel CRM");
            }
            for (Mismatch.ValueDifference d : m.valoreDiverso()) {
                line(sb, "valore   ", d.crm(), "motore " + money(d.motore().valoreCents()) + " (" + d.motore().origine()
                    + "), CRM " + money(d.crm().valoreCents()));
            }
        }
        return sb.toString();
    }

    private static void line(final StringBuilder sb, final String what, final LedgerEvent e, final String note) {
        sb.append("    ").append(what).append(' ').append(e.idCliente()).append(' ').append(e.evento()).append(' ')
            .append(e.canale()).append(' ').append(e.timestamp()).append(' ').append(money(e.valoreCents()))
            .append("  [").append(e.origine()).append("] ").append(note).append('\n');
    }

    private static void tally(final JsonBuilder out, final Tally t) {
        out.beginObject().field("conteggio", t.count()).moneyField("valore_totale", t.valueCents())
            .field("checksum", EventFingerprint.hex(t.checksum())).endObject();
    }

    /** An event's fields, inside an object the caller opened. */
    private static JsonBuilder event(final JsonBuilder out, final LedgerEvent e) {
        return out.field("id_cliente", e.idCliente()).field("evento", e.evento()).field("canale", e.canale())
            .instantField("timestamp", e.timestampMillis()).moneyField("valore", e.valoreCents())
            .field("origine", e.origine());
    }

    /** Exact cents with two decimals. */
    public static String money(final long cents) {
        final long a = Math.abs(cents);
        return (cents < 0 ? "-" : "") + a / 100 + "." + (a % 100 < 10 ? "0" : "") + a % 100;
    }

    /** The mismatches' keys, for logs. */
    public static List<String> keys(final ReconciliationResult r) {
        return r.mismatches().stream().map(m -> m.key().alertKey()).toList();
    }
}
