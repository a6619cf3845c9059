package dev.kiln.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.kernels.Attention;
import dev.kiln.cpu.kernels.ArgReduce;
import dev.kiln.cpu.kernels.BatchNorm;
import dev.kiln.cpu.kernels.Conv2d;
import dev.kiln.cpu.kernels.CrossEntropy;
import dev.kiln.cpu.kernels.Dropout;
import dev.kiln.cpu.kernels.Elementwise;
import dev.kiln.cpu.kernels.Gemm;
import dev.kiln.cpu.kernels.IndexAlong;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.cpu.kernels.Optimizers;
import dev.kiln.cpu.kernels.Pad2d;
import dev.kiln.cpu.kernels.Pool2d;
import dev.kiln.cpu.kernels.Reduce;
import dev.kiln.cpu.kernels.Softmax;
import dev.kiln.cpu.kernels.StridedCopy;
import dev.kiln.cpu.kernels.Topk;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.ArgReduceSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BatchNormSpec;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.IndexSpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.PadSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.SgdSpec;
import dev.kiln.spi.SoftmaxSpec;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.spi.Storage;
import dev.kiln.spi.TopkSpec;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Device;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pure-Java backend: off-heap {@link CpuStorage}, kernels in {@code dev.kiln.cpu.kernels}
 * run synchronously on a dedicated {@link CpuThreadPool}. Every kernel splits work so that its
 * result is bit-identical for any pool size.
 */
public final class CpuBackend implements Backend, AutoCloseable {
    private final CpuThreadPool pool;
    private final AtomicLong bytesInUse = new AtomicLong();
    private final SegmentCache cache = new SegmentCache();

    /**
     * A backend computing on {@code threads} threads (tests use different sizes to check determinism).
     *
     * @param threads worker threads, the calling thread included
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public CpuBackend(int threads) {
        this.pool = new CpuThreadPool(threads);
    }

    /**
     * The worker pool.
     *
     * @return the pool that runs this backend's kernels
     */
    public CpuThreadPool pool() {
        return pool;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String description() {
        return "cpu: pure Java, " + pool.threads() + " threads, gemm " + MicroKernels.get().name() + ", Java " + Runtime.version();
    }

    // ---- memory ----

    @Override
    public Storage allocate(DType dtype, long numel) {
        if (warmupPending.get()) startWarmup();
        CpuStorage s = new CpuStorage(this, dtype, numel, bytesInUse, cache);
        peakBytesInUse.accumulateAndGet(bytesInUse.get(), Math::max);
        return s;
    }

    @Override
    public void copyFromHost(MemorySegment src, Storage dst) {
        MemorySegment.copy(src, 0, seg(dst), 0, dst.byteSize());
    }

    @Override
    public void copyToHost(Storage src, MemorySegment dst) {
        MemorySegment.copy(seg(src), 0, dst, 0, src.byteSize());
    }

    @Override
    public void copy(Storage src, Storage dst) {
        MemorySegment.copy(seg(src), 0, seg(dst), 0, dst.byteSize());
    }

    @Override
    public void stridedCopy(StridedCopySpec spec, Storage in, Storage out) {
        spec.checkFits(in.numel(), out.numel());
        requireSameDType("stridedCopy", in, out);
        StridedCopy.forward(pool, spec, in.dtype().byteSize(), seg(in), seg(out));
    }

    @Override
    public void fill(Storage dst, float value) {
        MemorySegment d = seg(dst);
        if (dst.dtype() == DType.INT32) {
            int v = (int) value;
            pool.parallelRange(dst.numel(), 1 << 16, (s, e) -> {
                for (long i = s; i < e; i++) d.setAtIndex(JAVA_INT, i, v);
            });
        } else if (dst.dtype() == DType.INT64) {
            long v = (long) value;
            pool.parallelRange(dst.numel(), 1 << 16, (s, e) -> {
                for (long i = s; i < e; i++) d.setAtIndex(JAVA_LONG, i, v);
            });
        } else if (dst.dtype() == DType.BOOL) {
            d.fill(value != 0f ? (byte) 1 : 0);
        } else {
            pool.parallelRange(dst.numel(), 1 << 16, (s, e) -> {
                for (long i = s; i < e; i++) d.setAtIndex(JAVA_FLOAT, i, value);
            });
        }
    }

    @Override
    public long bytesInUse() {
        return bytesInUse.get();
    }

    /** Kernels run synchronously: nothing is ever queued. */
    @Override
    public void synchronize() {}

    // ---- elementwise ----

    @Override
    public void unary(UnaryOp op, float alpha, Storage x, Storage out) {
        Elementwise.unary(pool, op, alpha, seg(x), seg(out), out.numel());
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Storage x, Storage y, Storage gradOut, Storage gradIn) {
        Elementwise.unaryBackward(pool, op, alpha, segOrNull(x), segOrNull(y), seg(gradOut), seg(gradIn), gradIn.numel());
    }

    @Override
    public void binary(BinaryOp op, Broadcast spec, Storage a, Storage b, Storage out) {
        Elementwise.binary(pool, op, spec, seg(a), seg(b), seg(out));
    }

    @Override
    public void scalar(ScalarOp op, Storage x, float s, Storage out) {
        Elementwise.scalar(pool, op, seg(x), s, seg(out), out.numel());
    }

    // ---- reductions ----

    @Override
    public void sum(ReduceSpec spec, Storage x, Storage out) {
        Reduce.sum(pool, spec, seg(x), seg(out));
    }

    @Override
    public void argmax(int rows, int cols, Storage x, Storage out) {
        Reduce.argmax(pool, rows, cols, seg(x), seg(out));
    }

    // ---- linear algebra ----

    @Override
    public void matmul(MatmulSpec spec, Storage a, Storage b, Storage out) {
        Gemm.matmul(pool, spec, seg(a), seg(b), seg(out));
    }

    // ---- convolution ----

    @Override
    public void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y) {
        Conv2d.forward(pool, spec, seg(x), seg(w), segOrNull(bias), seg(y));
    }

