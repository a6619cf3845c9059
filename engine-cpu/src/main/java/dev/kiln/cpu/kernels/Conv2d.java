package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;
import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * 2-D convolution (cross-correlation) and its three gradients as implicit GEMMs on
 * {@link PackedGemm}: the im2col matrix is gathered straight into the packed panels
 * ({@link Im2colOperand}), never stored. Images are processed in runs ("chunks") whose pixels form
 * the GEMM's columns, so small late layers (a 3 x 3 output) still make wide GEMMs; chunks run in
 * parallel, or, when there is only one, the GEMM splits its tiles.
 *
 * <p>Forward and input gradient: every output element is one GEMM element, whose value does not
 * depend on the chunking or the split. Weight gradient: a sum over pixels, cut into a number of
 * chunks that depends on the spec only, each chunk's partial summed in order, then the partials
 * added in chunk order; so every result is bit-identical whatever the thread count.
 */
public final class Conv2d {
    /** Forward / input-gradient chunks aim at this many GEMM columns (pixels). */
    private static final int TARGET_COLUMNS = 512;
    /** Weight-gradient chunks hold at least this many pixels (the GEMM depth). */
    private static final int WEIGHT_CHUNK_PIXELS = 1024;

    private Conv2d() {}

    /** {@code y[n, outC, oh, ow] = conv(x, w) (+ bias)}; {@code bias} may be null. The bias seeds the accumulators. */
    public static void forward(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y) {
        forward(pool, s, x, w, bias, y, false);
    }

    /**
     * {@link #forward}, then, when {@code relu}, {@code max(y, 0)} applied to each chunk's output
     * right after its GEMM (still in cache): the same values as a separate ReLU pass.
     */
    public static void forward(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                               boolean relu) {
        forward(pool, s, x, w, bias, y, relu, null, null);
    }

    /**
     * {@link #forward} with the ReLU, into {@code y} when it is not null, and a 2 x 2 / stride-2 max
     * pooling ({@link #poolFuses}) of each chunk's output, while it is in cache, into {@code pooled}:
     * the same values as {@code maxPool2d(conv2dRelu(...))}. With {@code y} null the full-size
     * output is never written.
     *
     * @throws IllegalArgumentException if {@code ps} is not a pooling {@link #poolFuses} handles
     */
    public static void forwardReluMaxPool(CpuThreadPool pool, Conv2dSpec s, Pool2dSpec ps, MemorySegment x, MemorySegment w, MemorySegment bias,
                                          MemorySegment y, MemorySegment pooled) {
        if (!poolFuses(s, ps)) throw new IllegalArgumentException("conv2d_relu_max_pool2d: expected a 2x2 / stride-2 pooling without padding over "
                + java.util.Arrays.toString(s.outputShape()) + ", got " + ps);
        forward(pool, s, x, w, bias, y, true, ps, pooled);
    }

    /**
     * Whether {@link #forwardReluMaxPool} and {@link PoolReluBackward} handle this pair: a 2 x 2,
     * stride-2 max pooling with every window inside the convolution's output (floor mode drops an
     * odd last row or column), whose input shape is the convolution's output shape.
     */
    public static boolean poolFuses(Conv2dSpec s, Pool2dSpec ps) {
        return java.util.Arrays.equals(s.outputShape(), ps.inputShape()) && InnerWindows.applies(ps) && InnerWindows.disjoint2x2(ps);
    }

