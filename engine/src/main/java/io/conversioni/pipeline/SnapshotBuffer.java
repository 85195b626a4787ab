package io.conversioni.pipeline;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The byte array a periodic snapshot is captured into, kept and reused from one capture to the next. A
 * capture stops the window thread for as long as it copies the state: with a fresh
 * {@code ByteArrayOutputStream} every time (doubling up to the state's size, then copied once more by
 * {@code toByteArray}) that was 31-65 ms for the default 32 MB of state on the project machine (350 ms for
 * the first); into this buffer it is 8-9 ms (the first still 256 ms: cold code and untouched pages).
 *
 * <p>Threading: filled by the window thread, then read by the snapshot writer thread, which the engine
 * starts after the capture and waits for before the next one (no capture while a write is in flight).
 * Allocation: the array, sized by the first capture's hint; it grows only if the state does.
 */
final class SnapshotBuffer extends OutputStream {
    private byte[] bytes;
    private int size;

    SnapshotBuffer(final int initialCapacity) {
        bytes = new byte[Math.max(64, initialCapacity)];
    }

    /** Forgets what the last capture wrote; keeps the array. */
    void reset() {
        size = 0;
    }

    @Override
    public void write(final int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(final byte[] source, final int offset, final int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** The array; bytes {@code [0, size())} are the capture. */
    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    private void ensure(final int more) {
        if (more > bytes.length - size) {
            final long wanted = Math.max((long) size + more, (long) bytes.length * 2);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("snapshot state over 2 GB: " + ((long) size + more) + " bytes");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }
}
