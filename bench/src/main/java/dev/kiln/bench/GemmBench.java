package dev.kiln.bench;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.cpu.kernels.DenseOperand;
import dev.kiln.cpu.kernels.MicroKernel;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.cpu.kernels.PackedGemm;
import dev.kiln.spi.Backend;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * SGEMM throughput, {@code C[m x n] = A[m x k] B[k x n]} row-major: through a backend's
 * {@code matmul} (what users get), or through the CPU GEMM driver with one named micro-kernel
 * (to compare tile shapes on this machine).
 */
public final class GemmBench {
    /** GFLOP/s of repeated products, timed for about {@code seconds} after a warm-up. */
    public record Result(int m, int n, int k, double seconds, int calls) {
        double gflops() {
            return 2.0 * m * n * k * calls / seconds / 1e9;
        }

        double opsPerSecond() {
            return calls / seconds;
        }
    }

    private GemmBench() {}

    /** Through {@link Backend#matmul}. */
    public static Result backend(Backend backend, int m, int n, int k, double seconds) {
        try (Storage a = filled(backend, (long) m * k); Storage b = filled(backend, (long) k * n);
             Storage c = backend.allocate(DType.FLOAT32, (long) m * n)) {
            MatmulSpec spec = MatmulSpec.of(m, n, k, false, false);
            return time(m, n, k, seconds, () -> {
                backend.matmul(spec, a, b, c);
                backend.synchronize();
            });
        }
    }

    /**
     * A batched product through {@link Backend#matmul} (issue 11): {@code batch} independent
     * {@code [m x k] @ [k x n]} products, as attention's {@code Q K^T} over batch and heads.
     * {@link Result#gflops()} counts one product; multiply by {@code batch} (see {@link #batchedGflops}).
     */
    public static Result batched(Backend backend, int batch, int m, int n, int k, double seconds) {
        try (Storage a = filled(backend, (long) batch * m * k); Storage b = filled(backend, (long) batch * k * n);
             Storage c = backend.allocate(DType.FLOAT32, (long) batch * m * n)) {
            MatmulSpec spec = new MatmulSpec(batch, m, n, k, false, false, true, true, false);
            return time(m, n, k, seconds, () -> {
                backend.matmul(spec, a, b, c);
                backend.synchronize();
            });
        }
    }

    /**
     * {@return GFLOP/s of a {@link #batched} result over its whole batch}
     *
     * @param r     the result
     * @param batch the batch it ran
     */
    public static double batchedGflops(Result r, int batch) {
        return r.gflops() * batch;
    }

    /** Through {@link PackedGemm} with {@code kernel}, on {@code pool}. */
    public static Result kernel(CpuThreadPool pool, MicroKernel kernel, int m, int n, int k, double seconds) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, (long) m * k), b = random(arena, (long) k * n), c = arena.allocate((long) m * n * 4, 64);
            return time(m, n, k, seconds, () -> PackedGemm.gemm(pool, kernel, m, n, k, DenseOperand.a(a, 0, m, k, false),
                    DenseOperand.b(b, 0, n, k, false), c, 0, n, false, null));
        }
    }

    /** Every kernel MicroKernels offers, by name. */
    public static java.util.List<MicroKernel> kernels() {
        return MicroKernels.all();
    }

    private static Result time(int m, int n, int k, double seconds, Runnable body) {
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        int w = 0;
        do {
            body.run();
            w++;
        } while (System.nanoTime() < warmEnd || w < 2);
        long t0 = System.nanoTime(), t;
        int calls = 0;
        do {
            body.run();
            calls++;
            t = System.nanoTime();
        } while (t - t0 < seconds * 1e9 || calls < 2);
        return new Result(m, n, k, (t - t0) / 1e9, calls);
    }

    private static MemorySegment random(Arena arena, long numel) {
        MemorySegment s = arena.allocate(numel * 4, 64);
        java.util.SplittableRandom r = new java.util.SplittableRandom(numel);
        for (long i = 0; i < numel; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
        return s;
    }

    private static Storage filled(Backend backend, long numel) {
        Storage s = backend.allocate(DType.FLOAT32, numel);
        try (Arena arena = Arena.ofConfined()) {
            backend.copyFromHost(random(arena, numel), s);
        }
        return s;
    }
}