    private static void forward(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                                boolean relu, Pool2dSpec ps, MemorySegment pooled) {
        MicroKernel kernel = MicroKernels.get();
        int ocpg = s.outC() / s.groups(), k = taps(s), p = s.outH() * s.outW();
        float[] b = bias == null ? null : bias.toArray(JAVA_FLOAT);
        int per = imagesPerChunk(pool, s), chunks = ceilDiv(s.n(), per);
        long imageSize = (long) s.c() * s.h() * s.w();
        Im2colOperand.Geometry[] geometry = geometries(s, per);
        forEachChunk(pool, chunks, c -> {
            int first = c * per, images = Math.min(per, s.n() - first), cols = images * p;
            float[] xs = Workspace.copyOf(Workspace.Heap.INPUT, x, first * imageSize, images * imageSize);
            for (int g = 0; g < s.groups(); g++) {
                float[] init = b == null ? null : java.util.Arrays.copyOfRange(b, g * ocpg, (g + 1) * ocpg);
                Operand wA = new DenseOperand(w, (long) g * ocpg * k, k, true);
                Operand colB = new Im2colOperand(geometry[g], xs, true);
                if (images == 1 && y != null) {
                    long yOff = ((long) first * s.outC() + (long) g * ocpg) * p;
                    PackedGemm.gemm(pool, kernel, ocpg, cols, k, wA, colB, y, yOff, p, false, init);
                    if (relu) Activations.relu(y, y, yOff, yOff + (long) ocpg * p);
                    if (ps != null) InnerWindows.maxPoolChunk2x2(ps, y, yOff, cols, images, first, g * ocpg, ocpg, pooled);
                    continue;
                }
                // Columns span several images: compute [ocpg, images*P], then move each plane into place.
                MemorySegment out = Workspace.floats(Workspace.Slot.GEMM_OUT, (long) ocpg * cols);
                PackedGemm.gemm(pool, kernel, ocpg, cols, k, wA, colB, out, 0, cols, false, init);
                if (relu) Activations.relu(out, out, 0, (long) ocpg * cols);
                if (ps != null) InnerWindows.maxPoolChunk2x2(ps, out, 0, cols, images, first, g * ocpg, ocpg, pooled);
                if (y == null) continue;
                for (int o = 0; o < ocpg; o++) {
                    for (int i = 0; i < images; i++) {
                        long dst = ((long) (first + i) * s.outC() + (long) g * ocpg + o) * p;
                        MemorySegment.copy(out, ((long) o * cols + (long) i * p) * Float.BYTES, y, dst * Float.BYTES, (long) p * Float.BYTES);
                    }
                }
            }
        });
    }

    /** {@code gx[n, c, h, w]} from {@code gy[n, outC, oh, ow]}: column gradients {@code W^T gy} folded back by col2im. */
    public static void backwardData(CpuThreadPool pool, Conv2dSpec s, MemorySegment gy, MemorySegment w, MemorySegment gx) {
        MicroKernel kernel = MicroKernels.get();
        int ocpg = s.outC() / s.groups(), k = taps(s), p = s.outH() * s.outW();
        long imageSize = (long) s.c() * s.h() * s.w();
        int per = imagesPerChunk(pool, s), chunks = ceilDiv(s.n(), per);
        forEachChunk(pool, chunks, c -> {
            int first = c * per, images = Math.min(per, s.n() - first), cols = images * p;
            float[] gys = Workspace.copyOf(Workspace.Heap.GRADIENT, gy, (long) first * s.outC() * p, (long) images * s.outC() * p);
            float[] gxs = Workspace.array(Workspace.Heap.INPUT, images * imageSize);
            java.util.Arrays.fill(gxs, 0, Math.toIntExact(images * imageSize), 0f);
            MemorySegment col = Workspace.floats(Workspace.Slot.COLUMNS, (long) k * cols);
            float[] cola = Workspace.array(Workspace.Heap.COLUMNS, (long) k * cols);
            for (int g = 0; g < s.groups(); g++) {
                Operand wT = new DenseOperand(w, (long) g * ocpg * k, k, false);
                Operand gyB = new ChannelPlanesOperand(gys, s.outC(), p, g * ocpg, true);
                PackedGemm.gemm(pool, kernel, k, cols, ocpg, wT, gyB, col, 0, cols, false, null);
                MemorySegment.copy(col, JAVA_FLOAT, 0, cola, 0, k * cols);
                Col2im.add(s, cola, cols, gxs, images, g * s.cPerGroup());
            }
            MemorySegment.copy(gxs, 0, gx, JAVA_FLOAT, first * imageSize * Float.BYTES, Math.toIntExact(images * imageSize));
        });
    }