    /** One pass: the ReLU is applied to each chunk's GEMM output while it is in cache. */
    @Override
    public void conv2dRelu(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y) {
        Conv2d.forward(pool, spec, seg(x), seg(w), segOrNull(bias), seg(y), true);
    }

    /** One pass over y and gy writes gz and sums the bias gradient (same order as {@link #conv2dBackwardBias}). */
    @Override
    public void conv2dReluBackward(Conv2dSpec spec, Storage y, Storage gy, Storage gz, Storage gb) {
        Conv2d.reluBackward(pool, spec, seg(y), seg(gy), seg(gz), segOrNull(gb));
    }

    @Override
    public void conv2dBackwardData(Conv2dSpec spec, Storage gy, Storage w, Storage gx) {
        Conv2d.backwardData(pool, spec, seg(gy), seg(w), seg(gx));
    }

    @Override
    public void conv2dBackwardWeight(Conv2dSpec spec, Storage x, Storage gy, Storage gw) {
        Conv2d.backwardWeight(pool, spec, seg(x), seg(gy), seg(gw));
    }

    @Override
    public void conv2dBackwardBias(Conv2dSpec spec, Storage gy, Storage gb) {
        Conv2d.backwardBias(pool, spec, seg(gy), seg(gb));
    }

    @Override
    public void pad2d(PadSpec spec, Storage x, Storage y) {
        Pad2d.forward(pool, spec, seg(x), seg(y));
    }

    @Override
    public void pad2dBackward(PadSpec spec, Storage gy, Storage gx) {
        Pad2d.backward(pool, spec, seg(gy), seg(gx));
    }

    // ---- pooling ----

    @Override
    public void maxPool2d(Pool2dSpec spec, Storage x, Storage y) {
        Pool2d.maxForward(pool, spec, seg(x), seg(y));
    }

    @Override
    public void maxPool2dBackward(Pool2dSpec spec, Storage x, Storage y, Storage gy, Storage gx) {
        Pool2d.maxBackward(pool, spec, seg(x), seg(y), seg(gy), seg(gx));
    }

    @Override
    public void avgPool2d(Pool2dSpec spec, Storage x, Storage y) {
        Pool2d.avgForward(pool, spec, seg(x), seg(y));
    }

    @Override
    public void avgPool2dBackward(Pool2dSpec spec, Storage gy, Storage gx) {
        Pool2d.avgBackward(pool, spec, seg(gy), seg(gx));
    }

    // ---- softmax and losses ----

    @Override
    public void softmax(SoftmaxSpec spec, Storage x, Storage y) {
        Softmax.forward(pool, spec, seg(x), seg(y));
    }

    @Override
    public void softmaxBackward(SoftmaxSpec spec, Storage y, Storage gy, Storage gx) {
        Softmax.backward(pool, spec, seg(y), seg(gy), seg(gx));
    }

