package dev.kiln.cpu;

import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Background warm-up of the CPU kernels (issue 13, docs/warmup.md): a daemon thread that runs the
 * seed CNN's kernels (fused convolution + ReLU and its backward, max pooling, packed GEMMs, Adam)
 * at batch 1 on a private one-thread {@link CpuBackend}, so that C2 compiles the Vector API
 * micro-kernels while the application is still loading data or building its model, instead of
 * during its first training steps.
 *
 * <p>It cannot change a result: it owns its backend, storages and threads, the kernels keep no
 * state between calls beyond per-thread scratch, and compiled code computes the same bits as
 * interpreted code (Java floating point is strict). {@value #PROPERTY}{@code =false} turns it off.
 */
public final class CpuWarmup {
    /** System property: {@code false} disables the background warm-up. */
    public static final String PROPERTY = "kiln.cpu.warmup";
    /** The warm-up's thread name, for thread dumps and profiles. */
    public static final String THREAD_NAME = "kiln-cpu-warmup";
    /** Training steps the warm-up runs at most (each about 1/64 of a batch-64 step once compiled). */
    static final int DEFAULT_STEPS = 60;

    private CpuWarmup() {}

    /**
     * Whether the warm-up runs: unless {@value #PROPERTY} is {@code false}.
     *
     * @return true when {@link #startInBackground()} starts a thread
     */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY));
    }

    /**
     * Starts the warm-up on a low-priority daemon thread, unless disabled.
     *
     * @return the started thread, or null when {@link #enabled()} is false
     */
    public static Thread startInBackground() {
        if (!enabled()) return null;
        Thread t = new Thread(() -> run(DEFAULT_STEPS), THREAD_NAME);
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    /**
     * Runs {@code steps} batch-1 seed-CNN training steps on a private backend, on the calling thread.
     *
     * @param steps how many steps, at least 0
     * @return the sum of the final parameters (so the work cannot be optimised away; tests compare it)
     */
    public static double run(int steps) {
        if (steps < 0) throw new IllegalArgumentException("cpu warm-up: steps must be >= 0, got " + steps);
        try (CpuBackend b = new CpuBackend(1); Step step = new Step(b)) {
            return step.run(steps);
        }
    }

    /** The seed CNN's shapes at batch 1, forward, backward and Adam, all on one backend's storages. */
    private static final class Step implements AutoCloseable {
        private final CpuBackend b;
        private final List<Storage> all = new ArrayList<>(); // closed explicitly: none is left to the cleaner
        private final Conv2dSpec c1 = conv(1, 28, 32), c2 = conv(32, 13, 64), c3 = conv(64, 5, 64);
        private final Pool2dSpec p1 = pool(32, 26), p2 = pool(64, 11);
        private final Storage x, w1, b1, w2, b2, w3, b3, w4, b4;
        private final Storage y1, z1, y2, z2, y3, h4, gh4, gy3, gz3, gy2, gz2, gy1, gz1, gx2, gx3;
        private final Storage gw1, gb1, gw2, gb2, gw3, gb3, gw4, gb4;
        private final List<Storage> params, grads, m, v;

        Step(CpuBackend b) {
            this.b = b;
            x = filled(28 * 28, 0.5f, 0.25f);
            w1 = filled(32 * 9, 0.1f, -0.05f); b1 = filled(32, 0.01f, 0f);
            w2 = filled(64 * 32 * 9, 0.02f, -0.01f); b2 = filled(64, 0.01f, 0f);
            w3 = filled(64 * 64 * 9, 0.02f, -0.01f); b3 = filled(64, 0.01f, 0f);
            w4 = filled(10 * 576, 0.04f, -0.02f); b4 = filled(10, 0f, 0f);
            y1 = zeros(32 * 26 * 26); z1 = zeros(32 * 13 * 13); y2 = zeros(64 * 11 * 11); z2 = zeros(64 * 5 * 5);
            y3 = zeros(576); h4 = zeros(10); gh4 = filled(10, 0.1f, -0.05f); gy3 = zeros(576); gz3 = zeros(576);
            gy2 = zeros(64 * 11 * 11); gz2 = zeros(64 * 11 * 11); gy1 = zeros(32 * 26 * 26); gz1 = zeros(32 * 26 * 26);
            gx2 = zeros(32 * 13 * 13); gx3 = zeros(64 * 5 * 5);
            gw1 = zeros(32 * 9); gb1 = zeros(32); gw2 = zeros(64 * 32 * 9); gb2 = zeros(64);
            gw3 = zeros(64 * 64 * 9); gb3 = zeros(64); gw4 = zeros(10 * 576); gb4 = zeros(10);
            params = List.of(w1, b1, w2, b2, w3, b3, w4, b4);
            grads = List.of(gw1, gb1, gw2, gb2, gw3, gb3, gw4, gb4);
            m = params.stream().map(p -> zeros(p.numel())).toList();
            v = params.stream().map(p -> zeros(p.numel())).toList();
        }

        double run(int steps) {
            for (int s = 1; s <= steps; s++) {
                b.conv2dRelu(c1, x, w1, b1, y1);
                b.maxPool2d(p1, y1, z1);
                b.conv2dRelu(c2, z1, w2, b2, y2);
                b.maxPool2d(p2, y2, z2);
                b.conv2dRelu(c3, z2, w3, b3, y3);
                b.matmul(MatmulSpec.of(1, 10, 576, false, true), y3, w4, h4); // logits = y3 w4^T
                // Backward from a fixed logit gradient: the dense layer, then each conv layer.
                b.matmul(MatmulSpec.of(10, 576, 1, true, false), gh4, y3, gw4);
                b.matmul(MatmulSpec.of(1, 576, 10, false, false), gh4, w4, gy3);
                b.conv2dReluBackward(c3, y3, gy3, gz3, gb3);
                b.conv2dBackwardWeight(c3, z2, gz3, gw3);
                b.conv2dBackwardData(c3, gz3, w3, gx3);
                b.maxPool2dBackward(p2, y2, z2, gx3, gy2);
                b.conv2dReluBackward(c2, y2, gy2, gz2, gb2);
                b.conv2dBackwardWeight(c2, z1, gz2, gw2);
                b.conv2dBackwardData(c2, gz2, w2, gx2);
                b.maxPool2dBackward(p1, y1, z1, gx2, gy1);
                b.conv2dReluBackward(c1, y1, gy1, gz1, gb1);
                b.conv2dBackwardWeight(c1, x, gz1, gw1);
                b.adamStep(new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, s), params, grads, m, v);
            }
            double sum = 0;
            for (Storage p : params) {
                float[] host = new float[Math.toIntExact(p.numel())];
                b.copyToHost(p, MemorySegment.ofArray(host));
                for (float f : host) sum += f;
            }
            return sum;
        }

        @Override
        public void close() {
            all.forEach(Storage::close);
        }

        private Storage zeros(long n) {
            Storage s = b.allocate(DType.FLOAT32, n);
            all.add(s);
            b.fill(s, 0f);
            return s;
        }

        private Storage filled(long n, float scale, float shift) {
            Storage s = zeros(n);
            float[] d = new float[Math.toIntExact(n)];
            for (int i = 0; i < d.length; i++) d[i] = scale * ((i * 37 % 101) / 101f) + shift; // fixed, no RNG: touches no shared generator
            b.copyFromHost(MemorySegment.ofArray(d), s);
            return s;
        }

        private static Conv2dSpec conv(int c, int hw, int outC) {
            return new Conv2dSpec(1, c, hw, hw, outC, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        }

        private static Pool2dSpec pool(int c, int hw) {
            return new Pool2dSpec(1, c, hw, hw, 2, 2, 2, 2, 0, 0, 1, 1, false, true);
        }
    }
}
