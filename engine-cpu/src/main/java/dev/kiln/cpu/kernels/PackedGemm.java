package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Packed, cache-blocked SGEMM, {@code C[m x n] = (C or row init) + A[m x k] B[k x n]}, in the
 * shape of BLIS: columns in blocks of {@link #NC}, depth in blocks of {@link #KC} (a B block is
 * packed once and stays in L2, its {@code KC x nr} micro-panel in L1), rows in blocks of
 * {@link #MC} (the packed A block stays in L2), then {@code mr x nr} register tiles computed by
 * the {@link MicroKernel}. Edge tiles run on a private scratch tile and are copied back.
 *
 * <p>Each C element is one fused multiply-add chain over k in increasing order (see the micro-kernel
 * contract), so neither the blocking nor the split between threads changes a single bit: the work
 * is divided into a fixed grid of column (or row) ranges, one task each, purely for speed.
 * Packing buffers are per thread and reused; a call allocates nothing once warm.
 */
public final class PackedGemm {
    /** Depth block: a {@code KC x nr} B micro-panel (32 KiB at nr = 32) fits the L1 cache. */
    static final int KC = 256;
    /** Row block target: the packed {@code MC x KC} A block fits L2. */
    static final int MC = 192;
    /** Column block target: the packed {@code KC x NC} B block (1 MiB) fits L2/L3. */
    static final int NC = 1024;
    /** Below this many multiply-adds a GEMM runs on the calling thread alone. */
    static final long PARALLEL_MIN_FMAS = 1L << 17;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private PackedGemm() {}

    /**
     * Computes {@code C = A B} ({@code + C} when {@code accumulate}; otherwise rows start from
     * {@code rowInit[i]} when it is not null, e.g. a bias) into {@code c} at element {@code cOff}, rows
     * {@code ldc} apart. Runs in parallel on {@code pool} unless already inside a parallel region.
     *
     * @param rowInit null, or at least {@code m} values; ignored when {@code accumulate}
     */
    public static void gemm(CpuThreadPool pool, MicroKernel kernel, int m, int n, int k, Operand a, Operand b,
                            MemorySegment c, long cOff, long ldc, boolean accumulate, float[] rowInit) {
        if (m <= 0 || n <= 0) return;
        if (k == 0) {
            if (!accumulate) fillRows(m, n, c, cOff, ldc, rowInit);
            return;
        }
        int mr = kernel.mr(), nr = kernel.nr();
        int threads = pool.inRegion() ? 1 : pool.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_FMAS) {
            serial(kernel, 0, m, 0, n, k, a, b, c, cOff, ldc, accumulate, rowInit);
            return;
        }
        // Split the larger dimension (in whole tiles) into one range per thread.
        int colTiles = ceilDiv(n, nr), rowTiles = ceilDiv(m, mr);
        boolean byCols = colTiles >= threads || colTiles >= rowTiles;
        int tiles = byCols ? colTiles : rowTiles, unit = byCols ? nr : mr;
        int tasks = Math.min(threads, tiles);
        pool.parallelFor(tasks, t -> {
            int from = (int) ((long) tiles * t / tasks) * unit, to = Math.min(byCols ? n : m, (int) ((long) tiles * (t + 1) / tasks) * unit);
            if (byCols) serial(kernel, 0, m, from, to, k, a, b, c, cOff, ldc, accumulate, rowInit);
            else serial(kernel, from, to, 0, n, k, a, b, c, cOff, ldc, accumulate, rowInit);
        });
    }

    /** Rows [i0, i1) by columns [j0, j1) of C on the calling thread. */
    private static void serial(MicroKernel kernel, int i0, int i1, int j0, int j1, int k, Operand a, Operand b,
                               MemorySegment c, long cOff, long ldc, boolean accumulate, float[] rowInit) {
        int mr = kernel.mr(), nr = kernel.nr();
        int mcMax = Math.max(mr, MC / mr * mr), ncMax = Math.max(nr, NC / nr * nr);
        Buffers buf = BUFFERS.get();
        // Where first-block tiles start from: per-row init values (one tile row per C row), or zeros.
        MemorySegment init = rowInit == null || accumulate ? buf.zeros(mr, nr) : buf.init(rowInit, i0, i1 - i0, mr, nr);
        boolean perRow = rowInit != null && !accumulate;
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean load = accumulate || pc > 0;
                float[] bp = buf.b(ceilDiv(nc, nr) * nr * kc);
                b.pack(jc, nc, pc, kc, nr, bp);
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    float[] ap = buf.a(ceilDiv(mc, mr) * mr * kc);
                    a.pack(ic, mc, pc, kc, mr, ap);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr);
                        for (int ir = 0; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir);
                            long at = cOff + (long) (ic + ir) * ldc + jc + jr;
                            long initAt = perRow ? (long) (ic + ir - i0) * nr : 0;
                            if (rows == mr && cols == nr) {
                                if (load) kernel.compute(kc, ap, ir * kc, bp, jr * kc, c, at, ldc, c, at, ldc);
                                else kernel.compute(kc, ap, ir * kc, bp, jr * kc, init, initAt, nr, c, at, ldc);
                            } else {
                                edgeTile(kernel, buf, kc, ap, ir * kc, bp, jr * kc, c, at, ldc, rows, cols, load, init, initAt);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A partial tile: computed whole on the scratch tile, only its valid part read from and written to C. */
    private static void edgeTile(MicroKernel kernel, Buffers buf, int kc, float[] ap, int aOff, float[] bp, int bOff,
                                 MemorySegment c, long at, long ldc, int rows, int cols, boolean load, MemorySegment init, long initAt) {
        int nr = kernel.nr();
        MemorySegment tile = buf.tile();
        if (load) {
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(c, (at + r * ldc) * Float.BYTES, tile, (long) r * nr * Float.BYTES, (long) cols * Float.BYTES);
            }
            kernel.compute(kc, ap, aOff, bp, bOff, tile, 0, nr, tile, 0, nr);
        } else {
            kernel.compute(kc, ap, aOff, bp, bOff, init, initAt, nr, tile, 0, nr);
        }
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(tile, (long) r * nr * Float.BYTES, c, (at + r * ldc) * Float.BYTES, (long) cols * Float.BYTES);
        }
    }

    private static void fillRows(int m, int n, MemorySegment c, long cOff, long ldc, float[] rowInit) {
        for (int i = 0; i < m; i++) {
            float v = rowInit == null ? 0f : rowInit[i];
            MemorySegment row = c.asSlice((cOff + i * ldc) * Float.BYTES, (long) n * Float.BYTES);
            if (v == 0f && Float.floatToRawIntBits(v) == 0) row.fill((byte) 0);
            else for (int j = 0; j < n; j++) row.setAtIndex(JAVA_FLOAT, j, v);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** Per-thread packing buffers, tiles of starting values and the edge tile, grown on demand and reused across calls. */
    private static final class Buffers {
        private float[] a = new float[0], b = new float[0];
        private MemorySegment tile, zeros, init;

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        /** One all-zero tile (rows nr floats apart). */
        MemorySegment zeros(int mr, int nr) {
            long bytes = (long) mr * nr * Float.BYTES;
            if (zeros == null || zeros.byteSize() < bytes) zeros = Arena.ofAuto().allocate(bytes, 64);
            return zeros;
        }

        /** Row r (padded to whole tiles with zeros) holds nr copies of rowInit[i0 + r]. */
        MemorySegment init(float[] rowInit, int i0, int rows, int mr, int nr) {
            long padded = (long) ceilDiv(rows, mr) * mr, bytes = padded * nr * Float.BYTES;
            if (init == null || init.byteSize() < bytes) init = Arena.ofAuto().allocate(bytes, 64);
            for (int r = 0; r < padded; r++) {
                float v = r < rows ? rowInit[i0 + r] : 0f;
                for (int j = 0; j < nr; j++) init.setAtIndex(JAVA_FLOAT, (long) r * nr + j, v);
            }
            return init;
        }

        /** Scratch for one tile of any kernel (up to 16 x 64 floats), 64-byte aligned. */
        MemorySegment tile() {
            if (tile == null) tile = Arena.ofAuto().allocate(16L * 64 * Float.BYTES, 64);
            return tile;
        }
    }
}