    @Override
    public void crossEntropy(CrossEntropySpec spec, Storage logits, Storage targets, Storage losses, Storage logProbs, Storage counted) {
        CrossEntropy.forward(pool, spec, seg(logits), seg(targets), seg(losses), seg(logProbs), segOrNull(counted));
    }

    @Override
    public void crossEntropyBackward(CrossEntropySpec spec, Storage logProbs, Storage targets, Storage gradLoss, Storage gradLogits) {
        CrossEntropy.backward(pool, spec, seg(logProbs), seg(targets), seg(gradLoss), seg(gradLogits));
    }

    // ---- normalisation ----

    @Override
    public void batchNormTrain(BatchNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y,
                               Storage saveMean, Storage saveInvStd, Storage runningMean, Storage runningVar) {
        BatchNorm.train(pool, spec, seg(x), segOrNull(gamma), segOrNull(beta), seg(y), seg(saveMean), seg(saveInvStd),
                segOrNull(runningMean), segOrNull(runningVar));
    }

    @Override
    public void batchNormEval(BatchNormSpec spec, Storage x, Storage gamma, Storage beta,
                              Storage runningMean, Storage runningVar, Storage y) {
        BatchNorm.eval(pool, spec, seg(x), segOrNull(gamma), segOrNull(beta), seg(runningMean), seg(runningVar), seg(y));
    }

    @Override
    public void batchNormBackward(BatchNormSpec spec, Storage x, Storage gamma, Storage gy,
                                  Storage saveMean, Storage saveInvStd, Storage gx, Storage gGamma, Storage gBeta) {
        BatchNorm.backward(pool, spec, seg(x), segOrNull(gamma), seg(gy), seg(saveMean), seg(saveInvStd),
                segOrNull(gx), segOrNull(gGamma), segOrNull(gBeta));
    }

    // ---- random ----

    @Override
    public void dropoutMask(long seed, long offset, float p, Storage mask) {
        Dropout.mask(pool, seed, offset, p, seg(mask), mask.numel());
    }

    // ---- optimisers ----

    @Override
    public void adamStep(AdamSpec spec, List<Storage> params, List<Storage> grads, List<Storage> m, List<Storage> v) {
        for (int i = 0; i < params.size(); i++) {
            Storage p = params.get(i);
            Optimizers.adam(pool, spec, seg(p), seg(grads.get(i)), seg(m.get(i)), seg(v.get(i)), p.numel());
        }
    }

    @Override
    public void sgdStep(SgdSpec spec, List<Storage> params, List<Storage> grads, List<Storage> momentumBuffers) {
        for (int i = 0; i < params.size(); i++) {
            Storage p = params.get(i);
            MemorySegment buf = momentumBuffers.isEmpty() ? null : seg(momentumBuffers.get(i));
            Optimizers.sgd(pool, spec, seg(p), seg(grads.get(i)), buf, p.numel());
        }
    }

    /** Stops the worker threads and frees cached memory; storages stay valid until closed. */
    @Override
    public void close() {
        pool.close();
        cache.clear();
    }

    @Override
    public String toString() {
        return description();
    }

    private static MemorySegment seg(Storage s) {
        if (s instanceof CpuStorage c) return c.segment();
        throw new IllegalArgumentException("cpu: storage " + s + " belongs to backend '" + s.backend().name() + "', not cpu; copy it to the cpu first");
    }

    private static MemorySegment segOrNull(Storage s) {
        return s == null ? null : seg(s);
    }

    // ---- layer and RMS normalisation (issue 11) ----

    @Override
    public void layerNorm(dev.kiln.spi.LayerNormSpec spec, Storage x, Storage weight, Storage bias, Storage y,
                          Storage saveMean, Storage saveInvStd) {
        dev.kiln.cpu.kernels.LayerNorm.forward(pool, spec, seg(x), segOrNull(weight), segOrNull(bias), seg(y), seg(saveMean),
                seg(saveInvStd));
    }

    @Override
    public void layerNormBackward(dev.kiln.spi.LayerNormSpec spec, Storage x, Storage weight, Storage gy, Storage saveMean,
                                  Storage saveInvStd, Storage gx, Storage gWeight, Storage gBias) {
        dev.kiln.cpu.kernels.LayerNorm.backward(pool, spec, seg(x), segOrNull(weight), seg(gy), seg(saveMean), seg(saveInvStd),
                segOrNull(gx), segOrNull(gWeight), segOrNull(gBias));
    }

