package dev.kiln.cuda;

import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.Driver;
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
import dev.kiln.spi.Storage;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.spi.TopkSpec;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CUDA backend: one device, one compute stream. GEMMs run on cuBLAS, convolutions, pooling
 * forwards, softmax and batch norm on cuDNN, everything else on Kiln's kernels
 * ({@link dev.kiln.cuda.kernels.KernelOps}). Calls are serialised by one lock and queue work
 * asynchronously; {@link #copyToHost} and {@link #synchronize} wait for it. FP32 throughout unless
 * TF32 is enabled ({@link CudaOptions}). Created by {@link CudaBackendProvider#probe()}.
 */
public final class CudaBackend implements Backend, AutoCloseable {
    private final CudaRuntime rt;
    private final CudnnOps dnn;
    private final AtomicLong bytesInUse = new AtomicLong();
    private final Device device;
    private final String description;
    /** Classes of the last crossEntropy whose error flag is not yet read, or 0. */
    private int pendingCrossEntropyClasses;

    CudaBackend(CudaRuntime rt) {
        this.rt = rt;
        this.dnn = new CudnnOps(rt);
        this.device = Device.cuda(rt.ordinal);
        this.description = device + " " + rt.deviceName + " (sm_" + rt.ccMajor + rt.ccMinor + ", " + rt.multiprocessors
                + " SMs), driver CUDA " + version(rt.driverVersion / 1000, (rt.driverVersion % 1000) / 10)
                + ", cuBLAS " + version(rt.cublasVersion / 10000, rt.cublasVersion / 100 % 100, rt.cublasVersion % 100)
                + ", cuDNN " + version(rt.cudnnVersion / 10000, rt.cudnnVersion / 100 % 100, rt.cudnnVersion % 100)
                + ", kernels " + rt.kernelsOrigin + ", " + (rt.options.tf32() ? "TF32" : "FP32")
                + (rt.options.deterministic() ? ", deterministic" : "")
                + (rt.options.benchmark() ? ", conv benchmark" : "");
    }

    private static String version(long... parts) {
        StringBuilder sb = new StringBuilder();
        for (long p : parts) sb.append(sb.isEmpty() ? "" : ".").append(p);
        return sb.toString();
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Where Kiln's kernels came from: {@code kiln.fatbin}, or e.g. {@code NVRTC 13.0 cubin sm_90}
     * when they were compiled at run time ({@link CudaOptions.Kernels}).
     *
     * @return the kernels' origin, for logs and {@code ./kiln doctor}
     */
    public String kernelsOrigin() {
        return rt.kernelsOrigin;
    }

    /** {@return allocator counters (allocated, cached, peak bytes)} */
    public CudaMemoryStats memoryStats() {
        return rt.allocator.stats();
    }

    /** Gives the allocator's cached blocks back to the device. */
    public void emptyCache() {
        try (var _ = rt.begin("emptyCache")) {
            rt.allocator.releaseCache();
        }
    }

    private static long ptr(Storage s) {
        if (s == null) return 0;
        if (!(s instanceof CudaStorage c)) {
            throw new IllegalArgumentException("cuda: storage belongs to backend '" + s.backend().name() + "', not this CUDA backend");
        }
        return c.address();
    }

    // ---- memory ----

    @Override
    public Storage allocate(DType dtype, long numel) {
        if (numel < 0) throw new IllegalArgumentException("cuda: cannot allocate " + numel + " elements");
        try (var _ = rt.begin("allocate")) {
            long address = rt.allocator.allocate(Math.multiplyExact(numel, (long) dtype.byteSize()));
            return new CudaStorage(this, dtype, numel, address, rt.allocator, bytesInUse);
        }
    }

    @Override
    public void copyFromHost(MemorySegment src, Storage dst) {
        long bytes = dst.byteSize();
        if (src.byteSize() < bytes) {
            throw new IllegalArgumentException("cuda: copyFromHost needs " + bytes + " bytes, the host segment has " + src.byteSize());
        }
        if (bytes == 0) return;
        try (var _ = rt.begin("copyFromHost")) {
            rt.staging.upload(src.asSlice(0, bytes), ptr(dst));
        }
    }

    @Override
    public void copyToHost(Storage src, MemorySegment dst) {
        long bytes = src.byteSize();
        if (dst.byteSize() < bytes) {
            throw new IllegalArgumentException("cuda: copyToHost needs " + bytes + " bytes, the host segment has " + dst.byteSize());
        }
        try (var _ = rt.begin("copyToHost")) {
            rt.staging.download(ptr(src), dst.asSlice(0, bytes));
            checkDeferredErrors();
        }
    }

    @Override
    public void copy(Storage src, Storage dst) {
        // A larger src would be written past the end of dst's device block.
        if (src.byteSize() != dst.byteSize()) {
            throw new IllegalArgumentException("cuda: copy needs storages of one size, src has " + src.byteSize() + " bytes ("
                    + src.dtype() + " x " + src.numel() + "), dst " + dst.byteSize() + " bytes (" + dst.dtype() + " x " + dst.numel() + ")");
        }
        if (src.byteSize() == 0) return;
        try (var _ = rt.begin("copy")) {
            Driver.copyDeviceToDevice(ptr(dst), ptr(src), src.byteSize(), rt.stream);
        }
    }

    @Override
    public void fill(Storage dst, float value) {
        if (dst.numel() == 0) return;
        try (var _ = rt.begin("fill")) {
            switch (dst.dtype()) {
                case FLOAT32 -> Driver.memsetD32(ptr(dst), Float.floatToRawIntBits(value), dst.numel(), rt.stream);
                case INT32 -> Driver.memsetD32(ptr(dst), (int) value, dst.numel(), rt.stream);
                case BOOL -> Driver.memsetD8(ptr(dst), value != 0f ? (byte) 1 : 0, dst.numel(), rt.stream);
                case INT64 -> {
                    // Little-endian: the low word then the high word of each element, each set with a pitch of 8 bytes.
                    long v = (long) value;
                    Driver.memsetD2D32(ptr(dst), 8, (int) v, 1, dst.numel(), rt.stream);
                    Driver.memsetD2D32(ptr(dst) + 4, 8, (int) (v >>> 32), 1, dst.numel(), rt.stream);
                }
            }
        }
    }

    @Override
    public long bytesInUse() {
        return bytesInUse.get();
    }

    @Override
    public void synchronize() {
        try (var _ = rt.begin("synchronize")) {
            rt.stream.synchronize();
            checkDeferredErrors();
        }
    }

    /** Reads the cross-entropy error flag after a sync; throws naming the bad row. */
    private void checkDeferredErrors() {
        checkIndexErrors();
        if (pendingCrossEntropyClasses == 0) return;
        int classes = pendingCrossEntropyClasses;
        pendingCrossEntropyClasses = 0;
        int flag;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_INT);
            rt.staging.download(rt.errorFlag, host);
            flag = host.get(ValueLayout.JAVA_INT, 0);
        }
        if (flag != 0) {
            Driver.memsetD32(rt.errorFlag, 0, 1, rt.stream);
            throw new IllegalArgumentException("cross_entropy: the target at position " + (flag - 1) + " is out of range [0, " + classes
                    + ") and not the ignore_index");
        }
    }

    // ---- elementwise and reductions: Kiln's kernels ----

    @Override
    public void unary(UnaryOp op, float alpha, Storage x, Storage out) {
        try (var _ = rt.begin("unary")) {
            rt.kernels.unary(op, alpha, ptr(x), ptr(out), x.numel());
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Storage x, Storage y, Storage gradOut, Storage gradIn) {
        try (var _ = rt.begin("unaryBackward")) {
            rt.kernels.unaryBackward(op, alpha, ptr(x), ptr(y), ptr(gradOut), ptr(gradIn), gradIn.numel());
        }
    }

    @Override
    public void binary(BinaryOp op, Broadcast spec, Storage a, Storage b, Storage out) {
        try (var _ = rt.begin("binary")) {
            rt.kernels.binary(op, spec, ptr(a), ptr(b), ptr(out));
        }
    }

    @Override
    public void scalar(ScalarOp op, Storage x, float v, Storage out) {
        try (var _ = rt.begin("scalar")) {
            rt.kernels.scalar(op, ptr(x), v, ptr(out), x.numel());
        }
    }

    @Override
    public void sum(ReduceSpec spec, Storage x, Storage out) {
        try (var _ = rt.begin("sum")) {
            rt.kernels.sum(spec, ptr(x), ptr(out));
        }
    }

    @Override
    public void argmax(int rows, int cols, Storage x, Storage out) {
        try (var _ = rt.begin("argmax")) {
            rt.kernels.argmax(rows, cols, ptr(x), ptr(out));
        }
    }

    // ---- linear algebra: cuBLAS ----

    @Override
    public void matmul(MatmulSpec spec, Storage a, Storage b, Storage out) {
        if (spec.m() == 0 || spec.n() == 0) return;
        try (var _ = rt.begin("matmul")) {
            if (spec.k() == 0) {
                // An empty sum: out = 0, or unchanged when accumulating.
                if (!spec.accumulate()) Driver.memsetD32(ptr(out), 0, out.numel(), rt.stream);
                return;
            }
            GemmArgs g = GemmArgs.rowMajor(spec, ptr(a), ptr(b));
            rt.blas.sgemm(g.opA(), g.opB(), g.m(), g.n(), g.k(), 1f, g.first(), g.lda(), g.strideA(), g.second(), g.ldb(),
                    g.strideB(), spec.accumulate() ? 1f : 0f, ptr(out), g.ldc(), g.strideC(), g.batch(), "matmul " + spec);
        }
    }

    // ---- convolution: cuDNN ----

    @Override
    public void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y) {
        try (var _ = rt.begin("conv2d")) {
            dnn.conv2d(spec, ptr(x), ptr(w), ptr(bias), ptr(y));
        }
    }

    @Override
    public void conv2dBackwardData(Conv2dSpec spec, Storage gy, Storage w, Storage gx) {
        try (var _ = rt.begin("conv2dBackwardData")) {
            dnn.conv2dBackwardData(spec, ptr(gy), ptr(w), ptr(gx));
        }
    }

    @Override
    public void conv2dBackwardWeight(Conv2dSpec spec, Storage x, Storage gy, Storage gw) {
        try (var _ = rt.begin("conv2dBackwardWeight")) {
            dnn.conv2dBackwardWeight(spec, ptr(x), ptr(gy), ptr(gw));
        }
    }

    @Override
    public void conv2dBackwardBias(Conv2dSpec spec, Storage gy, Storage gb) {
        try (var _ = rt.begin("conv2dBackwardBias")) {
            dnn.conv2dBackwardBias(spec, ptr(gy), ptr(gb));
        }
    }

    @Override
    public void stridedCopy(StridedCopySpec spec, Storage in, Storage out) {
        spec.checkFits(in.numel(), out.numel());
        requireSameDType("stridedCopy", in, out);
        try (var _ = rt.begin("stridedCopy")) {
            rt.kernels.stridedCopy(spec, in.dtype().byteSize(), ptr(in), ptr(out));
        }
    }

    @Override
    public void pad2d(PadSpec spec, Storage x, Storage y) {
        try (var _ = rt.begin("pad2d")) {
            rt.kernels.pad2d(spec, ptr(x), ptr(y));
        }
    }

    @Override
    public void pad2dBackward(PadSpec spec, Storage gy, Storage gx) {
        try (var _ = rt.begin("pad2dBackward")) {
            rt.kernels.pad2dBackward(spec, ptr(gy), ptr(gx));
        }
    }

    // ---- pooling: cuDNN forwards when representable; backwards by Kiln's gather kernels ----

    /** Kiln's pooling kernel, the fallback where cuDNN cannot represent the spec. */
    private interface PoolKernel {
        void run(Pool2dSpec spec, long x, long y);
    }

    /** A pooling forward: cuDNN in {@code cudnnMode} when it can represent {@code spec}, else {@code kernel}. */
    private void pool2d(String op, Pool2dSpec spec, int cudnnMode, PoolKernel kernel, Storage x, Storage y) {
        try (var _ = rt.begin(op)) {
            if (CudnnOps.poolingSupported(spec)) dnn.pool(spec, cudnnMode, ptr(x), ptr(y));
            else kernel.run(spec, ptr(x), ptr(y));
        }
    }

    @Override
    public void maxPool2d(Pool2dSpec spec, Storage x, Storage y) {
        pool2d("maxPool2d", spec, Dnn.POOLING_MAX_DETERMINISTIC, rt.kernels::maxPool2d, x, y);
    }

    /** Kiln's kernel: the SPI routes the gradient to the first maximum of each window, a tie rule cuDNN does not document. */
    @Override
    public void maxPool2dBackward(Pool2dSpec spec, Storage x, Storage y, Storage gy, Storage gx) {
        try (var _ = rt.begin("maxPool2dBackward")) {
            rt.kernels.maxPool2dBackward(spec, ptr(x), ptr(gy), ptr(gx));
        }
    }

    @Override
    public void avgPool2d(Pool2dSpec spec, Storage x, Storage y) {
        pool2d("avgPool2d", spec, spec.countIncludePad() ? Dnn.POOLING_AVERAGE_INCLUDE_PADDING : Dnn.POOLING_AVERAGE_EXCLUDE_PADDING,
                rt.kernels::avgPool2d, x, y);
    }

    /** Kiln's kernel: cuDNN's pooling backward needs the forward's x and y, which this SPI call does not supply. */
    @Override
    public void avgPool2dBackward(Pool2dSpec spec, Storage gy, Storage gx) {
        try (var _ = rt.begin("avgPool2dBackward")) {
            rt.kernels.avgPool2dBackward(spec, ptr(gy), ptr(gx));
        }
    }

    // ---- softmax and losses ----

    @Override
    public void softmax(SoftmaxSpec spec, Storage x, Storage y) {
        if (spec.numel() == 0) return;
        try (var _ = rt.begin("softmax")) {
            if (CudnnOps.softmaxSupported(spec)) dnn.softmax(spec, ptr(x), ptr(y));
            else rt.kernels.softmax(spec, ptr(x), ptr(y));
        }
    }

    @Override
    public void softmaxBackward(SoftmaxSpec spec, Storage y, Storage gy, Storage gx) {
        if (spec.numel() == 0) return;
        try (var _ = rt.begin("softmaxBackward")) {
            if (CudnnOps.softmaxSupported(spec)) dnn.softmaxBackward(spec, ptr(y), ptr(gy), ptr(gx));
            else rt.kernels.softmaxBackward(spec, ptr(y), ptr(gy), ptr(gx));
        }
    }

    /** Out-of-range targets are reported at the next {@link #synchronize} or {@link #copyToHost}. */
    @Override
    public void crossEntropy(CrossEntropySpec spec, Storage logits, Storage targets, Storage losses, Storage logProbs, Storage counted) {
        try (var _ = rt.begin("crossEntropy")) {
            rt.kernels.crossEntropy(spec, ptr(logits), ptr(targets), ptr(losses), ptr(logProbs), ptr(counted), rt.errorFlag);
            pendingCrossEntropyClasses = spec.classes();
        }
    }

    @Override
    public void crossEntropyBackward(CrossEntropySpec spec, Storage logProbs, Storage targets, Storage gradLoss, Storage gradLogits) {
        try (var _ = rt.begin("crossEntropyBackward")) {
            rt.kernels.crossEntropyBackward(spec, ptr(logProbs), ptr(targets), ptr(gradLoss), ptr(gradLogits));
        }
    }

    // ---- normalisation: cuDNN ----

    @Override
    public void batchNormTrain(BatchNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y, Storage saveMean,
                               Storage saveInvStd, Storage runningMean, Storage runningVar) {
        try (var _ = rt.begin("batchNormTrain")) {
            dnn.batchNormTrain(spec, ptr(x), ptr(gamma), ptr(beta), ptr(y), ptr(saveMean), ptr(saveInvStd), ptr(runningMean),
                    ptr(runningVar));
        }
    }

    @Override
    public void batchNormEval(BatchNormSpec spec, Storage x, Storage gamma, Storage beta, Storage runningMean, Storage runningVar,
                              Storage y) {
        try (var _ = rt.begin("batchNormEval")) {
            dnn.batchNormEval(spec, ptr(x), ptr(gamma), ptr(beta), ptr(runningMean), ptr(runningVar), ptr(y));
        }
    }

    @Override
    public void batchNormBackward(BatchNormSpec spec, Storage x, Storage gamma, Storage gy, Storage saveMean, Storage saveInvStd,
                                  Storage gx, Storage gGamma, Storage gBeta) {
        try (var _ = rt.begin("batchNormBackward")) {
            dnn.batchNormBackward(spec, ptr(x), ptr(gamma), ptr(gy), ptr(saveMean), ptr(saveInvStd), ptr(gx), ptr(gGamma),
                    ptr(gBeta));
        }
    }

    // ---- random and optimisers: Kiln's kernels ----

    @Override
    public void dropoutMask(long seed, long offset, float p, Storage mask) {
        try (var _ = rt.begin("dropoutMask")) {
            rt.kernels.dropoutMask(seed, offset, p, ptr(mask), mask.numel());
        }
    }

    @Override
    public void adamStep(AdamSpec spec, List<Storage> params, List<Storage> grads, List<Storage> m, List<Storage> v) {
        try (var _ = rt.begin("adamStep")) {
            rt.kernels.adamStep(spec, ptrs(params), ptrs(grads), ptrs(m), ptrs(v), sizes(params));
        }
    }

    @Override
    public void sgdStep(SgdSpec spec, List<Storage> params, List<Storage> grads, List<Storage> momentumBuffers) {
        try (var _ = rt.begin("sgdStep")) {
            rt.kernels.sgdStep(spec, ptrs(params), ptrs(grads), ptrs(momentumBuffers), sizes(params));
        }
    }

    private static long[] ptrs(List<Storage> list) {
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = ptr(list.get(i));
        return out;
    }

    private static long[] sizes(List<Storage> list) {
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).numel();
        return out;
    }

    /**
     * Releases the device: cuDNN plans, handles, the cache and every block (live storages become
     * invalid), each attempted even when an earlier one fails (e.g. after a kernel fault); throws at
     * most one exception, at the end. Idempotent.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        try (var _ = rt.begin("close")) {
            dnn.close();
        } catch (IllegalStateException alreadyClosed) {
            return;
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            rt.close();
        } catch (RuntimeException e) {
            if (failure == null) throw e;
            failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
    }

    // ---- layer and RMS normalisation (issue 11): Kiln's kernels ----

    @Override
    public void layerNorm(dev.kiln.spi.LayerNormSpec spec, Storage x, Storage weight, Storage bias, Storage y,
                          Storage saveMean, Storage saveInvStd) {
        try (var _ = rt.begin("layerNorm")) {
            rt.kernels.layerNorm(spec, ptr(x), ptr(weight), ptr(bias), ptr(y), ptr(saveMean), ptr(saveInvStd));
        }
    }

    @Override
    public void layerNormBackward(dev.kiln.spi.LayerNormSpec spec, Storage x, Storage weight, Storage gy, Storage saveMean,
                                  Storage saveInvStd, Storage gx, Storage gWeight, Storage gBias) {
        try (var _ = rt.begin("layerNormBackward")) {
            rt.kernels.layerNormBackward(spec, ptr(x), ptr(weight), ptr(gy), ptr(saveMean), ptr(saveInvStd), ptr(gx),
                    ptr(gWeight), ptr(gBias));
        }
    }

    // ---- attention (issue 11): Kiln's fused kernels ----

    @Override
    public void attention(AttentionSpec spec, Storage q, Storage k, Storage v, Storage mask, Storage out, Storage lse) {
        try (var _ = rt.begin("attention")) {
            rt.kernels.attention(spec, ptr(q), ptr(k), ptr(v), ptr(mask), ptr(out), ptr(lse));
        }
    }

    @Override
    public void attentionBackward(AttentionSpec spec, Storage q, Storage k, Storage v, Storage mask, Storage out, Storage lse,
                                  Storage gradOut, Storage gq, Storage gk, Storage gv) {
        try (var _ = rt.begin("attentionBackward")) {
            rt.kernels.attentionBackward(spec, ptr(q), ptr(k), ptr(v), ptr(mask), ptr(out), ptr(lse), ptr(gradOut), ptr(gq),
                    ptr(gk), ptr(gv));
        }
    }

    // ---- value and index reductions (issue 11) ----

    @Override
    public void argReduce(ArgReduceSpec spec, Storage x, Storage values, Storage indices) {
        try (var _ = rt.begin("argReduce")) {
            rt.kernels.argReduce(spec, ptr(x), ptr(values), ptr(indices));
        }
    }

    @Override
    public void topk(TopkSpec spec, Storage x, Storage values, Storage indices) {
        try (var _ = rt.begin("topk")) {
            rt.kernels.topk(spec, ptr(x), ptr(values), ptr(indices));
        }
    }

    @Override
    public void topkBackward(TopkSpec spec, Storage gy, Storage indices, Storage gx) {
        try (var _ = rt.begin("topkBackward")) {
            if (gx.numel() > 0) Driver.memsetD32(ptr(gx), 0, gx.numel(), rt.stream);
            rt.kernels.topkBackward(spec, ptr(gy), ptr(indices), ptr(gx));
        }
    }

    // ---- masks and dtypes (issue 11): Kiln's kernels ----

    @Override
    public void cast(Storage in, Storage out) {
        if (in.numel() != out.numel()) {
            throw new IllegalArgumentException("cast: " + in.numel() + " input elements but " + out.numel() + " output elements");
        }
        try (var _ = rt.begin("cast")) {
            rt.kernels.cast(in.dtype(), out.dtype(), ptr(in), ptr(out), out.numel());
        }
    }

    @Override
    public void compare(dev.kiln.spi.CompareOp op, Broadcast spec, Storage a, Storage b, Storage out) {
        requireSameDType("compare", a, b);
        try (var _ = rt.begin("compare")) {
            rt.kernels.compare(op, a.dtype(), spec, ptr(a), ptr(b), ptr(out));
        }
    }

    @Override
    public void where(dev.kiln.spi.WhereSpec spec, Storage cond, Storage a, Storage b, Storage out) {
        requireSameDType("where", a, b);
        requireSameDType("where", a, out);
        try (var _ = rt.begin("where")) {
            rt.kernels.where(spec, out.dtype().byteSize(), ptr(cond), ptr(a), ptr(b), ptr(out));
        }
    }

    @Override
    public void triangle(dev.kiln.spi.TriangleSpec spec, Storage x, Storage out) {
        requireSameDType("triangle", x, out);
        try (var _ = rt.begin("triangle")) {
            rt.kernels.triangle(spec, out.dtype().byteSize(), ptr(x), ptr(out));
        }
    }

    /** The kernels move raw words between storages of one dtype; a mismatch would misread every element. */
    private static void requireSameDType(String op, Storage a, Storage b) {
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException(op + ": storages of " + a.dtype() + " and " + b.dtype() + ", expected one dtype");
    }

    // ---- recurrent cells (issue 11) ----

    @Override
    public void lstmCell(dev.kiln.spi.RnnCellSpec spec, Storage inputGates, Storage hiddenGates, Storage cPrev, Storage h, Storage c,
                         Storage gates) {
        try (var _ = rt.begin("lstmCell")) {
            rt.kernels.lstmCell(spec, ptr(inputGates), ptr(hiddenGates), ptr(cPrev), ptr(h), ptr(c), ptr(gates));
        }
    }

    @Override
    public void lstmCellBackward(dev.kiln.spi.RnnCellSpec spec, Storage gates, Storage cPrev, Storage c, Storage gh, Storage gc,
                                 Storage gGates, Storage gcPrev) {
        try (var _ = rt.begin("lstmCellBackward")) {
            rt.kernels.lstmCellBackward(spec, ptr(gates), ptr(cPrev), ptr(c), ptr(gh), ptr(gc), ptr(gGates), ptr(gcPrev));
        }
    }

    @Override
    public void gruCell(dev.kiln.spi.RnnCellSpec spec, Storage inputGates, Storage hiddenGates, Storage hPrev, Storage h, Storage gates) {
        try (var _ = rt.begin("gruCell")) {
            rt.kernels.gruCell(spec, ptr(inputGates), ptr(hiddenGates), ptr(hPrev), ptr(h), ptr(gates));
        }
    }

    @Override
    public void gruCellBackward(dev.kiln.spi.RnnCellSpec spec, Storage gates, Storage hiddenGates, Storage hPrev, Storage gh,
                                Storage gInputGates, Storage gHiddenGates, Storage ghPrev) {
        try (var _ = rt.begin("gruCellBackward")) {
            rt.kernels.gruCellBackward(spec, ptr(gates), ptr(hiddenGates), ptr(hPrev), ptr(gh), ptr(gInputGates), ptr(gHiddenGates),
                    ptr(ghPrev));
        }
    }

    // ---- indexing (issue 11) ----

    /** Device error record of the index kernels (three uint64, see index.cu), allocated on first use; 0 before. */
    private long indexErrors;
    /** Whether an index kernel ran since the record was last read. */
    private boolean indexErrorsPending;
    /** Labels of the index kernels' error record: entry {@code label} is {op, dim} ({@code dim -1}: oneHot). */
    private final List<Object[]> indexLabels = new java.util.ArrayList<>();

    /** Index errors are reported at the next {@link #synchronize} or {@link #copyToHost}; the bad entries read as zero. */
    @Override
    public void indexGather(IndexSpec spec, Storage x, Storage index, Storage out) {
        try (var _ = rt.begin("indexGather")) {
            rt.kernels.indexGather(spec, x.dtype().byteSize(), wide(index), ptr(x), ptr(index), ptr(out), indexErrorRecord(),
                    indexLabel(spec.op(), spec.dim()));
        }
    }

    /** Deterministic (no atomics; see {@link dev.kiln.cuda.kernels.KernelOps#indexScatterAdd}); index errors as for {@link #indexGather}. */
    @Override
    public void indexScatterAdd(IndexSpec spec, Storage src, Storage index, Storage out) {
        try (var _ = rt.begin("indexScatterAdd")) {
            rt.kernels.indexScatterAdd(spec, wide(index), ptr(src), ptr(index), ptr(out), indexErrorRecord(),
                    indexLabel(spec.op(), spec.dim()));
        }
    }

    /** Out-of-range values are reported at the next {@link #synchronize} or {@link #copyToHost}. */
    @Override
    public void oneHot(int classes, Storage index, Storage out) {
        try (var _ = rt.begin("oneHot")) {
            rt.kernels.oneHot(classes, index.numel(), wide(index), ptr(index), ptr(out), indexErrorRecord(), indexLabel("oneHot", -1));
        }
    }

    @Override
    public long[] indexRange(Storage index) {
        try (Storage minMax = allocate(DType.INT64, 2); Arena arena = Arena.ofConfined()) {
            try (var _ = rt.begin("indexRange")) {
                rt.kernels.indexRange(index.numel(), wide(index), ptr(index), ptr(minMax));
            }
            MemorySegment host = arena.allocate(16, 8);
            copyToHost(minMax, host);
            return new long[] {host.get(ValueLayout.JAVA_LONG, 0), host.get(ValueLayout.JAVA_LONG, 8)};
        }
    }

    private static boolean wide(Storage index) {
        return index.dtype() == DType.INT64;
    }

    /** The record's address (allocating and zeroing it the first time); marks it to be read at the next sync. */
    private long indexErrorRecord() {
        if (indexErrors == 0) {
            indexErrors = rt.allocator.allocate(24);
            Driver.memsetD32(indexErrors, 0, 6, rt.stream);
        }
        indexErrorsPending = true;
        return indexErrors;
    }

    /** The label of {op, dim}: its position in a list that only grows by distinct pairs. */
    private int indexLabel(String op, int dim) {
        for (int i = 0; i < indexLabels.size(); i++) {
            if (indexLabels.get(i)[0].equals(op) && (int) indexLabels.get(i)[1] == dim) return i;
        }
        indexLabels.add(new Object[] {op, dim});
        return indexLabels.size() - 1;
    }

    /** Reads the index error record after a sync; throws the first recorded error in the CPU backend's words. */
    private void checkIndexErrors() {
        if (!indexErrorsPending) return;
        indexErrorsPending = false;
        long[] rec = new long[3];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(24, 8);
            rt.staging.download(indexErrors, host);
            for (int i = 0; i < 3; i++) rec[i] = host.get(ValueLayout.JAVA_LONG, 8L * i);
        }
        if (rec[0] == 0) return;
        Driver.memsetD32(indexErrors, 0, 6, rt.stream);
        Object[] label = indexLabels.get((int) (rec[0] - 1));
        int dim = (int) label[1];
        throw dim < 0 ? IndexSpec.classOutOfRange(rec[1], rec[2]) : IndexSpec.outOfRange((String) label[0], dim, rec[1], rec[2]);
    }

    // ---- GPU verification (issue 11) ----

    /** The names of Kiln's kernels this backend has launched so far (for the GPU tests' coverage checks). */
    java.util.Set<String> launchedKernels() {
        try (var _ = rt.begin("launchedKernels")) {
            return rt.launcher.launchedKernels();
        }
    }
}
