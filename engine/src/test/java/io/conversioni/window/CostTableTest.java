package io.conversioni.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;

class CostTableTest {
    static final long JULY_15 = LocalDate.of(2024, 7, 15).toEpochDay();
    static final long JULY_15_MILLIS = JULY_15 * WindowConfig.DAY_MS;

    static CostTable parse(final String text) throws IOException {
        return CostTable.parse(new StringReader(text), "costi.csv");
    }

    @Test
    void shouldParseSpendIntoExactCents() throws IOException {
        final CostTable table = parse("campagna,giorno,spesa\n"
            + "Campagna_Email_Verano2024,2024-07-15,1440.00\n"
            + "\n# comment\n"
            + "Campagna_SMS_Saldi2024,2024-07-15,0.07\n");
        assertEquals(144_000, table.spendCents("Campagna_Email_Verano2024", JULY_15));
        assertEquals(7, table.spendCents("Campagna_SMS_Saldi2024", JULY_15));
        assertEquals(144_007, table.totalSpendCents(JULY_15));
        assertEquals(CostTable.UNKNOWN, table.spendCents("Campagna_Email_Verano2024", JULY_15 + 1));
    }

    @Test
    void shouldLoadTheExampleCostTableShippedInConfig() {
        final CostTable table = CostTable.load(Path.of("..", "config", "costi.csv"));
        assertTrue(table.spendCents("Campagna_Email_Verano2024", JULY_15) > 0);
    }

    @Test
    void shouldProrateDailySpendToTheWindowForCpa() throws IOException {
        final CostTable table = parse("campagna,giorno,spesa\nCampagna_Email_Verano2024,2024-07-15,1440.00\n");
        final long fiveMinutes = 300_000;
        assertEquals(500, table.proratedSpendCents("Campagna_Email_Verano2024", JULY_15_MILLIS + 3_600_000, fiveMinutes),
            "1440.00 EUR a day is 5.00 EUR per 5 minutes");
        assertEquals(167, table.cpaCents("Campagna_Email_Verano2024", JULY_15_MILLIS, fiveMinutes, 3),
            "500 cents / 3 conversions = 166.67, rounded half up");
        assertEquals(WindowMetrics.NONE, table.cpaCents("Campagna_Email_Verano2024", JULY_15_MILLIS, fiveMinutes, 0),
            "no conversions: no CPA");
        assertEquals(WindowMetrics.NONE, table.cpaCents("Sconosciuta", JULY_15_MILLIS, fiveMinutes, 2),
            "unknown spend: no CPA, not zero");
    }

    @Test
    void shouldComputeCpaExactlyBeforeRoundingOnce() {
        assertEquals(1, WindowMetrics.cpaCents(431, 300_000, 1), "431 / 288 = 1.496 cents");
        assertEquals(2, WindowMetrics.cpaCents(433, 300_000, 1), "433 / 288 = 1.503 cents");
    }

    @Test
    void shouldNameTheLineOfASpendWithoutTwoDecimals() {
        final CostTableException e = assertThrows(CostTableException.class, () -> parse(
            "campagna,giorno,spesa\nA,2024-07-15,10.00\nB,2024-07-15,12.5\n"));
        assertEquals("COST_TABLE_BAD_SPEND", e.code());
        assertEquals(3, e.lineNumber());
        assertTrue(e.getMessage().contains("costi.csv line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("'12.5'"), e.getMessage());
    }

    @Test
    void shouldRejectImpossibleDaysWrongFieldCountsAndRepeatedRows() {
        assertEquals(2, assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-30,1.00\n")).lineNumber());
        assertEquals("COST_TABLE_BAD_LINE", assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-01\n")).code());
        assertEquals("COST_TABLE_BAD_SPEND", assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-01,-1.00\n")).code());
        final CostTableException repeated = assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-01,1.00\n\nA,2024-02-01,2.00\n"));
        assertEquals(4, repeated.lineNumber());
        assertTrue(repeated.getMessage().contains("line 2"), repeated.getMessage());
        assertEquals("COST_TABLE_BAD_HEADER", assertThrows(CostTableException.class,
            () -> parse("campaign,day,spend\n")).code());
    }
}
