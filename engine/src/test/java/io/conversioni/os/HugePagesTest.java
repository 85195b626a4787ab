package io.conversioni.os;

import org.agrona.BufferUtil;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

public class HugePagesTest {
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    @Test
    void aLargeBufferIsAlignedZeroedAndOnHugePages() throws IOException {
        assumeHugePagesCanCollapse();
        final int length = 3 * HugePages.HUGE_PAGE_BYTES + 4096;
        final ByteBuffer buffer = HugePages.allocateDirect(length);
        final long address = BufferUtil.address(buffer);
        assertEquals(length, buffer.capacity());
        assertEquals(0, address % HugePages.HUGE_PAGE_BYTES, "aligned to a huge page");
        for (int i = 0; i < length; i += 4096) {
            assertEquals(0, buffer.get(i), "zeroed at " + i);
        }
        // the three whole huge pages; the 4 KiB tail stays on small pages
        assertTrue(anonHugePagesKb(address) >= 3 * 2048, "AnonHugePages of the buffer's mapping");
    }

    @Test
    void adviseSaysWhetherTheRangeIsNowOnHugePages() throws IOException {
        assumeHugePagesCanCollapse();
        final ByteBuffer buffer = BufferUtil.allocateDirectAligned(2 * HugePages.HUGE_PAGE_BYTES, HugePages.HUGE_PAGE_BYTES);
        final long address = BufferUtil.address(buffer);
        buffer.put(0, (byte) 1); // touched on small pages first, as a zeroed direct buffer is
        assertTrue(HugePages.advise(address, 2 * HugePages.HUGE_PAGE_BYTES));
        assertTrue(anonHugePagesKb(address) >= 2 * 2048);
        assertEquals(1, buffer.get(0), "the bytes moved with the pages");
    }

    @Test
    void aSmallBufferIsCacheLineAlignedOnSmallPages() {
        final ByteBuffer buffer = HugePages.allocateDirect(64 * 1024);
        assertEquals(64 * 1024, buffer.capacity());
        assertEquals(0, BufferUtil.address(buffer) % 64);
        assertFalse(HugePages.advise(BufferUtil.address(buffer), 64 * 1024), "under one huge page: nothing to ask");
    }

    @Test
    void anUnalignedRangeIsRefused() {
        final ByteBuffer buffer = BufferUtil.allocateDirectAligned(3 * HugePages.HUGE_PAGE_BYTES, HugePages.HUGE_PAGE_BYTES);
        assertFalse(HugePages.advise(BufferUtil.address(buffer) + 4096, 2 * HugePages.HUGE_PAGE_BYTES));
    }

    /** Linux with transparent huge pages not off, 6.1 or newer (MADV_COLLAPSE): elsewhere huge pages come later or never. */
    public static void assumeHugePagesCanCollapse() throws IOException {
        assumeTrue(LibC.get() != null, "Linux only");
        assumeTrue(Files.isReadable(THP_ENABLED) && !Files.readString(THP_ENABLED).contains("[never]"),
            "transparent huge pages are off");
        final String[] version = System.getProperty("os.version").split("[.-]");
        final int major = Integer.parseInt(version[0]);
        final int minor = Integer.parseInt(version[1]);
        assumeTrue(major > 6 || major == 6 && minor >= 1, "MADV_COLLAPSE needs Linux 6.1");
    }

    /** AnonHugePages of the mapping of /proc/self/smaps that holds {@code address}, in kB. */
    public static long anonHugePagesKb(final long address) throws IOException {
        final List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (final String line : lines) {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = address >= start && address < end;
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return kb(line);
            }
        }
        throw new AssertionError("no mapping holds 0x" + Long.toHexString(address));
    }

    private static long kb(final String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
