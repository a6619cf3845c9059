package dev.kiln.cuda.kernels;

import dev.kiln.cuda.driver.KernelLauncher;
import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.ArgReduceSpec;
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
import dev.kiln.spi.TopkSpec;
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
     * Per-position losses {@code [n * inner]} and log-probabilities {@code [n, classes, inner]} of
     * cross-entropy with label smoothing; {@code targets} int32 or int64 {@code [n * inner]} as
     * {@code s.targetType()}. A position whose target is {@code s.ignoreIndex()} gets loss 0 and, when
     * {@code counted} is not 0, a 0 there (1 elsewhere). Any other target outside [0, classes) gives a
     * NaN loss and, if the int32 at {@code errorFlag} is 0, sets it to 1 + that position (the caller
     * zeroes the flag once and reads it at its next sync). Kernel {@code kiln_cross_entropy_f32}, a
     * warp per position.
     */
    public void crossEntropy(CrossEntropySpec s, long logits, long targets, long losses, long logProbs, long counted, long errorFlag) {
        launchWarps(KernelNames.CROSS_ENTROPY_F32, s.positions(), logits, targets, losses, logProbs, counted, errorFlag,
                s.positions(), s.classes(), s.inner(), s.labelSmoothing(), s.ignoreIndex(), longTargets(s));
    }

    /**
     * {@code gradLogits[i, j, k] = gradLoss[p] * (exp(logProbs[i, j, k]) - q[p, j])} with q the
     * smoothed target distribution and {@code p = i * inner + k}; 0 at ignored positions, NaN at
     * positions with an out-of-range target. Kernel {@code kiln_cross_entropy_backward_f32}.
     */
    public void crossEntropyBackward(CrossEntropySpec s, long logProbs, long targets, long gradLoss, long gradLogits) {
        launch1d(KernelNames.CROSS_ENTROPY_BACKWARD_F32, (long) s.positions() * s.classes(), logProbs, targets, gradLoss, gradLogits,
                s.positions(), s.classes(), s.inner(), s.labelSmoothing(), s.ignoreIndex(), longTargets(s));
    }

    private static int longTargets(CrossEntropySpec s) {
        return s.targetType() == dev.kiln.tensor.DType.INT64 ? 1 : 0;
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

    // ---- layer and RMS normalisation (issue 11) ----

    /** Row lanes of {@code kiln_layer_norm_param_grad_f32}: its blocks are {@value #BLOCK} threads = 32 columns x 8 row lanes. */
    static final int LAYER_NORM_ROW_LANES = BLOCK / WARP;

    /**
     * {@code y [rows, cols]} = layer norm (RMS norm when {@code spec.rms()}) of each row of x, and
     * the per-row {@code mean} (0 for RMS norm) and {@code invStd}; {@code w}, {@code b} may be 0
     * (none). Kernel {@code kiln_layer_norm_f32}, a warp per row.
     */
    public void layerNorm(dev.kiln.spi.LayerNormSpec spec, long x, long w, long b, long y, long mean, long invStd) {
        if (spec.rows() == 0) return;
        launchWarps(KernelNames.LAYER_NORM_F32, spec.rows(), x, w, b, y, mean, invStd, (long) spec.rows(), spec.cols(),
                spec.eps(), spec.rms() ? 1 : 0);
    }

    /**
     * Gradients of {@link #layerNorm}: {@code gx} (kernel {@code kiln_layer_norm_backward_f32}, a
     * warp per row) when not 0, and {@code gw}, {@code gb} (kernel
     * {@code kiln_layer_norm_param_grad_f32}, column sums over rows in a fixed order) when either
     * is not 0; {@code w} may be 0 (none).
     */
    public void layerNormBackward(dev.kiln.spi.LayerNormSpec spec, long x, long w, long gy, long mean, long invStd,
                                  long gx, long gw, long gb) {
        int rows = spec.rows(), cols = spec.cols();
        if (gx != 0 && rows > 0) {
            launchWarps(KernelNames.LAYER_NORM_BACKWARD_F32, rows, x, w, gy, mean, invStd, gx, (long) rows, cols, spec.rms() ? 1 : 0);
        }
        if (gw != 0 || gb != 0) {
            int tiles = (cols + WARP - 1) / WARP;
            launcher.launch(KernelNames.LAYER_NORM_PARAM_GRAD_F32, Math.min(tiles, MAX_GRID), 1, 1, BLOCK, 1, 1, 0,
                    x, gy, mean, invStd, gw, gb, (long) rows, cols);
        }
    }

    // ---- attention (issue 11) ----

    /** Threads per block of the attention kernels. */
    static final int ATTENTION_BLOCK = 128;
    /** Dynamic shared memory the attention kernels may use without opting in to more (48 KiB on every GPU). */
    static final int ATTENTION_SHARED_LIMIT = 48 * 1024;

    /**
     * The largest tile (query rows = keys per tile) in 32, 16, ..., 1 whose shared memory fits
     * {@value #ATTENTION_SHARED_LIMIT} bytes in all three attention kernels.
     *
     * @throws IllegalArgumentException if even a tile of 1 does not fit (E or Ev in the thousands)
     */
    static int attentionTile(int e, int ev) {
        for (int t = 32; t >= 1; t /= 2) if (attentionSharedBytes(t, e, ev) <= ATTENTION_SHARED_LIMIT) return t;
        throw new IllegalArgumentException("attention: head sizes E " + e + " and Ev " + ev
                + " need more than 48 KiB of shared memory per block in the CUDA kernel; use smaller heads or the CPU backend");
    }

    /** Bytes of dynamic shared memory of the most demanding attention kernel (dk/dv) at tile {@code t}. */
    static long attentionSharedBytes(int t, int e, int ev) {
        long forward = (long) t * (2L * e + 2L * ev) + (long) t * t + 3L * t;
        long dq = (long) t * (3L * e + 2L * ev) + (long) t * t + 2L * t;
        long dkdv = (long) t * (3L * e + 3L * ev) + 2L * t * t + 2L * t;
        return 4 * Math.max(forward, Math.max(dq, dkdv));
    }

    /**
     * Fused attention forward ({@link AttentionSpec}): {@code out} and {@code lse}; {@code mask} is 0
     * when the spec has none. Kernel {@code kiln_attention_forward_f32}, a block per (problem, query tile).
     *
     * @throws IllegalArgumentException if the head sizes do not fit the kernel's shared memory
     */
    public void attention(AttentionSpec s, long q, long k, long v, long mask, long out, long lse) {
        int tile = attentionTile(s.e(), s.ev());
        long work = s.batch() * ((s.lq() + tile - 1) / tile);
        if (work == 0) return;
        launcher.launch(KernelNames.ATTENTION_FORWARD_F32, (int) Math.min(work, MAX_GRID), 1, 1, ATTENTION_BLOCK, 1, 1,
                (int) attentionSharedBytes(tile, s.e(), s.ev()), attentionArgs(s, tile, q, k, v, mask, out, lse));
    }

    /**
     * Fused attention backward: {@code gq} (kernel {@code kiln_attention_backward_dq_f32}, a block per
     * query tile) and {@code gk}/{@code gv} (kernel {@code kiln_attention_backward_dkdv_f32}, a block
     * per key tile); an address of 0 skips that gradient.
     *
     * @throws IllegalArgumentException if the head sizes do not fit the kernel's shared memory
     */
    public void attentionBackward(AttentionSpec s, long q, long k, long v, long mask, long out, long lse, long gOut,
                                  long gq, long gk, long gv) {
        int tile = attentionTile(s.e(), s.ev());
        int shared = (int) attentionSharedBytes(tile, s.e(), s.ev());
        long qWork = s.batch() * ((s.lq() + tile - 1) / tile), kWork = s.batch() * ((s.lk() + tile - 1) / tile);
        if (gq != 0 && qWork > 0) {
            launcher.launch(KernelNames.ATTENTION_BACKWARD_DQ_F32, (int) Math.min(qWork, MAX_GRID), 1, 1, ATTENTION_BLOCK, 1, 1,
                    shared, attentionArgs(s, tile, q, k, v, mask, out, lse, gOut, gq));
        }
        if ((gk != 0 || gv != 0) && kWork > 0) {
            launcher.launch(KernelNames.ATTENTION_BACKWARD_DKDV_F32, (int) Math.min(kWork, MAX_GRID), 1, 1, ATTENTION_BLOCK, 1, 1,
                    shared, attentionArgs(s, tile, q, k, v, mask, out, lse, gOut, gk, gv));
        }
    }

    /** A kernel's device addresses followed by the scalar tail all three attention kernels share. */
    private static Object[] attentionArgs(AttentionSpec s, int tile, long... pointers) {
        long[] ms = s.maskStrides();
        Object[] tail = {(long) s.outer(), s.heads(), s.lq(), s.lk(), s.e(), s.ev(), s.scale(), s.causal() ? 1 : 0,
            s.maskKind().ordinal(), ms[0], ms[1], ms[2], ms[3], s.dropoutP(), s.seed(), s.offset(), tile};
        Object[] args = new Object[pointers.length + tail.length];
        for (int i = 0; i < pointers.length; i++) args[i] = pointers[i];
        System.arraycopy(tail, 0, args, pointers.length, tail.length);
        return args;
    }

    // ---- value and index reductions (issue 11) ----

    /**
     * Max or min of each line of {@code x [outer, dim, inner]} and its int64 index (first among
     * equal values; the first NaN wins); {@code values} may be 0 (indices only). Kernel
     * {@code kiln_arg_reduce_rows_f32} (a warp per row) when inner is 1, else {@code kiln_arg_reduce_f32}.
     */
    public void argReduce(ArgReduceSpec s, long x, long values, long indices) {
        if (s.lines() == 0) return;
        int max = s.max() ? 1 : 0;
        if (s.inner() == 1) launchWarps(KernelNames.ARG_REDUCE_ROWS_F32, s.outer(), x, values, indices, (long) s.outer(), (long) s.dim(), max);
        else launch1d(KernelNames.ARG_REDUCE_F32, s.lines(), x, values, indices, (long) s.outer(), (long) s.dim(), (long) s.inner(), max);
    }

    /** The k selected values and int64 indices of each line, sorted. Kernel {@code kiln_topk_f32}, a thread per line. */
    public void topk(TopkSpec s, long x, long values, long indices) {
        if (s.outNumel() == 0) return;
        launch1d(KernelNames.TOPK_F32, (long) s.outer() * s.inner(), x, values, indices, (long) s.outer(), (long) s.dim(),
                (long) s.inner(), (long) s.k(), s.largest() ? 1 : 0);
    }

    /** Writes each of {@code gy}'s elements to its index of {@code gx}, which the caller has zeroed. Kernel {@code kiln_topk_backward_f32}. */
    public void topkBackward(TopkSpec s, long gy, long indices, long gx) {
        if (s.outNumel() == 0) return;
        launch1d(KernelNames.TOPK_BACKWARD_F32, s.outNumel(), gy, indices, gx, (long) s.outer(), (long) s.dim(), (long) s.inner(),
                (long) s.k());
    }

    // ---- masks and dtypes (issue 11) ----

    /**
     * {@link #stridedCopy(StridedCopySpec, long, long)} for elements of {@code elementBytes} bytes:
     * kernel {@code kiln_strided_copy_b8}, {@code _b32} or {@code _b64}.
     *
     * @throws IllegalArgumentException if the width is not 1, 4 or 8, or the copy does not coalesce to at most 8 dimensions
     */
    public void stridedCopy(StridedCopySpec spec, int elementBytes, long x, long y) {
        String kernel = byWidth("stridedCopy", elementBytes, KernelNames.STRIDED_COPY_B8, KernelNames.STRIDED_COPY_B32,
                KernelNames.STRIDED_COPY_B64);
        long n = spec.numel();
        if (n == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            launch1d(kernel, n, x, y, n, KernelArgs.stridedCopy(arena, spec));
        }
    }

    /** {@code y[i] = (to) x[i]} for {@code n} elements, by the SPI's conversion rules. Kernel {@code kiln_cast_any}. */
    public void cast(dev.kiln.tensor.DType from, dev.kiln.tensor.DType to, long x, long y, long n) {
        if (n == 0) return;
        launch1d(KernelNames.CAST_ANY, n, from.ordinal(), to.ordinal(), x, y, n);
    }

    /**
     * BOOL {@code out = a (op) b} with NumPy broadcasting, a and b of dtype {@code type}; the map is
     * a {@code KilnBroadcast} as for {@link #binary}. Kernel {@code kiln_compare_f32}, {@code _i32},
     * {@code _i64} or {@code _b8}.
     *
     * @throws IllegalArgumentException if the shapes do not coalesce to at most 8 dimensions
     */
    public void compare(dev.kiln.spi.CompareOp op, dev.kiln.tensor.DType type, Broadcast spec, long a, long b, long out) {
        String kernel = switch (type) {
            case FLOAT32 -> KernelNames.COMPARE_F32;
            case INT32 -> KernelNames.COMPARE_I32;
            case INT64 -> KernelNames.COMPARE_I64;
            case BOOL -> KernelNames.COMPARE_B8;
        };
        long n = spec.numel();
        if (n == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            launch1d(kernel, n, op.ordinal(), a, b, out, n, KernelArgs.broadcast(arena, spec));
        }
    }

    /**
     * {@code out = cond ? a : b} broadcast over all three (cond BOOL), elements of
     * {@code elementBytes} bytes; the map is a {@code KilnWhere}. Kernel {@code kiln_where_b8},
     * {@code _b32} or {@code _b64}.
     *
     * @throws IllegalArgumentException if the width is not 1, 4 or 8, or the shapes do not coalesce to at most 8 dimensions
     */
    public void where(dev.kiln.spi.WhereSpec spec, int elementBytes, long cond, long a, long b, long out) {
        String kernel = byWidth("where", elementBytes, KernelNames.WHERE_B8, KernelNames.WHERE_B32, KernelNames.WHERE_B64);
        long n = spec.numel();
        if (n == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            launch1d(kernel, n, cond, a, b, out, n, KernelArgs.where(arena, spec));
        }
    }

    /**
     * {@code y} = the lower or upper triangle of each matrix of {@code x} (zero bits elsewhere),
     * elements of {@code elementBytes} bytes. Kernel {@code kiln_triangle_b8}, {@code _b32} or {@code _b64}.
     *
     * @throws IllegalArgumentException if the width is not 1, 4 or 8
     */
    public void triangle(dev.kiln.spi.TriangleSpec spec, int elementBytes, long x, long y) {
        String kernel = byWidth("triangle", elementBytes, KernelNames.TRIANGLE_B8, KernelNames.TRIANGLE_B32, KernelNames.TRIANGLE_B64);
        long n = spec.numel();
        if (n == 0) return;
        launch1d(kernel, n, x, y, n, spec.rows(), spec.cols(), spec.diagonal(), spec.upper() ? 1 : 0);
    }

    private static String byWidth(String op, int elementBytes, String b8, String b32, String b64) {
        return switch (elementBytes) {
            case 1 -> b8;
            case 4 -> b32;
            case 8 -> b64;
            default -> throw new IllegalArgumentException(op + ": elements of " + elementBytes + " bytes, expected 1, 4 or 8");
        };
    }

    // ---- recurrent cells (issue 11) ----

    /**
     * Fused LSTM cell on {@code spec.batch() x spec.hidden()} states: gates {@code [batch, 4 * hidden]}
     * (i, f, g, o), writes h, c and the activated gates. Kernel {@code kiln_lstm_cell_f32}.
     */
    public void lstmCell(dev.kiln.spi.RnnCellSpec spec, long xg, long hg, long cPrev, long h, long c, long act) {
        long n = spec.stateNumel();
        if (n == 0) return;
        launch1d(KernelNames.LSTM_CELL_F32, n, xg, hg, cPrev, h, c, act, (long) spec.batch(), (long) spec.hidden());
    }

    /** Backward of {@link #lstmCell}: gate and previous-cell gradients. Kernel {@code kiln_lstm_cell_backward_f32}. */
    public void lstmCellBackward(dev.kiln.spi.RnnCellSpec spec, long act, long cPrev, long c, long gh, long gc, long gGates, long gcPrev) {
        long n = spec.stateNumel();
        if (n == 0) return;
        launch1d(KernelNames.LSTM_CELL_BACKWARD_F32, n, act, cPrev, c, gh, gc, gGates, gcPrev, (long) spec.batch(), (long) spec.hidden());
    }

    /**
     * Fused GRU cell: gates {@code [batch, 3 * hidden]} (r, z, n), writes h and the activated gates.
     * Kernel {@code kiln_gru_cell_f32}.
     */
    public void gruCell(dev.kiln.spi.RnnCellSpec spec, long xg, long hg, long hPrev, long h, long act) {
        long n = spec.stateNumel();
        if (n == 0) return;
        launch1d(KernelNames.GRU_CELL_F32, n, xg, hg, hPrev, h, act, (long) spec.batch(), (long) spec.hidden());
    }

    /** Backward of {@link #gruCell}: both projections' gradients and hPrev's pointwise part. Kernel {@code kiln_gru_cell_backward_f32}. */
    public void gruCellBackward(dev.kiln.spi.RnnCellSpec spec, long act, long hg, long hPrev, long gh, long gxg, long ghg, long ghPrev) {
        long n = spec.stateNumel();
        if (n == 0) return;
        launch1d(KernelNames.GRU_CELL_BACKWARD_F32, n, act, hg, hPrev, gh, gxg, ghg, ghPrev, (long) spec.batch(), (long) spec.hidden());
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