    // ---- attention (issue 11) ----

    /** Highest {@link #bytesInUse()} seen right after an allocation, since creation or the last {@link #resetPeakBytesInUse()}. */
    private final AtomicLong peakBytesInUse = new AtomicLong();

    @Override
    public void attention(AttentionSpec spec, Storage q, Storage k, Storage v, Storage mask, Storage out, Storage lse) {
        Attention.forward(pool, spec, seg(q), seg(k), seg(v), segOrNull(mask), seg(out), seg(lse));
    }

    @Override
    public void attentionBackward(AttentionSpec spec, Storage q, Storage k, Storage v, Storage mask, Storage out, Storage lse,
                                  Storage gradOut, Storage gq, Storage gk, Storage gv) {
        Attention.backward(pool, spec, seg(q), seg(k), seg(v), segOrNull(mask), seg(out), seg(lse), seg(gradOut), segOrNull(gq),
                segOrNull(gk), segOrNull(gv));
    }

    /**
     * The most bytes this backend's live storages held at once (sampled after every allocation),
     * since it was created or since {@link #resetPeakBytesInUse()}: a memory-use measurement for
     * tests and benchmarks.
     *
     * @return the peak of {@link #bytesInUse()}
     */
    public long peakBytesInUse() {
        return peakBytesInUse.get();
    }

    /**
     * Starts a new peak measurement at the current {@link #bytesInUse()}.
     *
     * @return the peak measured until now
     */
    public long resetPeakBytesInUse() {
        return peakBytesInUse.getAndSet(bytesInUse.get());
    }

    // ---- value and index reductions (issue 11) ----

    @Override
    public void argReduce(ArgReduceSpec spec, Storage x, Storage values, Storage indices) {
        ArgReduce.forward(pool, spec, seg(x), segOrNull(values), seg(indices));
    }

    @Override
    public void topk(TopkSpec spec, Storage x, Storage values, Storage indices) {
        Topk.forward(pool, spec, seg(x), seg(values), seg(indices));
    }

    @Override
    public void topkBackward(TopkSpec spec, Storage gy, Storage indices, Storage gx) {
        Topk.backward(pool, spec, seg(gy), seg(indices), seg(gx));
    }

    // ---- masks and dtypes (issue 11) ----

    @Override
    public void cast(Storage in, Storage out) {
        if (in.numel() != out.numel()) {
            throw new IllegalArgumentException("cast: " + in.numel() + " input elements but " + out.numel() + " output elements");
        }
        dev.kiln.cpu.kernels.Cast.forward(pool, in.dtype(), out.dtype(), seg(in), seg(out), out.numel());
    }

    @Override
    public void compare(dev.kiln.spi.CompareOp op, Broadcast spec, Storage a, Storage b, Storage out) {
        requireSameDType("compare", a, b);
        dev.kiln.cpu.kernels.Compare.forward(pool, op, spec, a.dtype(), seg(a), seg(b), seg(out));
    }

    @Override
    public void where(dev.kiln.spi.WhereSpec spec, Storage cond, Storage a, Storage b, Storage out) {
        requireSameDType("where", a, b);
        requireSameDType("where", a, out);
        dev.kiln.cpu.kernels.Where.forward(pool, spec, out.dtype().byteSize(), seg(cond), seg(a), seg(b), seg(out));
    }

    @Override
    public void triangle(dev.kiln.spi.TriangleSpec spec, Storage x, Storage out) {
        requireSameDType("triangle", x, out);
        dev.kiln.cpu.kernels.Triangle.forward(pool, spec, out.dtype().byteSize(), seg(x), seg(out));
    }

    /** The SPI passes raw bytes between storages of one dtype; a mismatch would misread every element. */
    private static void requireSameDType(String op, Storage a, Storage b) {
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException(op + ": storages of " + a.dtype() + " and " + b.dtype() + ", expected one dtype");
    }

    // ---- recurrent cells (issue 11) ----

    @Override
    public void lstmCell(dev.kiln.spi.RnnCellSpec spec, Storage inputGates, Storage hiddenGates, Storage cPrev, Storage h, Storage c,
                         Storage gates) {
        dev.kiln.cpu.kernels.RnnCells.lstm(pool, spec, seg(inputGates), seg(hiddenGates), seg(cPrev), seg(h), seg(c), seg(gates));
    }

