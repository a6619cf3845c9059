package dev.kiln.cuda.kernels;

import dev.kiln.cuda.driver.KernelLauncher;
import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.IndexSpec;
import dev.kiln.spi.PadSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.SgdSpec;
import dev.kiln.spi.SoftmaxSpec;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.spi.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Typed launches of Kiln's own kernels ({@code kiln.fatbin}, names in {@link KernelNames}) on the
 * launcher's stream. Arguments are raw device addresses of contiguous float32 (int32 where said)
 * buffers that the caller has sized; nothing here allocates device memory except the launcher's
 * temporaries for multi-tensor tables. Launches are asynchronous. Every kernel loops grid-stride,
 * so the grid is capped and blocks are {@value #BLOCK} threads.
 */
public final class KernelOps {
    /** Threads per block of every launch (a multiple of the warp size). */
    static final int BLOCK = 256;
    /** Grid cap: grid-stride loops cover the rest. */
    static final int MAX_GRID = 65535;
    /** Elements per chunk of the multi-tensor optimiser kernels (one block per chunk). */
    static final int OPTIM_CHUNK = 32768;
    private static final int WARP = 32;

    private final KernelLauncher launcher;

    /** Kernel wrappers launching through {@code launcher}. */
    public KernelOps(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    // ---- elementwise ----

    /** Sets {@code n} float32 (or int32 when {@code int32}, value truncated) elements at {@code ptr} to {@code value}. Kernel {@code kiln_fill_f32} / {@code kiln_fill_i32}. */
    public void fill(long ptr, long n, boolean int32, float value) {
        if (n == 0) return;
        if (int32) launch1d(KernelNames.FILL_I32, n, ptr, n, (int) value);
        else launch1d(KernelNames.FILL_F32, n, ptr, n, value);
    }

    /** {@code out[i] = op(x[i])} for {@code n} elements ({@code alpha} is LEAKY_RELU's slope or a clamp bound); out may be x. Kernel {@code kiln_unary_f32}. */
    public void unary(UnaryOp op, float alpha, long x, long out, long n) {
        if (n == 0) return;
        launch1d(KernelNames.UNARY_F32, n, op.ordinal(), alpha, x, out, n);
    }

    /**
     * {@code gx[i] = gy[i] * op'(x[i])}, with {@code y = op(x)} the forward output (read by SIGMOID,
     * TANH, EXP, SQRT and RSQRT; the others but NEG read x). Kernel {@code kiln_unary_backward_f32}.
     */
    public void unaryBackward(UnaryOp op, float alpha, long x, long y, long gy, long gx, long n) {
        if (n == 0) return;
        launch1d(KernelNames.UNARY_BACKWARD_F32, n, op.ordinal(), alpha, x, y, gy, gx, n);
    }

    /**
     * {@code out = a (op) b} with NumPy broadcasting: a and b are contiguous with {@code spec}'s
     * shapes, out is contiguous {@code spec.outShape()}. Dimensions are coalesced on the host and
     * passed by value as a {@code KilnBroadcast}. Kernel {@code kiln_binary_f32}.
     *
     * @throws IllegalArgumentException if the shapes do not coalesce to at most 8 dimensions
     */
    public void binary(BinaryOp op, Broadcast spec, long a, long b, long out) {
        long n = spec.numel();
        if (n == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            launch1d(KernelNames.BINARY_F32, n, op.ordinal(), a, b, out, n, KernelArgs.broadcast(arena, spec));
        }
    }

    /** {@code out[i] = x[i] (op) s} for {@code n} elements; out may be x. Kernel {@code kiln_scalar_f32}. */
    public void scalar(ScalarOp op, long x, float s, long out, long n) {
        if (n == 0) return;
        launch1d(KernelNames.SCALAR_F32, n, op.ordinal(), x, s, out, n);
    }

    // ---- reductions ----

    /**
     * {@code out = sum of x over spec.axes()}: x contiguous {@code spec.shape()}, out contiguous with
     * {@code spec.outNumel()} elements; accumulates in double. Uses {@code kiln_sum_block_f32} (a
     * block per output) when the innermost axis is reduced or there are few, long sums, else
     * {@code kiln_sum_f32} (a thread per output, coalesced over the kept innermost axis).
     */
    public void sum(ReduceSpec spec, long x, long out) {
        long outN = spec.outNumel();
        if (outN == 0) return;
        long redN = spec.inNumel() / outN;
        if (spec.inNumel() == 0) redN = 0;
        KernelArgs.Dims[] dims = KernelArgs.reduceDims(spec);
        boolean innerReduced = dims[1].rank() > 0 && dims[1].strides()[0][dims[1].rank() - 1] == 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment map = KernelArgs.reduce(arena, spec);
            if (useBlockSum(innerReduced, outN, redN)) {
                launcher.launch(KernelNames.SUM_BLOCK_F32, (int) Math.min(outN, MAX_GRID), 1, 1, BLOCK, 1, 1, 0, x, out, outN, redN, map);
            } else {
                launch1d(KernelNames.SUM_F32, outN, x, out, outN, redN, map);
            }
        }
    }

    /** Block per output when its elements are contiguous, or when few outputs would leave the GPU idle. */
    static boolean useBlockSum(boolean innerReduced, long outN, long redN) {
        return redN >= 64 && (innerReduced || outN < 4096);
    }

    /** Int32 {@code out[r]} = index of the first maximum of row r of {@code x [rows, cols]} (NaN wins). Kernel {@code kiln_argmax_f32}, a warp per row. */
    public void argmax(int rows, int cols, long x, long out) {
        if (rows == 0) return;
        launchWarps(KernelNames.ARGMAX_F32, rows, x, out, rows, cols);
    }

    // ---- strided copy ----

    /**
     * Copies as {@code spec} says from {@code x} to {@code y}, for any 4-byte dtype. Dimensions are
     * coalesced on the host and passed by value as a {@code KilnStridedCopy}. Kernel
     * {@code kiln_strided_copy_b32}.
     *
     * @throws IllegalArgumentException if the copy does not coalesce to at most 8 dimensions
     */
    public void stridedCopy(StridedCopySpec spec, long x, long y) {
        long n = spec.numel();
        if (n == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            launch1d(KernelNames.STRIDED_COPY_B32, n, x, y, n, KernelArgs.stridedCopy(arena, spec));
        }
    }

    // ---- padding ----

    /** {@code y [n, c, h+top+bottom, w+left+right]} = x padded by zeros or circularly. Kernel {@code kiln_pad2d_f32}. */
    public void pad2d(PadSpec s, long x, long y) {
        long total = (long) s.n() * s.c() * s.outH() * s.outW();
        if (total == 0) return;
        launch1d(KernelNames.PAD2D_F32, total, x, y, (long) s.n() * s.c(), s.h(), s.w(), s.top(), s.left(),
                s.outH(), s.outW(), circular(s));
    }

    /** Adjoint of {@link #pad2d}: {@code gx [n, c, h, w]} sums gy over every cell that read it (a gather, deterministic). Kernel {@code kiln_pad2d_backward_f32}. */
    public void pad2dBackward(PadSpec s, long gy, long gx) {
        long total = (long) s.n() * s.c() * s.h() * s.w();
        if (total == 0) return;
        launch1d(KernelNames.PAD2D_BACKWARD_F32, total, gy, gx, (long) s.n() * s.c(), s.h(), s.w(), s.top(), s.left(),
                s.outH(), s.outW(), circular(s));
    }

    private static int circular(PadSpec s) {
        return s.mode() == PadSpec.Mode.CIRCULAR ? 1 : 0;
    }

    // ---- pooling ----

    /** {@code y = maxPool2d(x)}: x {@code spec.inputShape()}, y {@code spec.outputShape()}, PyTorch semantics (padding, dilation, ceil mode; NaN wins). Kernel {@code kiln_max_pool2d_f32}. */
    public void maxPool2d(Pool2dSpec s, long x, long y) {
        long total = outputNumel(s);
        if (total == 0) return;
        launch1d(KernelNames.MAX_POOL2D_F32, total, x, y, planes(s), s.h(), s.w(), s.outH(), s.outW(), s.kh(), s.kw(),
                s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW());
    }

    /**
     * {@code gx} (input shape) receives each window's {@code gy} at the window's first maximum in
     * row-major order, recomputed from x; a gather over covering windows, deterministic. Kernel
     * {@code kiln_max_pool2d_backward_f32}.
     */
    public void maxPool2dBackward(Pool2dSpec s, long x, long gy, long gx) {
        long total = inputNumel(s);
        if (total == 0) return;
        launch1d(KernelNames.MAX_POOL2D_BACKWARD_F32, total, x, gy, gx, planes(s), s.h(), s.w(), s.outH(), s.outW(),
                s.kh(), s.kw(), s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW());
    }

    /**
     * {@code y = avgPool2d(x)}; divisor per PyTorch (padded-window size when countIncludePad, else
     * the real cells). Kernel {@code kiln_avg_pool2d_f32}.
     *
     * @throws IllegalArgumentException if the spec has a dilation other than 1
     */
    public void avgPool2d(Pool2dSpec s, long x, long y) {
        checkNoDilation(s);
        long total = outputNumel(s);
        if (total == 0) return;
        launch1d(KernelNames.AVG_POOL2D_F32, total, x, y, planes(s), s.h(), s.w(), s.outH(), s.outW(), s.kh(), s.kw(),
                s.strideH(), s.strideW(), s.padH(), s.padW(), s.countIncludePad() ? 1 : 0);
    }

    /**
     * {@code gx} (input shape) = sum over covering windows of {@code gy / divisor}; a gather,
     * deterministic. Kernel {@code kiln_avg_pool2d_backward_f32}.
     *
     * @throws IllegalArgumentException if the spec has a dilation other than 1
     */
    public void avgPool2dBackward(Pool2dSpec s, long gy, long gx) {
        checkNoDilation(s);
        long total = inputNumel(s);
        if (total == 0) return;
        launch1d(KernelNames.AVG_POOL2D_BACKWARD_F32, total, gy, gx, planes(s), s.h(), s.w(), s.outH(), s.outW(),
                s.kh(), s.kw(), s.strideH(), s.strideW(), s.padH(), s.padW(), s.countIncludePad() ? 1 : 0);
    }

    private static long planes(Pool2dSpec s) {
        return (long) s.n() * s.c();
    }

    private static long outputNumel(Pool2dSpec s) {
        return planes(s) * s.outH() * s.outW();
    }

    private static long inputNumel(Pool2dSpec s) {
        return planes(s) * s.h() * s.w();
    }

    private static void checkNoDilation(Pool2dSpec s) {
        if (s.dilationH() != 1 || s.dilationW() != 1) {
            throw new IllegalArgumentException("avgPool2d: dilation must be 1, got (" + s.dilationH() + ", " + s.dilationW() + ")");
        }
    }

    // ---- softmax and losses ----

    /**
     * {@code y} = softmax (log-softmax when {@code spec.log()}) of x over the middle axis of
     * {@code [outer, dim, inner]}. Kernel {@code kiln_softmax_rows_f32} (inner == 1, a warp per row)
     * or {@code kiln_softmax_cols_f32} (a thread per column).
     */
    public void softmax(SoftmaxSpec s, long x, long y) {
        if (s.numel() == 0) return;
        int log = s.log() ? 1 : 0;
        if (s.inner() == 1) launchWarps(KernelNames.SOFTMAX_ROWS_F32, s.outer(), x, y, (long) s.outer(), s.dim(), log);
        else launch1d(KernelNames.SOFTMAX_COLS_F32, (long) s.outer() * s.inner(), x, y, (long) s.outer(), s.dim(), (long) s.inner(), log);
    }

    /**
     * Gradient of {@link #softmax} from its output y: {@code gx = y * (gy - sum(gy*y))}, or for
     * log-softmax {@code gx = gy - exp(y) * sum(gy)}. Kernel {@code kiln_softmax_backward_rows_f32}
     * or {@code kiln_softmax_backward_cols_f32}.
     */
    public void softmaxBackward(SoftmaxSpec s, long y, long gy, long gx) {
        if (s.numel() == 0) return;
        int log = s.log() ? 1 : 0;
        if (s.inner() == 1) {
            launchWarps(KernelNames.SOFTMAX_BACKWARD_ROWS_F32, s.outer(), y, gy, gx, (long) s.outer(), s.dim(), log);
        } else {
            launch1d(KernelNames.SOFTMAX_BACKWARD_COLS_F32, (long) s.outer() * s.inner(), y, gy, gx, (long) s.outer(),
                    s.dim(), (long) s.inner(), log);
        }
    }

    /**
     * Per-row losses {@code [n]} and log-probabilities {@code [n, classes]} of cross-entropy with
     * label smoothing; {@code targets} int32 {@code [n]}. A target outside [0, classes) gives a NaN
     * loss and, if the int32 at {@code errorFlag} is 0, sets it to 1 + that row (the caller zeroes
     * the flag once and reads it at its next sync). Kernel {@code kiln_cross_entropy_f32}, a warp per row.
     */
    public void crossEntropy(CrossEntropySpec s, long logits, long targets, long losses, long logProbs, long errorFlag) {
        launchWarps(KernelNames.CROSS_ENTROPY_F32, s.n(), logits, targets, losses, logProbs, errorFlag, s.n(), s.classes(),
                s.labelSmoothing());
    }

    /**
     * {@code gradLogits[i, j] = gradLoss[i] * (exp(logProbs[i, j]) - q[i, j])} with q the smoothed
     * target distribution; rows with an out-of-range target get NaN. Kernel
     * {@code kiln_cross_entropy_backward_f32}.
     */
    public void crossEntropyBackward(CrossEntropySpec s, long logProbs, long targets, long gradLoss, long gradLogits) {
        launch1d(KernelNames.CROSS_ENTROPY_BACKWARD_F32, (long) s.n() * s.classes(), logProbs, targets, gradLoss, gradLogits,
                s.n(), s.classes(), s.labelSmoothing());
    }

    // ---- random ----

    /**
     * {@code mask[i] = Philox.uniform(seed, offset + i) >= p ? 1/(1-p) : 0} for {@code n} elements,
     * bit-identical to {@link dev.kiln.spi.Philox}; a thread per Philox counter. Kernel
     * {@code kiln_dropout_mask_f32}.
     *
     * @throws IllegalArgumentException if {@code offset} is negative
     */
    public void dropoutMask(long seed, long offset, float p, long mask, long n) {
        if (offset < 0) throw new IllegalArgumentException("dropout: random offset must be >= 0, got " + offset);
        if (n == 0) return;
        long counters = ((offset + n - 1) >>> 2) - (offset >>> 2) + 1;
        launch1d(KernelNames.DROPOUT_MASK_F32, counters, mask, n, seed, offset, p);
    }

    // ---- optimisers ----

    /**
     * One in-place Adam/AdamW step over every tensor i ({@code params[i]}, {@code grads[i]},
     * moments {@code m[i]}, {@code v[i]}, each {@code sizes[i]} float32 elements) in one launch:
     * a table of {param, grad, m, v, numel} per tensor plus a chunk table is uploaded with
     * {@link KernelLauncher#uploadTemporary}. Kernel {@code kiln_adam_f32}.
     *
     * @throws IllegalArgumentException if the arrays differ in length
     */
    public void adamStep(AdamSpec spec, long[] params, long[] grads, long[] m, long[] v, long[] sizes) {
        checkLengths("adam", sizes.length, params, grads, m, v);
        long chunks = KernelArgs.chunkCount(sizes, OPTIM_CHUNK);
        if (chunks == 0) return;
        long tensors = uploadTable(new long[][] {params, grads, m, v}, sizes);
        float bc1 = (float) (1 - Math.pow(spec.beta1(), spec.step()));
        float bc2 = (float) (1 - Math.pow(spec.beta2(), spec.step()));
        launcher.launch(KernelNames.ADAM_F32, (int) Math.min(chunks, MAX_GRID), 1, 1, BLOCK, 1, 1, 0,
                tensors, tensors + 8L * 5 * sizes.length, chunks, OPTIM_CHUNK, spec.lr(), spec.beta1(), spec.beta2(),
                spec.eps(), spec.weightDecay(), spec.decoupled() ? 1 : 0, bc1, bc2);
    }

    /**
     * One in-place SGD step over every tensor i in one launch; {@code buffers} holds the momentum
     * buffers, or is empty when momentum is 0. Table per tensor: {param, grad, buffer or 0, numel}.
     * Kernel {@code kiln_sgd_f32}.
     *
     * @throws IllegalArgumentException if the arrays differ in length, or momentum is non-zero
     *                                  without buffers
     */
    public void sgdStep(SgdSpec spec, long[] params, long[] grads, long[] buffers, long[] sizes) {
        if (buffers.length == 0 && spec.momentum() != 0f) {
            throw new IllegalArgumentException("sgd: momentum " + spec.momentum() + " needs one momentum buffer per parameter, got none");
        }
        long[] bufs = buffers.length == 0 ? new long[sizes.length] : buffers;
        checkLengths("sgd", sizes.length, params, grads, bufs);
        long chunks = KernelArgs.chunkCount(sizes, OPTIM_CHUNK);
        if (chunks == 0) return;
        long tensors = uploadTable(new long[][] {params, grads, bufs}, sizes);
        launcher.launch(KernelNames.SGD_F32, (int) Math.min(chunks, MAX_GRID), 1, 1, BLOCK, 1, 1, 0,
                tensors, tensors + 8L * 4 * sizes.length, chunks, OPTIM_CHUNK, spec.lr(), spec.momentum(),
                spec.dampening(), spec.weightDecay(), spec.nesterov() ? 1 : 0, spec.firstStep() ? 1 : 0);
    }

    private long uploadTable(long[][] columns, long[] sizes) {
        try (Arena arena = Arena.ofConfined()) {
            return launcher.uploadTemporary(KernelArgs.tensorTable(arena, columns, sizes, OPTIM_CHUNK));
        }
    }

    private static void checkLengths(String op, int expected, long[]... arrays) {
        for (long[] a : arrays) {
            if (a.length != expected) {
                throw new IllegalArgumentException(op + ": " + expected + " sizes but a pointer list of " + a.length);
            }
        }
    }

    // ---- launch configuration ----

    /** Grid of blocks for {@code work} items, one per thread, capped (kernels loop grid-stride). */
    static int gridFor(long work) {
        return (int) Math.max(1, Math.min((work + BLOCK - 1) / BLOCK, MAX_GRID));
    }

    private void launch1d(String kernel, long work, Object... args) {
        launcher.launch(kernel, gridFor(work), 1, 1, BLOCK, 1, 1, 0, args);
    }

    /** One warp per row: rows * 32 threads. */
    private void launchWarps(String kernel, long rows, Object... args) {
        launch1d(kernel, rows * WARP, args);
    }

    // ---- indexing (issue 11) ----

    /**
     * {@code out[o, k, i] = x[o, index(o, k, i), i]} over {@code s}'s view for elements of
     * {@code elemBytes} (1, 4 or 8) bytes; {@code index} int32, or int64 when {@code wide}. An
     * out-of-range index writes zero and, if the error record at {@code error} (three uint64, see
     * {@code index.cu}) is clear, sets it to {@code 1 + label}, the value and the size. Kernel
     * {@code kiln_index_gather_any}.
     *
     * @throws IllegalArgumentException if elemBytes is not 1, 4 or 8
     */
    public void indexGather(IndexSpec s, int elemBytes, boolean wide, long x, long index, long out, long error, int label) {
        if (elemBytes != 1 && elemBytes != 4 && elemBytes != 8) {
            throw new IllegalArgumentException(s.op() + ": unsupported element size " + elemBytes + " bytes");
        }
        long n = s.otherNumel();
        if (n == 0) return;
        launch1d(KernelNames.INDEX_GATHER_ANY, n, x, index, out, n, (long) s.size(), (long) s.count(), (long) s.inner(),
                s.shared() ? 1 : 0, wide ? 1 : 0, elemBytes, error, label);
    }

    /**
     * {@code out[o, index(o, k, i), i] += src[o, k, i]} (float32), entries equal to {@code s.skip()}
     * dropped, out-of-range ones dropped and recorded as by {@link #indexGather}. A thread per
     * output column {@code (o, i)} walks k in order: deterministic, without atomics, but only
     * {@code outer * inner} threads wide (an embedding backward runs {@code embeddingDim} threads).
     * Kernel {@code kiln_index_scatter_add_f32}.
     */
    public void indexScatterAdd(IndexSpec s, boolean wide, long src, long index, long out, long error, int label) {
        long columns = (long) s.outer() * s.inner();
        if (columns == 0 || s.count() == 0) return;
        launch1d(KernelNames.INDEX_SCATTER_ADD_F32, columns, src, index, out, columns, (long) s.size(), (long) s.count(),
                (long) s.inner(), s.shared() ? 1 : 0, wide ? 1 : 0, s.skip(), error, label);
    }

    /**
     * INT64 {@code out [n, classes]} one-hot of {@code index [n]} (int32, or int64 when {@code wide});
     * a value outside {@code [0, classes)} leaves its row zero and is recorded as by
     * {@link #indexGather}. Kernel {@code kiln_one_hot_i64}.
     */
    public void oneHot(int classes, long n, boolean wide, long index, long out, long error, int label) {
        if (n == 0) return;
        launch1d(KernelNames.ONE_HOT_I64, Math.max(n * classes, n), index, out, n, (long) classes, wide ? 1 : 0, error, label);
    }

    /**
     * {@code minMax[0..1]} (int64) = the minimum and maximum of {@code index [n]}, by one block.
     * Kernel {@code kiln_index_range_i64}.
     *
     * @throws IllegalArgumentException if n is below 1
     */
    public void indexRange(long n, boolean wide, long index, long minMax) {
        if (n < 1) throw new IllegalArgumentException("indexRange: needs at least one element, got " + n);
        launcher.launch(KernelNames.INDEX_RANGE_I64, 1, 1, 1, BLOCK, 1, 1, 0, index, n, wide ? 1 : 0, minMax);
    }
}
