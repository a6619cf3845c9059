package dev.kiln.cuda.memory;

import dev.kiln.cuda.ffi.Driver;
import java.lang.foreign.MemorySegment;

/**
 * Host/device copies through a ring of pinned buffers. An upload copies into the next slot and
 * queues an asynchronous host-to-device copy on the stream, recording the slot's event; the slot
 * is reused only once that event has passed, so the host runs at most {@link #SLOTS} uploads ahead
 * without synchronising the stream. Large transfers go slot-sized chunk by chunk. Downloads
 * synchronise the stream. Not thread-safe: the backend serialises calls.
 */
public final class PinnedStaging implements AutoCloseable {
    /** Number of slots in the ring. */
    static final int SLOTS = 8;
    /** Bytes per slot. */
    static final long SLOT_BYTES = 4L << 20;

    private final Driver.Stream stream;
    private final Driver.PinnedBuffer[] buffers = new Driver.PinnedBuffer[SLOTS];
    private final Driver.Event[] events = new Driver.Event[SLOTS];
    private int next;

    /**
     * Allocates the ring for copies on {@code stream}.
     *
     * @param stream the stream the copies are queued on
     */
    public PinnedStaging(Driver.Stream stream) {
        this.stream = stream;
        try {
            for (int i = 0; i < SLOTS; i++) {
                buffers[i] = Driver.PinnedBuffer.allocate(SLOT_BYTES);
                events[i] = Driver.Event.create();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Queues a copy of all of {@code src} (any host segment, heap or native) to device address {@code dst}.
     *
     * @param src host memory to read
     * @param dst device address to write
     */
    public void upload(MemorySegment src, long dst) {
        long total = src.byteSize();
        for (long off = 0; off < total; off += SLOT_BYTES) {
            long len = Math.min(SLOT_BYTES, total - off);
            int slot = next;
            next = (next + 1) % SLOTS;
            events[slot].synchronize();
            MemorySegment.copy(src, off, buffers[slot].segment(), 0, len);
            Driver.copyHostToDevice(dst + off, buffers[slot], 0, len, stream);
            events[slot].record(stream);
        }
    }

    /**
     * Copies {@code dst.byteSize()} bytes from device address {@code src} into {@code dst}; returns when they are there.
     *
     * @param src device address to read
     * @param dst host memory to fill
     */
    public void download(long src, MemorySegment dst) {
        long total = dst.byteSize();
        if (total == 0) {
            stream.synchronize();
            return;
        }
        for (long off = 0; off < total; off += SLOT_BYTES) {
            long len = Math.min(SLOT_BYTES, total - off);
            int slot = next;
            next = (next + 1) % SLOTS;
            events[slot].synchronize();
            Driver.copyDeviceToHost(buffers[slot], 0, src + off, len, stream);
            stream.synchronize();
            MemorySegment.copy(buffers[slot].segment(), 0, dst, off, len);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < SLOTS; i++) {
            if (events[i] != null) events[i].close();
            if (buffers[i] != null) buffers[i].close();
        }
    }
}
