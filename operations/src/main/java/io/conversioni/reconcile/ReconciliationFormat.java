package io.conversioni.reconcile;

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
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("{\"da\":\"").append(Instant.ofEpochMilli(r.fromMillis())).append("\",\"a\":\"")
            .append(Instant.ofEpochMilli(r.toMillis())).append("\",\"fonte\":").append(quote(r.fonte()))
            .append(",\"esito\":\"").append(r.esito()).append("\",\"finestre_confrontate\":").append(r.windowsCompared())
            .append(",\"finestre_aperte\":").append(r.openWindows()).append(",\"coppie_concordi\":")
            .append(r.matched().size()).append(",\"eventi_motore\":").append(r.engineEvents()).append(",\"eventi_crm\":")
            .append(r.crmEvents()).append(",\"crm_non_confrontati\":").append(r.crmOutside()).append(",\"discordanze\":[");
        for (int i = 0; i < r.mismatches().size(); i++) {
            final Mismatch m = r.mismatches().get(i);
            sb.append(i > 0 ? "," : "").append("{\"finestra\":\"").append(m.key().finestra()).append("\",\"evento\":")
                .append(quote(m.key().evento())).append(",\"canale\":").append(quote(m.key().canale()))
                .append(",\"motore\":");
            tally(sb, m.motore());
            sb.append(",\"crm\":");
            tally(sb, m.crm());
            sb.append(",\"mancanti\":[");
            for (int j = 0; j < m.mancanti().size(); j++) {
                final Mismatch.Missing missing = m.mancanti().get(j);
                event(sb.append(j > 0 ? "," : ""), missing.event());
                sb.setLength(sb.length() - 1);
                sb.append(",\"esito_motore\":").append(missing.esitoMotore() == null ? "null" : quote(missing.esitoMotore()))
                    .append('}');
            }
            sb.append("],\"in_piu\":[");
            for (int j = 0; j < m.inPiu().size(); j++) {
                event(sb.append(j > 0 ? "," : ""), m.inPiu().get(j));
            }
            sb.append("],\"valore_diverso\":[");
            for (int j = 0; j < m.valoreDiverso().size(); j++) {
                final Mismatch.ValueDifference d = m.valoreDiverso().get(j);
                event(sb.append(j > 0 ? "," : ""), d.crm());
                sb.setLength(sb.length() - 1);
                sb.append(",\"valore_motore\":").append(money(d.motore().valoreCents())).append(",\"valore_crm\":")
                    .append(money(d.crm().valoreCents())).append(",\"origine_motore\":").append(quote(d.motore().origine()))
                    .append('}');
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
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

    private static void tally(final StringBuilder sb, final Tally t) {
        sb.append("{\"conteggio\":").append(t.count()).append(",\"valore_totale\":").append(money(t.valueCents()))
            .append(",\"checksum\":\"").append(EventFingerprint.hex(t.checksum())).append("\"}");
    }

    private static StringBuilder event(final StringBuilder sb, final LedgerEvent e) {
        return sb.append("{\"id_cliente\":").append(quote(e.idCliente())).append(",\"evento\":").append(quote(e.evento()))
            .append(",\"canale\":").append(quote(e.canale())).append(",\"timestamp\":\"").append(e.timestamp())
            .append("\",\"valore\":").append(money(e.valoreCents())).append(",\"origine\":").append(quote(e.origine()))
            .append('}');
    }

    /** Exact cents with two decimals. */
    public static String money(final long cents) {
        final long a = Math.abs(cents);
        return (cents < 0 ? "-" : "") + a / 100 + "." + (a % 100 < 10 ? "0" : "") + a % 100;
    }

    /** A JSON string literal. */
    public static String quote(final String s) {
        return io.conversioni.json.JsonText.quote(s);
    }

    /** The mismatches' keys, for logs. */
    public static List<String> keys(final ReconciliationResult r) {
        return r.mismatches().stream().map(m -> m.key().alertKey()).toList();
    }
}
