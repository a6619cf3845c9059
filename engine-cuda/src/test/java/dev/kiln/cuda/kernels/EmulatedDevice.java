package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;

/**
 * Device memory for the Java transcriptions of the kernels: host arrays under fake addresses, so
 * that an emulated kernel takes the very argument list {@link KernelOps} handed to the launcher
 * ({@link RecordingLauncher}) and finds its buffers by address. Reads outside a buffer throw
 * (an out-of-bounds read on the GPU); stores go through {@link #store} and friends, which count
 * the writes of every element so a test can ask that each output element is written exactly once.
 */
final class EmulatedDevice {
    private static final long BASE = 0x7000_0000_0000L, STRIDE = 0x1_0000_0000L;

    private final Map<Long, Object> buffers = new HashMap<>();
    private final Map<Long, int[]> writes = new HashMap<>();

    /** A device copy of {@code data} (float[], int[], long[] or byte[]), at a fresh address. */
    long put(Object data) {
        long address = BASE + STRIDE * (buffers.size() + 1);
        buffers.put(address, data);
        writes.put(address, new int[java.lang.reflect.Array.getLength(data)]);
        return address;
    }

    /** A zeroed float buffer of {@code n} elements. */
    long floats(int n) {
        return put(new float[n]);
    }

    /** A float buffer of {@code n} NaNs: an element the kernel never writes stays visibly unwritten. */
    long poisoned(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, Float.NaN);
        return put(v);
    }

    private Object at(Object address) {
        long a = (Long) address;
        Object b = buffers.get(a);
        assertNotNull(b, "no buffer at 0x" + Long.toHexString(a));
        return b;
    }

    /** The float buffer at {@code address} (a Long launch argument), or null for address 0. */
    float[] f(Object address) {
        return (Long) address == 0 ? null : (float[]) at(address);
    }

    long[] l(Object address) {
        return (Long) address == 0 ? null : (long[]) at(address);
    }

    int[] i(Object address) {
        return (Long) address == 0 ? null : (int[]) at(address);
    }

    /** The buffer at {@code address} as the kernel sees it: whatever array was put there. */
    Object raw(Object address) {
        return at(address);
    }

    void store(Object address, long index, float v) {
        float[] b = f(address);
        b[Math.toIntExact(index)] = v;
        writes.get((Long) address)[(int) index]++;
    }

    void store(Object address, long index, long v) {
        long[] b = l(address);
        b[Math.toIntExact(index)] = v;
        writes.get((Long) address)[(int) index]++;
    }

    void store(Object address, long index, int v) {
        int[] b = i(address);
        b[Math.toIntExact(index)] = v;
        writes.get((Long) address)[(int) index]++;
    }

    /** Fails unless every element of the buffer at {@code address} was stored exactly once. */
    void assertEachWrittenOnce(long address, String what) {
        int[] w = writes.get(address);
        for (int k = 0; k < w.length; k++) if (w[k] != 1) fail(what + ": element " + k + " written " + w[k] + " times");
    }

    /** Forgets the write counts of {@code address} (before a second kernel writes the same buffer). */
    void resetWrites(long address) {
        java.util.Arrays.fill(writes.get(address), 0);
    }
}
