package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The background warm-up: it does real work, and results computed beside it keep every bit. */
class CpuWarmupTest {
    @Test
    void stepsChangeTheParametersDeterministically() {
        double none = CpuWarmup.run(0), two = CpuWarmup.run(2);
        assertNotEquals(none, two, "two Adam steps must move the parameters");
        assertEquals(Double.doubleToLongBits(two), Double.doubleToLongBits(CpuWarmup.run(2)));
        assertThrows(IllegalArgumentException.class, () -> CpuWarmup.run(-1));
    }

    @Test
    void resultsBesideARunningWarmupAreBitIdentical() throws InterruptedException {
        float[] before = workload();
        double alone = CpuWarmup.run(3);
        Thread[] warm = new Thread[2];
        double[] beside = new double[warm.length];
        for (int i = 0; i < warm.length; i++) {
            int j = i;
            warm[i] = new Thread(() -> beside[j] = CpuWarmup.run(3));
            warm[i].start();
        }
        float[] during = workload();
        for (Thread t : warm) t.join();
        assertArrayEquals(before, during, "a GEMM and a convolution computed while the warm-up runs");
        for (double d : beside) assertEquals(Double.doubleToLongBits(alone), Double.doubleToLongBits(d), "concurrent warm-ups");
    }

    @Test
    void backgroundThreadIsADaemonAndTheSwitchTurnsItOff() throws InterruptedException {
        String old = System.getProperty(CpuWarmup.PROPERTY);
        try {
            System.setProperty(CpuWarmup.PROPERTY, "false");
            assertNull(CpuWarmup.startInBackground());
            System.setProperty(CpuWarmup.PROPERTY, "true");
            Thread t = CpuWarmup.startInBackground();
            assertTrue(t.isDaemon());
            assertEquals(CpuWarmup.THREAD_NAME, t.getName());
            t.join();
        } finally {
            if (old == null) System.clearProperty(CpuWarmup.PROPERTY);
            else System.setProperty(CpuWarmup.PROPERTY, old);
        }
    }

    @Test
    void aProbedBackendWarmsUpWithItsFirstAllocationOnly() throws InterruptedException {
        String old = System.getProperty(CpuWarmup.PROPERTY);
        try {
            for (String on : new String[] {"true", "false"}) {
                System.setProperty(CpuWarmup.PROPERTY, on);
                try (CpuBackend b = (CpuBackend) new CpuBackendProvider().probe().backend()) {
                    assertNull(b.warmupThread(), "probing alone must not start the warm-up");
                    b.allocate(DType.FLOAT32, 4).close();
                    Thread t = b.warmupThread();
                    if (on.equals("false")) {
                        assertNull(t, CpuWarmup.PROPERTY + "=false");
                    } else {
                        assertTrue(t.isDaemon());
                        b.allocate(DType.FLOAT32, 4).close();
                        assertSame(t, b.warmupThread(), "one warm-up per backend");
                        t.join();
                    }
                }
            }
        } finally {
            if (old == null) System.clearProperty(CpuWarmup.PROPERTY);
            else System.setProperty(CpuWarmup.PROPERTY, old);
        }
    }

    /** A packed GEMM (96 x 200 x 150) and a fused convolution on two threads, fixed inputs. */
    private static float[] workload() {
        try (CpuBackend b = new CpuBackend(2)) {
            int m = 96, n = 200, k = 150;
            Storage a = filled(b, m * k, 3), w = filled(b, k * n, 5), c = b.allocate(DType.FLOAT32, (long) m * n);
            b.matmul(MatmulSpec.of(m, n, k, false, false), a, w, c);
            Conv2dSpec spec = new Conv2dSpec(4, 8, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            Storage x = filled(b, 4 * 8 * 12 * 12, 7), cw = filled(b, 16 * 8 * 9, 11), bias = filled(b, 16, 13);
            Storage y = b.allocate(DType.FLOAT32, 4L * 16 * 12 * 12);
            b.conv2dRelu(spec, x, cw, bias, y);
            float[] out = new float[m * n + 4 * 16 * 12 * 12];
            float[] cHost = new float[m * n], yHost = new float[4 * 16 * 12 * 12];
            b.copyToHost(c, MemorySegment.ofArray(cHost));
            b.copyToHost(y, MemorySegment.ofArray(yHost));
            System.arraycopy(cHost, 0, out, 0, cHost.length);
            System.arraycopy(yHost, 0, out, cHost.length, yHost.length);
            for (Storage s : new Storage[] {a, w, c, x, cw, bias, y}) s.close();
            return out;
        }
    }

    private static Storage filled(CpuBackend b, int n, int salt) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = ((i * salt) % 97) / 97f - 0.5f;
        Storage s = b.allocate(DType.FLOAT32, n);
        b.copyFromHost(MemorySegment.ofArray(d), s);
        return s;
    }
}