    @Override
    public void lstmCellBackward(dev.kiln.spi.RnnCellSpec spec, Storage gates, Storage cPrev, Storage c, Storage gh, Storage gc,
                                 Storage gGates, Storage gcPrev) {
        dev.kiln.cpu.kernels.RnnCells.lstmBackward(pool, spec, seg(gates), seg(cPrev), seg(c), seg(gh), seg(gc), seg(gGates), seg(gcPrev));
    }

    @Override
    public void gruCell(dev.kiln.spi.RnnCellSpec spec, Storage inputGates, Storage hiddenGates, Storage hPrev, Storage h, Storage gates) {
        dev.kiln.cpu.kernels.RnnCells.gru(pool, spec, seg(inputGates), seg(hiddenGates), seg(hPrev), seg(h), seg(gates));
    }

    @Override
    public void gruCellBackward(dev.kiln.spi.RnnCellSpec spec, Storage gates, Storage hiddenGates, Storage hPrev, Storage gh,
                                Storage gInputGates, Storage gHiddenGates, Storage ghPrev) {
        dev.kiln.cpu.kernels.RnnCells.gruBackward(pool, spec, seg(gates), seg(hiddenGates), seg(hPrev), seg(gh), seg(gInputGates),
                seg(gHiddenGates), seg(ghPrev));
    }

    // ---- indexing (issue 11) ----

    @Override
    public void indexGather(IndexSpec spec, Storage x, Storage index, Storage out) {
        IndexAlong.gather(pool, spec, x.dtype().byteSize(), seg(x), seg(index), wide(index), seg(out));
    }

    @Override
    public void indexScatterAdd(IndexSpec spec, Storage src, Storage index, Storage out) {
        IndexAlong.scatterAdd(pool, spec, seg(src), seg(index), wide(index), seg(out));
    }

    @Override
    public void oneHot(int classes, Storage index, Storage out) {
        IndexAlong.oneHot(pool, classes, index.numel(), seg(index), wide(index), seg(out));
    }

    @Override
    public long[] indexRange(Storage index) {
        return IndexAlong.range(index.numel(), seg(index), wide(index));
    }

    /** INT64 indices are read as longs, INT32 as ints. */
    private static boolean wide(Storage index) {
        return index.dtype() == DType.INT64;
    }

    // ---- conv kernels (issue 13) ----

    /** 2 x 2 / stride-2 pools are taken from each convolution chunk while it is in cache; other pools compose. */
    @Override
    public void conv2dReluMaxPool2d(Conv2dSpec conv, Pool2dSpec pool2d, Storage x, Storage w, Storage bias, Storage y, Storage out) {
        if (!Conv2d.poolFuses(conv, pool2d)) {
            Backend.super.conv2dReluMaxPool2d(conv, pool2d, x, w, bias, y, out);
            return;
        }
        Conv2d.forwardReluMaxPool(pool, conv, pool2d, seg(x), seg(w), segOrNull(bias), segOrNull(y), seg(out));
    }

    /** One pass writes the convolution's output gradient and sums the bias gradient ({@link dev.kiln.cpu.kernels.PoolReluBackward}); other pools compose. */
    @Override
    public void conv2dReluMaxPool2dBackward(Conv2dSpec conv, Pool2dSpec pool2d, Storage y, Storage out, Storage gOut, Storage gz, Storage gb) {
        if (!Conv2d.poolFuses(conv, pool2d)) {
            Backend.super.conv2dReluMaxPool2dBackward(conv, pool2d, y, out, gOut, gz, gb);
            return;
        }
        dev.kiln.cpu.kernels.PoolReluBackward.run(pool, conv, pool2d, seg(y), seg(out), seg(gOut), seg(gz), segOrNull(gb));
    }

    // ---- warm-up (issue 13) ----
    /** Set by the provider: start {@link CpuWarmup} with the first allocation, when the backend is in use, not just probed. */
    private final java.util.concurrent.atomic.AtomicBoolean warmupPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Thread warmupThread;

    /** Makes the first {@link #allocate} start the background kernel warm-up ({@link CpuWarmup}). */
    void warmUpOnFirstUse() {
        warmupPending.set(true);
    }

    /** The warm-up thread this backend started, or null (none asked for, not used yet, or switched off). */
    Thread warmupThread() {
        return warmupThread;
    }

    private void startWarmup() {
        if (warmupPending.compareAndSet(true, false)) warmupThread = CpuWarmup.startInBackground();
    }
}
