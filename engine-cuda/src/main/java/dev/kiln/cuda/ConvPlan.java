package dev.kiln.cuda;

import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.Dnn.AlgoPerf;
import dev.kiln.cuda.ffi.DnnCalls;
import dev.kiln.spi.Conv2dSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The cuDNN descriptors of one {@link Conv2dSpec} and the algorithm chosen per direction (by the
 * {@code _v7} heuristics, once, on first use). Cached per spec by the backend.
 *
 * <p>Math types: in FP32 mode the descriptor stays {@code CUDNN_FMA_MATH} (cuDNN's default math may
 * use TF32 tensor cores for FP32 data on Ampere and newer). In TF32 mode it starts at
 * {@code CUDNN_DEFAULT_MATH} and each chosen algorithm runs with the math type the heuristics
 * reported for it (as PyTorch does): {@link #use} sets it before every call, since the three
 * directions share one descriptor.
 */
final class ConvPlan implements AutoCloseable {
    /** An algorithm, the workspace it needs and the math type it runs with. */
    record Algo(int algo, long workspaceBytes, int mathType) {}

    final Conv2dSpec spec;
    final String context;
    final Dnn.TensorDesc x, y, bias;
    final Dnn.FilterDesc w;
    final Dnn.ConvDesc conv;
    private Algo forward, backwardData, backwardFilter;
    private int mathType;

    private ConvPlan(Conv2dSpec spec, Dnn.TensorDesc x, Dnn.TensorDesc y, Dnn.TensorDesc bias, Dnn.FilterDesc w, Dnn.ConvDesc conv) {
        this.spec = spec;
        this.context = "conv2d input [" + spec.n() + ", " + spec.c() + ", " + spec.h() + ", " + spec.w() + "], weight ["
                + spec.outC() + ", " + spec.cPerGroup() + ", " + spec.kh() + ", " + spec.kw() + "], stride (" + spec.strideH()
                + ", " + spec.strideW() + "), padding (" + spec.padH() + ", " + spec.padW() + "), dilation (" + spec.dilationH()
                + ", " + spec.dilationW() + "), groups " + spec.groups();
        this.x = x;
        this.y = y;
        this.bias = bias;
        this.w = w;
        this.conv = conv;
    }

    /** The math type the descriptor starts with: FMA (full FP32) unless TF32 is allowed. */
    static int initialMathType(boolean tf32) {
        return tf32 ? Dnn.DEFAULT_MATH : Dnn.FMA_MATH;
    }

    /** Creates the descriptors with {@link #initialMathType}. */
    static ConvPlan create(Conv2dSpec s, boolean tf32) {
        int mathType = initialMathType(tf32);
        List<AutoCloseable> made = new ArrayList<>();
        try {
            Dnn.TensorDesc x = add(made, Dnn.TensorDesc.of(s.n(), s.c(), s.h(), s.w()));
            Dnn.TensorDesc y = add(made, Dnn.TensorDesc.of(s.n(), s.outC(), s.outH(), s.outW()));
            Dnn.TensorDesc b = add(made, Dnn.TensorDesc.of(1, s.outC(), 1, 1));
            Dnn.FilterDesc w = add(made, Dnn.FilterDesc.of(s.outC(), s.cPerGroup(), s.kh(), s.kw()));
            Dnn.ConvDesc conv = add(made, Dnn.ConvDesc.of(s.padH(), s.padW(), s.strideH(), s.strideW(), s.dilationH(),
                    s.dilationW(), s.groups(), mathType));
            ConvPlan plan = new ConvPlan(s, x, y, b, w, conv);
            plan.mathType = mathType;
            return plan;
        } catch (RuntimeException e) {
            for (AutoCloseable c : made.reversed()) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> made, T c) {
        made.add(c);
        return c;
    }

    Algo forward(DnnCalls dnn, CudaOptions opts, LongSupplier freeBytes) {
        if (forward == null) {
            List<AlgoPerf> perf = dnn.forwardAlgorithms(x, w, conv, y, context);
            forward = choose("forward", perf, opts, freeBytes, a -> dnn.forwardWorkspace(x, w, conv, y, a, context));
        }
        return forward;
    }

    Algo backwardData(DnnCalls dnn, CudaOptions opts, LongSupplier freeBytes) {
        if (backwardData == null) {
            List<AlgoPerf> perf = dnn.backwardDataAlgorithms(w, y, conv, x, context);
            backwardData = choose("backward data", perf, opts, freeBytes, a -> dnn.backwardDataWorkspace(w, y, conv, x, a, context));
        }
        return backwardData;
    }

    Algo backwardFilter(DnnCalls dnn, CudaOptions opts, LongSupplier freeBytes) {
        if (backwardFilter == null) {
            List<AlgoPerf> perf = dnn.backwardFilterAlgorithms(x, y, conv, w, context);
            backwardFilter = choose("backward filter", perf, opts, freeBytes,
                    a -> dnn.backwardFilterWorkspace(x, y, conv, w, a, context));
        }
        return backwardFilter;
    }

    private Algo choose(String direction, List<AlgoPerf> perf, CudaOptions opts, LongSupplier freeBytes, ToLongFunction<Integer> workspace) {
        List<AlgoPerf> usable = candidates(perf, opts.deterministic(), opts.tf32());
        if (usable.isEmpty()) {
            throw new CudaException("cudnn: no " + (opts.deterministic() ? "deterministic " : "") + (opts.tf32() ? "" : "FP32 ")
                    + direction + " algorithm for " + context + " (heuristics returned " + perf + ")"
                    + (opts.deterministic() ? "; set KILN_CUDA_DETERMINISTIC=0 to allow non-deterministic ones" : ""));
        }
        List<Algo> sized = new ArrayList<>();
        for (AlgoPerf p : usable) {
            int math = runMathType(p, opts.tf32());
            setMathType(math); // the workspace size depends on it
            sized.add(new Algo(p.algo(), workspace.applyAsLong(p.algo()), math));
        }
        return pick(sized, freeBytes.getAsLong());
    }

    /** The math type an algorithm runs with: always FMA in FP32 mode, else what the heuristics reported. */
    static int runMathType(AlgoPerf p, boolean tf32) {
        return tf32 ? p.mathType() : Dnn.FMA_MATH;
    }

    /** Sets the descriptor's math type to {@code a}'s before a call with it. */
    void use(Algo a) {
        setMathType(a.mathType());
    }

    private void setMathType(int math) {
        if (math == mathType) return;
        conv.setMathType(math);
        mathType = math;
    }

    /**
     * Heuristic results Kiln may use, in cuDNN's order: status OK; deterministic when asked; and
     * without TF32 (tensor-op math types) unless allowed.
     */
    static List<AlgoPerf> candidates(List<AlgoPerf> perf, boolean deterministic, boolean tf32) {
        List<AlgoPerf> out = new ArrayList<>();
        for (AlgoPerf p : perf) {
            if (p.status() != 0) continue;
            if (deterministic && !p.deterministic()) continue;
            if (!tf32 && (p.mathType() == Dnn.TENSOR_OP_MATH || p.mathType() == Dnn.TENSOR_OP_MATH_ALLOW_CONVERSION)) continue;
            out.add(p);
        }
        return out;
    }

    /** The first (fastest by heuristic) algorithm whose workspace fits in half the free memory, else the smallest. */
    static Algo pick(List<Algo> sized, long freeBytes) {
        for (Algo a : sized) if (a.workspaceBytes() <= freeBytes / 2) return a;
        return sized.stream().min(Comparator.comparingLong(Algo::workspaceBytes)).orElseThrow();
    }

    @Override
    public void close() {
        conv.close();
        w.close();
        bias.close();
        y.close();
        x.close();
    }
}
