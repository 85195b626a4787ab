package io.conversioni.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

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
    void shouldLoadTheExampleCostTableShippedInConfigWithSpendPerCanaleOnAnyDay() {
        final CostTable table = CostTable.load(Path.of("..", "config", "costi.csv"));
        assertTrue(table.spendCents("Campagna_Email_Verano2024", JULY_15) > 0);
        final long today = LocalDate.now(ZoneOffset.UTC).toEpochDay();
        for (String canale : List.of("email", "social_media", "webform", "sms")) {
            assertTrue(table.canaleSpendCents(canale, today) > 0, canale + " has no spend today");
        }
        assertTrue(table.totalSpendCents(today) > 0);
    }

    @Test
    void shouldApplyAnEveryDayRowToEachDayWithoutARowOfItsOwn() throws IOException {
        final CostTable table = parse("canale,campagna,giorno,spesa\n"
            + "email,,*,480.00\n"
            + "email,,2024-07-15,100.00\n"
            + "sms,,2024-07-15,50.00\n"
            + ",Campagna_A,*,10.00\n");
        assertEquals(10_000, table.canaleSpendCents("email", JULY_15), "the dated row wins on its day");
        assertEquals(48_000, table.canaleSpendCents("email", JULY_15 + 1));
        assertEquals(48_000, table.canaleSpendCents("email", 0), "any day, 1970 included");
        assertEquals(CostTable.UNKNOWN, table.canaleSpendCents("sms", JULY_15 + 1));
        assertEquals(CostTable.UNKNOWN, table.canaleSpendCents("webform", JULY_15));
        assertEquals(1_000, table.spendCents("Campagna_A", JULY_15));
        assertEquals(2, table.canaleCount());
        assertEquals(1, table.campaignCount());
        assertEquals(4, table.rowCount());
    }

    @Test
    void shouldTotalADayFromItsCanaliAndNeverAddTheCampaignViewOfTheSameMoney() throws IOException {
        final CostTable table = parse("canale,campagna,giorno,spesa\n"
            + "email,,*,480.00\n"
            + "email,,2024-07-15,100.00\n"
            + "sms,,2024-07-15,50.00\n"
            + "sms,,2024-07-16,70.00\n"
            + ",Campagna_A,*,10.00\n"
            + ",Campagna_B,2024-07-17,5.00\n");
        assertEquals(15_000, table.totalSpendCents(JULY_15), "email's dated 100.00 + sms 50.00");
        assertEquals(55_000, table.totalSpendCents(JULY_15 + 1), "email every day 480.00 + sms 70.00");
        assertEquals(48_000, table.totalSpendCents(JULY_15 + 2), "email's every-day spend; campaigns not added");
        final CostTable campaignsOnly = parse("canale,campagna,giorno,spesa\n"
            + ",Campagna_A,*,10.00\n,Campagna_B,2024-07-17,5.00\n");
        assertEquals(1_000, campaignsOnly.totalSpendCents(JULY_15));
        assertEquals(1_500, campaignsOnly.totalSpendCents(JULY_15 + 2));
        assertEquals(CostTable.UNKNOWN, CostTable.empty().totalSpendCents(JULY_15));
        assertEquals(0, CostTable.empty().rowCount());
    }

    @Test
    void shouldGiveCpaPerCanaleProratedToTheWindow() throws IOException {
        final CostTable table = parse("canale,campagna,giorno,spesa\nemail,,*,1440.00\n");
        assertEquals(250, table.canaleCpaCents("email", JULY_15_MILLIS + 60_000, 300_000, 2),
            "1440.00 EUR a day is 5.00 EUR per 5 minutes, over 2 conversions");
        assertEquals(WindowMetrics.NONE, table.canaleCpaCents("sms", JULY_15_MILLIS, 300_000, 2));
        assertEquals(WindowMetrics.NONE, table.canaleCpaCents("email", JULY_15_MILLIS, 300_000, 0));
    }

    @Test
    void shouldNameTheFileLineAndColumnOfEachKindOfBadRow() {
        final String header = "canale,campagna,giorno,spesa\n";
        final List<String> bad = List.of(
            "email,,2024-07-15,12.5|cost_table_bad_spend|4",
            "email,,ieri,12.50|cost_table_bad_day|3",
            "email,,2024-02-30,12.50|cost_table_bad_day|3",
            "fax,,*,12.50|cost_table_bad_canale|1",
            "email,Campagna_A,*,12.50|cost_table_bad_line|1",
            ",,*,12.50|cost_table_bad_line|1",
            "email,*,12.50|cost_table_bad_line|0");
        for (String row : bad) {
            final String[] parts = row.split("\\|");
            final CostTableException e = assertThrows(CostTableException.class, () -> CostTable.parse(
                new StringReader(header + "sms,,*,1.00\n" + parts[0] + "\n"), "config/costi.csv",
                List.of("email", "sms")), parts[0]);
            assertEquals(parts[1], e.code(), e.getMessage());
            assertEquals(3, e.lineNumber(), e.getMessage());
            assertEquals(Integer.parseInt(parts[2]), e.columnNumber(), e.getMessage());
            assertTrue(e.getMessage().startsWith(parts[1] + " config/costi.csv line 3"
                + (parts[2].equals("0") ? ":" : " column " + parts[2] + ":")), e.getMessage());
        }
    }

    @Test
    void shouldRefuseASecondEveryDayRowForTheSameCanale() {
        final CostTableException e = assertThrows(CostTableException.class, () -> parse(
            "canale,campagna,giorno,spesa\nemail,,*,1.00\n,email,*,2.00\nemail,,*,3.00\n"));
        assertEquals("cost_table_duplicate_row", e.code());
        assertEquals(4, e.lineNumber());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
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
        assertEquals("cost_table_bad_spend", e.code());
        assertEquals(3, e.lineNumber());
        assertTrue(e.getMessage().contains("costi.csv line 3 column 3"), e.getMessage());
        assertTrue(e.getMessage().contains("'12.5'"), e.getMessage());
    }

    @Test
    void shouldRejectImpossibleDaysWrongFieldCountsAndRepeatedRows() {
        assertEquals(2, assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-30,1.00\n")).lineNumber());
        assertEquals("cost_table_bad_line", assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-01\n")).code());
        assertEquals("cost_table_bad_spend", assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-01,-1.00\n")).code());
        final CostTableException repeated = assertThrows(CostTableException.class,
            () -> parse("campagna,giorno,spesa\nA,2024-02-01,1.00\n\nA,2024-02-01,2.00\n"));
        assertEquals(4, repeated.lineNumber());
        assertTrue(repeated.getMessage().contains("line 2"), repeated.getMessage());
        assertEquals("cost_table_bad_header", assertThrows(CostTableException.class,
            () -> parse("campaign,day,spend\n")).code());
    }
}
