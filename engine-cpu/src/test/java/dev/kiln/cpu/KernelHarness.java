package dev.kiln.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test support: a CPU backend, storages made from arrays and read back, and closeness checks
 * that report the mismatch count and the worst error with its index. Storages are closed, and
 * the backend's byte count checked, in {@link #close()}.
 */
final class KernelHarness implements AutoCloseable {
    /** float32 kernels vs float64 references (PyTorch's assert_close defaults for float32). */
    static final double RTOL = 1.3e-6, ATOL = 1e-5;

    final CpuBackend cpu;
    private final List<Storage> owned = new ArrayList<>();

    KernelHarness(int threads) {
        cpu = new CpuBackend(threads);
    }

    KernelHarness() {
        this(2);
    }

    Storage store(float[] v) {
        Storage s = cpu.allocate(DType.FLOAT32, v.length);
        MemorySegment.copy(v, 0, ((CpuStorage) s).segment(), JAVA_FLOAT, 0, v.length);
        owned.add(s);
        return s;
    }

    Storage storeInts(int[] v) {
        Storage s = cpu.allocate(DType.INT32, v.length);
        MemorySegment.copy(v, 0, ((CpuStorage) s).segment(), JAVA_INT, 0, v.length);
        owned.add(s);
        return s;
    }

    /** Uninitialised float storage; filled with NaN so a kernel that skips elements is caught. */
    Storage empty(long numel) {
        Storage s = cpu.allocate(DType.FLOAT32, numel);
        cpu.fill(s, Float.NaN);
        owned.add(s);
        return s;
    }

    static float[] read(Storage s) {
        return ((CpuStorage) s).segment().toArray(JAVA_FLOAT);
    }

    static int[] readInts(Storage s) {
        return ((CpuStorage) s).segment().toArray(JAVA_INT);
    }

    /** Uniform values in [-1, 1) (exactly representable as float, so references see the same inputs). */
    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    /**
     * Fails unless {@code |actual - expected| <= atol + rtol*|expected|} everywhere, naming how
     * many elements differ and the worst one. {@code tolScale} widens both tolerances for long
     * float32 accumulations (e.g. GEMM depth).
     */
    static void assertClose(String what, double[] expected, float[] actual, double tolScale) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != expected " + expected.length);
        int bad = 0, worst = -1;
        double worstErr = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            boolean ok = err <= tolScale * (ATOL + RTOL * Math.abs(expected[i]))
                    || (Double.isNaN(expected[i]) && Float.isNaN(actual[i]))
                    || (Double.isInfinite(expected[i]) && expected[i] == actual[i]);
            if (!ok) {
                bad++;
                if (worst < 0 || !(err <= worstErr)) {
                    worst = i;
                    worstErr = err;
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ; worst at index " + worst
                    + ": got " + actual[worst] + ", expected " + expected[worst] + " (abs err " + worstErr + ")");
        }
    }

    static void assertClose(String what, double[] expected, float[] actual) {
        assertClose(what, expected, actual, 1);
    }

    /** Fails unless both arrays are bit-identical, naming the first difference and the count. */
    static void assertBitIdentical(String what, float[] a, float[] b) {
        int bad = 0, first = -1;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                if (first < 0) first = i;
                bad++;
            }
        }
        if (a.length != b.length || bad > 0) {
            fail(what + ": " + bad + " of " + a.length + " elements differ bitwise"
                    + (first >= 0 ? "; first at " + first + ": " + a[first] + " vs " + b[first] : "; lengths " + a.length + " vs " + b.length));
        }
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Override
    public void close() {
        for (Storage s : owned) s.close();
        owned.clear();
        long left = cpu.bytesInUse();
        cpu.close();
        if (left != 0) fail("cpu: " + left + " bytes still in use after closing every storage");
    }

    /** Host copy helper for backends' copy tests. */
    static MemorySegment host(Arena arena, float[] v) {
        MemorySegment m = arena.allocate(JAVA_FLOAT, v.length);
        MemorySegment.copy(v, 0, m, JAVA_FLOAT, 0, v.length);
        return m;
    }

    /**
     * A backend that runs every default method of {@link Backend} as declared (the SPI's reference
     * compositions), delegating the rest to this harness's CPU backend: what a fused CPU override must equal bit for bit.
     */
    Backend defaultsOnly() {
        InvocationHandler handler = (proxy, m, args) -> {
            if (m.isDefault()) return InvocationHandler.invokeDefault(proxy, m, args);
            try {
                return m.invoke(cpu, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }
}
