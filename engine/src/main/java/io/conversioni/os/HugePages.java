package io.conversioni.os;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

/**
 * Off-heap tables on transparent huge pages. A probe of the dedupe table lands on a random page of its 10 MiB
 * (megabytes more with a larger capacity); with 4 KiB pages nearly every probe misses the TLB, and in a virtual
 * machine each miss walks two page tables. On 2 MiB pages the whole table takes a handful of TLB entries
 * (docs/performance.md, "The dedupe table on huge pages").
 *
 * <p>How: the buffer is aligned to a huge page, then {@code madvise(MADV_HUGEPAGE)} marks its whole huge pages
 * (Linux's {@code transparent_hugepage} setting {@code madvise}, the common default, backs only marked memory)
 * and {@code madvise(MADV_COLLAPSE)} (Linux 6.1+) moves the zeroed pages onto huge pages at once; before 6.1 the
 * kernel's {@code khugepaged} does it in the background. Where the calls are missing or refused the buffer stays
 * on small pages and works the same. Any thread; allocates the buffer only.
 */
public final class HugePages {
    /** A transparent huge page on x86-64 and arm64 with 4 KiB base pages. */
    public static final int HUGE_PAGE_BYTES = 2 << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_COLLAPSE = 25;
    private static final int CACHE_LINE_BYTES = 64;

    private HugePages() {
    }

    /**
     * A zeroed direct buffer of {@code lengthBytes}, aligned to a cache line. One at least a huge page long is
     * aligned to a huge page and its whole huge pages are asked for huge pages ({@link #advise}); the buffer then
     * reserves up to one huge page more of direct memory, for the alignment.
     */
    public static ByteBuffer allocateDirect(final int lengthBytes) {
        if (lengthBytes < HUGE_PAGE_BYTES) {
            return BufferUtil.allocateDirectAligned(lengthBytes, CACHE_LINE_BYTES);
        }
        final ByteBuffer buffer = BufferUtil.allocateDirectAligned(lengthBytes, HUGE_PAGE_BYTES);
        advise(BufferUtil.address(buffer), lengthBytes);
        return buffer;
    }

    /**
     * Asks for the whole huge pages of {@code [address, address + lengthBytes)} to be huge pages and, on Linux
     * 6.1+, to become so now ({@code address} aligned to a huge page).
     *
     * @return whether the memory is on huge pages now: false where the calls are missing or refused (it may still
     *     move to huge pages later, in the background)
     */
    public static boolean advise(final long address, final long lengthBytes) {
        final LibC libc = LibC.get();
        final long whole = lengthBytes / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
        if (libc == null || whole == 0 || (address & (HUGE_PAGE_BYTES - 1)) != 0) {
            return false;
        }
        return libc.madvise(address, whole, MADV_HUGEPAGE) == 0 && libc.madvise(address, whole, MADV_COLLAPSE) == 0;
    }
}