    /**
     * {@code gw[outC, c/groups, kh, kw] = sum over images and pixels of gy (x) im2col(x)}. The batch
     * is cut into chunks of a size fixed by the spec; each chunk is one GEMM over its pixels into its
     * own partial, and the partials are added in chunk order. The GEMM runs transposed when that
     * fills the register tile better (see {@link #transposedFillsTilesBetter}).
     */
    public static void backwardWeight(CpuThreadPool pool, Conv2dSpec s, MemorySegment x, MemorySegment gy, MemorySegment gw) {
        MicroKernel kernel = MicroKernels.get();
        int ocpg = s.outC() / s.groups(), k = taps(s), p = s.outH() * s.outW();
        long gwSize = (long) s.outC() * k;
        int per = Math.min(s.n(), ceilDiv(WEIGHT_CHUNK_PIXELS, p)), chunks = ceilDiv(s.n(), per);
        MemorySegment partials = chunks == 1 ? gw : Workspace.floats(Workspace.Slot.PARTIALS, chunks * gwSize);
        long imageSize = (long) s.c() * s.h() * s.w();
        Im2colOperand.Geometry[] geometry = geometries(s, per);
        forEachChunk(pool, chunks, c -> {
            int first = c * per, images = Math.min(per, s.n() - first);
            float[] xs = Workspace.copyOf(Workspace.Heap.INPUT, x, first * imageSize, images * imageSize);
            float[] gys = Workspace.copyOf(Workspace.Heap.GRADIENT, gy, (long) first * s.outC() * p, (long) images * s.outC() * p);
            for (int g = 0; g < s.groups(); g++) {
                Operand gyOp = new ChannelPlanesOperand(gys, s.outC(), p, g * ocpg, false);
                Operand colOp = new Im2colOperand(geometry[g], xs, false);
                long at = c * gwSize + (long) g * ocpg * k;
                if (!transposedFillsTilesBetter(kernel, ocpg, k)) {
                    PackedGemm.gemm(pool, kernel, ocpg, k, images * p, gyOp, colOp, partials, at, k, false, null);
                    continue;
                }
                // gw^T = im2col^T gy^T, then transposed into place: fma(a, b, c) == fma(b, a, c), so the same bits.
                MemorySegment t = Workspace.floats(Workspace.Slot.GEMM_OUT, (long) k * ocpg);
                PackedGemm.gemm(pool, kernel, k, ocpg, images * p, colOp, gyOp, t, 0, ocpg, false, null);
                for (int o = 0; o < ocpg; o++) {
                    for (int r = 0; r < k; r++) partials.setAtIndex(JAVA_FLOAT, at + (long) o * k + r, t.getAtIndex(JAVA_FLOAT, (long) r * ocpg + o));
                }
            }
        });
        if (chunks == 1) return;
        pool.parallelRange(gwSize, 4096, (st, e) -> {
            for (long i = st; i < e; i++) {
                float sum = partials.getAtIndex(JAVA_FLOAT, i);
                for (int c = 1; c < chunks; c++) sum += partials.getAtIndex(JAVA_FLOAT, c * gwSize + i);
                gw.setAtIndex(JAVA_FLOAT, i, sum);
            }
        });
    }

    /** {@code gb[o] = sum over n, oh, ow of gy}: see {@link BiasGradient}. */
    public static void backwardBias(CpuThreadPool pool, Conv2dSpec s, MemorySegment gy, MemorySegment gb) {
        BiasGradient.sum(pool, s, gy, gb);
    }

    /** {@code gz = y > 0 ? gy : 0} and, when {@code gb} is not null, its bias gradient in the same pass: see {@link BiasGradient}. */
    public static void reluBackward(CpuThreadPool pool, Conv2dSpec s, MemorySegment y, MemorySegment gy, MemorySegment gz, MemorySegment gb) {
        BiasGradient.reluBackward(pool, s, y, gy, gz, gb);
    }

    /**
     * Whether the weight gradient's GEMM uses more of the register tile as {@code [taps x channels]}
     * than as {@code [channels x taps]}: conv1's 9 taps fill 9 of a 32-wide tile's columns, but 9
     * of 16 rows of two 8-row tiles. Either way gives the same bits.
     */
    private static boolean transposedFillsTilesBetter(MicroKernel kernel, int channels, int taps) {
        return used(taps, kernel.mr()) * used(channels, kernel.nr()) > used(channels, kernel.mr()) * used(taps, kernel.nr());
    }

    /** Fraction of {@code ceil(n / tile)} tiles that {@code n} fills. */
    private static double used(int n, int tile) {
        return (double) n / (ceilDiv(n, tile) * tile);
    }

    /**
     * Images per forward / input-gradient chunk: about {@link #TARGET_COLUMNS} pixels, but at least
     * two chunks per thread when the batch allows (results do not depend on this choice).
     */
    private static int imagesPerChunk(CpuThreadPool pool, Conv2dSpec s) {
        int p = s.outH() * s.outW();
        int byColumns = Math.max(1, TARGET_COLUMNS / p);
        int byThreads = Math.max(1, s.n() / (2 * pool.threads()));
        return Math.min(byColumns, byThreads);
    }

    /** Chunks in parallel when there are several, else the one chunk with a parallel GEMM inside. */
    private static void forEachChunk(CpuThreadPool pool, int chunks, IntConsumer body) {
        if (chunks > 1) pool.parallelFor(chunks, body);
        else body.accept(0);
    }

    /** Each group's im2col tables for chunks of up to {@code images} images, built once per call. */
    private static Im2colOperand.Geometry[] geometries(Conv2dSpec s, int images) {
        Im2colOperand.Geometry[] g = new Im2colOperand.Geometry[s.groups()];
        for (int i = 0; i < g.length; i++) g[i] = new Im2colOperand.Geometry(s, images, i * s.cPerGroup());
        return g;
    }

    /** GEMM depth: one group's weights per output channel. */
    private static int taps(Conv2dSpec s) {
        return s.cPerGroup() * s.kh() * s.kw();
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
