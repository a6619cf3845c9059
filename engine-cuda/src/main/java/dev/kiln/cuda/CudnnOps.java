package dev.kiln.cuda;

import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.Driver;
import dev.kiln.spi.BatchNormSpec;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.SoftmaxSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The backend ops cuDNN computes: convolutions (descriptors and algorithms cached per
 * {@link Conv2dSpec}), pooling forwards, softmax and batch norm. Called under the runtime's lock
 * with device addresses; workspaces and constants are scratch blocks released when the op ends.
 */
final class CudnnOps implements AutoCloseable {
    /** Conv specs whose plans are kept (least recently used evicted beyond this). */
    static final int MAX_PLANS = 512;

    private final CudaRuntime rt;
    private boolean biasViaCudnn = true;
    private final Map<Conv2dSpec, ConvPlan> plans = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Conv2dSpec, ConvPlan> eldest) {
            if (size() <= MAX_PLANS) return false;
            eldest.getValue().close();
            return true;
        }
    };

    CudnnOps(CudaRuntime rt) {
        this.rt = rt;
    }

    private ConvPlan plan(Conv2dSpec spec) {
        ConvPlan p = plans.get(spec);
        if (p == null) {
            p = ConvPlan.create(spec, rt.options.tf32());
            plans.put(spec, p);
        }
        return p;
    }

    void conv2d(Conv2dSpec spec, long x, long w, long bias, long y) {
        ConvPlan p = plan(spec);
        run(p, ConvPlan.Direction.FORWARD, (a, ws) ->
                rt.dnn.convolutionForward(p.x, x, p.w, w, p.conv, a.algo(), ws, a.workspaceBytes(), p.y, y, p.context));
        if (bias != 0) rt.dnn.addTensor(p.bias, bias, p.y, y, p.context + " (bias)");
    }

    void conv2dBackwardData(Conv2dSpec spec, long gy, long w, long gx) {
        ConvPlan p = plan(spec);
        run(p, ConvPlan.Direction.BACKWARD_DATA, (a, ws) ->
                rt.dnn.convolutionBackwardData(p.w, w, p.y, gy, p.conv, a.algo(), ws, a.workspaceBytes(), p.x, gx, p.context));
    }

    void conv2dBackwardWeight(Conv2dSpec spec, long x, long gy, long gw) {
        ConvPlan p = plan(spec);
        run(p, ConvPlan.Direction.BACKWARD_FILTER, (a, ws) ->
                rt.dnn.convolutionBackwardFilter(p.x, x, p.y, gy, p.conv, a.algo(), ws, a.workspaceBytes(), p.w, gw, p.context));
    }

    /** One cuDNN convolution call with an algorithm and its workspace. */
    private interface ConvCall {
        void run(ConvPlan.Algo algo, long workspace);
    }

    /**
     * Runs {@code call} with the direction's current algorithm and a workspace from the allocator.
     * Until an algorithm has run once, one that cuDNN rejects as not supported (the heuristics can
     * rank such an algorithm for unusual shapes) or whose workspace does not fit is dropped and the
     * next is tried, as PyTorch does; the first that works stays the choice.
     */
    private void run(ConvPlan p, ConvPlan.Direction d, ConvCall call) {
        ConvPlan.Choice choice = p.choice(d, rt.dnn, rt.options, rt::freeDeviceBytes);
        while (true) {
            ConvPlan.Algo a = choice.current();
            try {
                long ws = rt.launcher.scratch(a.workspaceBytes());
                p.use(a);
                call.run(a, ws);
                choice.confirm();
                return;
            } catch (CudaException e) {
                if (!retryable(e)) throw e;
                String why = e.getMessage();
                if (!choice.reject(why)) {
                    CudaException failure = new CudaException("cudnn: every " + d.label + " algorithm failed for " + p.context
                            + ": " + choice.rejected());
                    failure.addSuppressed(e);
                    throw failure;
                }
                System.getLogger(CudnnOps.class.getName()).log(System.Logger.Level.INFO,
                        "conv2d " + d.label + ": algorithm " + a.algo() + " failed (" + why + "); trying the next one");
            }
        }
    }

    /** A workspace that does not fit, or cuDNN refusing the algorithm for these descriptors. */
    static boolean retryable(CudaException e) {
        return e instanceof CudaOutOfMemoryException
                || (e.function() != null && e.function().startsWith("cudnnConvolution") && Dnn.isNotSupported(e.status()));
    }

    /**
     * The bias gradient, a sum of {@code gy} over (n, h, w). cuDNN's {@code cudnnConvolutionBackwardBias}
     * when allowed; Kiln's sum kernel (deterministic by construction: fixed order, no atomics) in
     * deterministic mode, or once this cuDNN turns out not to export the (deprecated) function.
     */
    void conv2dBackwardBias(Conv2dSpec spec, long gy, long gb) {
        if (biasViaCudnn && !rt.options.deterministic()) {
            ConvPlan p = plan(spec);
            try {
                rt.dnn.convolutionBackwardBias(p.y, gy, p.bias, gb, p.context);
                return;
            } catch (CudaException e) {
                if (e.function() != null) throw e; // a real cuDNN failure, not a missing symbol
                biasViaCudnn = false;
                System.getLogger(CudnnOps.class.getName()).log(System.Logger.Level.INFO,
                        "conv2d bias gradient uses Kiln's sum kernel: " + e.getMessage());
            }
        }
        rt.kernels.sum(new ReduceSpec(new int[] {spec.n(), spec.outC(), spec.outH() * spec.outW()}, new int[] {0, 2}), gy, gb);
    }

    /**
     * True when cuDNN's pooling computes {@code spec} exactly: dilation 1 and an output size equal
     * to the floor formula (cuDNN has no ceil mode; a ceil-mode spec whose size comes out the same
     * is fine).
     */
    static boolean poolingSupported(Pool2dSpec s) {
        return s.dilationH() == 1 && s.dilationW() == 1
                && s.outH() == Pool2dSpec.outSize(s.h(), s.kh(), s.strideH(), s.padH(), 1, false)
                && s.outW() == Pool2dSpec.outSize(s.w(), s.kw(), s.strideW(), s.padW(), 1, false);
    }

    /** Pooling forward; the caller checked {@link #poolingSupported}. */
    void pool(Pool2dSpec s, int mode, long x, long y) {
        String context = (mode == Dnn.POOLING_MAX_DETERMINISTIC ? "maxPool2d " : "avgPool2d ") + s;
        try (Dnn.PoolDesc pool = Dnn.PoolDesc.of(mode, s.kh(), s.kw(), s.padH(), s.padW(), s.strideH(), s.strideW());
             Dnn.TensorDesc xd = Dnn.TensorDesc.of(s.n(), s.c(), s.h(), s.w());
             Dnn.TensorDesc yd = Dnn.TensorDesc.of(s.n(), s.c(), s.outH(), s.outW())) {
            rt.dnn.poolingForward(pool, xd, x, yd, y, context);
        }
    }

    /** True when the view fits cuDNN's int dimensions and element count. */
    static boolean softmaxSupported(SoftmaxSpec s) {
        return s.numel() > 0 && s.numel() <= Integer.MAX_VALUE;
    }

    void softmax(SoftmaxSpec s, long x, long y) {
        try (Dnn.TensorDesc d = Dnn.TensorDesc.of(s.outer(), s.dim(), s.inner(), 1)) {
            rt.dnn.softmaxForward(s.log() ? Dnn.SOFTMAX_LOG : Dnn.SOFTMAX_ACCURATE, d, x, y, "softmax " + s);
        }
    }

    void softmaxBackward(SoftmaxSpec s, long y, long gy, long gx) {
        try (Dnn.TensorDesc d = Dnn.TensorDesc.of(s.outer(), s.dim(), s.inner(), 1)) {
            rt.dnn.softmaxBackward(s.log() ? Dnn.SOFTMAX_LOG : Dnn.SOFTMAX_ACCURATE, d, y, gy, gx, "softmax backward " + s);
        }
    }

    /** A scratch block of {@code c} floats all equal to {@code value} (for an absent gamma or beta). */
    private long constant(int c, float value) {
        long p = rt.launcher.scratch(4L * c);
        Driver.memsetD32(p, Float.floatToRawIntBits(value), c, rt.stream);
        return p;
    }

    /**
     * Training batch norm. cuDNN's saved inverse variance is {@code 1/sqrt(var + eps)} (Kiln's
     * {@code saveInvStd}); its running variance uses the unbiased batch variance (PyTorch's rule);
     * {@code momentum} is its exponential average factor. cuDNN 8+ accepts any eps > 0
     * ({@code CUDNN_BN_MIN_EPSILON} is 0), which {@link BatchNormSpec} already requires. Running
     * stats are updated only when both are given.
     */
    void batchNormTrain(BatchNormSpec s, long x, long gamma, long beta, long y, long saveMean, long saveInvStd,
                        long runningMean, long runningVar) {
        boolean running = runningMean != 0 && runningVar != 0;
        try (Dnn.TensorDesc xd = Dnn.TensorDesc.of(s.n(), s.c(), s.spatial(), 1); Dnn.TensorDesc bn = Dnn.TensorDesc.batchNormOf(xd)) {
            rt.dnn.batchNormForwardTraining(xd, x, y, bn, gamma != 0 ? gamma : constant(s.c(), 1f),
                    beta != 0 ? beta : constant(s.c(), 0f), s.momentum(), running ? runningMean : 0, running ? runningVar : 0,
                    s.eps(), saveMean, saveInvStd, "batchNorm " + s);
        }
    }

    void batchNormEval(BatchNormSpec s, long x, long gamma, long beta, long runningMean, long runningVar, long y) {
        try (Dnn.TensorDesc xd = Dnn.TensorDesc.of(s.n(), s.c(), s.spatial(), 1); Dnn.TensorDesc bn = Dnn.TensorDesc.batchNormOf(xd)) {
            rt.dnn.batchNormForwardInference(xd, x, y, bn, gamma != 0 ? gamma : constant(s.c(), 1f),
                    beta != 0 ? beta : constant(s.c(), 0f), runningMean, runningVar, s.eps(), "batchNorm (eval) " + s);
        }
    }

    void batchNormBackward(BatchNormSpec s, long x, long gamma, long gy, long saveMean, long saveInvStd, long gx, long gGamma,
                           long gBeta) {
        try (Dnn.TensorDesc xd = Dnn.TensorDesc.of(s.n(), s.c(), s.spatial(), 1); Dnn.TensorDesc bn = Dnn.TensorDesc.batchNormOf(xd)) {
            rt.dnn.batchNormBackward(xd, x, gy, gx, bn, gamma != 0 ? gamma : constant(s.c(), 1f),
                    gGamma != 0 ? gGamma : rt.launcher.scratch(4L * s.c()), gBeta != 0 ? gBeta : rt.launcher.scratch(4L * s.c()),
                    s.eps(), saveMean, saveInvStd, "batchNorm backward " + s);
        }
    }

    @Override
    public void close() {
        for (ConvPlan p : plans.values()) p.close();
        plans.clear();
    }
}
