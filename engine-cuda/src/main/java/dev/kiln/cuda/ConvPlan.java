package dev.kiln.cuda;

import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.Dnn.AlgoPerf;
import dev.kiln.cuda.ffi.DnnCalls;
import dev.kiln.spi.Conv2dSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The cuDNN descriptors of one {@link Conv2dSpec} and the algorithm chosen per direction, once, on
 * first use: by the {@code _v7} heuristics, or with {@link CudaOptions#benchmark()} by timing every
 * algorithm ({@code cudnnFind*}, PyTorch's {@code cudnn.benchmark}). Cached per spec by the backend.
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

    /** The three computations of a convolution, each with its own algorithm. */
    enum Direction {
        FORWARD("forward"), BACKWARD_DATA("backward data"), BACKWARD_FILTER("backward filter");

        final String label;

        Direction(String label) {
            this.label = label;
        }
    }

    /**
     * The algorithms still to try for one direction, best first, until one has run successfully
     * ({@link #confirm}); after that it is the only one used and its failures are real errors.
     */
    static final class Choice {
        private final List<Algo> remaining;
        private final List<String> rejected = new ArrayList<>();
        private boolean confirmed;

        Choice(List<Algo> ordered) {
            this.remaining = new ArrayList<>(ordered);
        }

        /** The algorithm to run now. */
        Algo current() {
            return remaining.getFirst();
        }

        /** Marks the current algorithm as working: it stays the choice. */
        void confirm() {
            confirmed = true;
        }

        /**
         * Drops the current algorithm after it failed with {@code why}; true when another one is left to
         * try (never once an algorithm has been confirmed).
         */
        boolean reject(String why) {
            if (confirmed) return false;
            rejected.add("algo " + remaining.removeFirst().algo() + ": " + why);
            return !remaining.isEmpty();
        }

        /** The algorithms given up on and why, for error messages. */
        List<String> rejected() {
            return List.copyOf(rejected);
        }
    }

    private final EnumMap<Direction, Choice> choices = new EnumMap<>(Direction.class);

    /** The algorithm choice of {@code d}, asking cuDNN's heuristics on first use. */
    Choice choice(Direction d, DnnCalls dnn, CudaOptions opts, LongSupplier freeBytes) {
        Choice c = choices.get(d);
        if (c == null) {
            setMathType(initialMathType(opts.tf32())); // ask with the same descriptor for every direction
            List<AlgoPerf> perf = opts.benchmark() ? switch (d) {
                case FORWARD -> dnn.findForwardAlgorithms(x, w, conv, y, context);
                case BACKWARD_DATA -> dnn.findBackwardDataAlgorithms(w, y, conv, x, context);
                case BACKWARD_FILTER -> dnn.findBackwardFilterAlgorithms(x, y, conv, w, context);
            } : switch (d) {
                case FORWARD -> dnn.forwardAlgorithms(x, w, conv, y, context);
                case BACKWARD_DATA -> dnn.backwardDataAlgorithms(w, y, conv, x, context);
                case BACKWARD_FILTER -> dnn.backwardFilterAlgorithms(x, y, conv, w, context);
            };
            ToLongFunction<Integer> workspace = switch (d) {
                case FORWARD -> a -> dnn.forwardWorkspace(x, w, conv, y, a, context);
                case BACKWARD_DATA -> a -> dnn.backwardDataWorkspace(w, y, conv, x, a, context);
                case BACKWARD_FILTER -> a -> dnn.backwardFilterWorkspace(x, y, conv, w, a, context);
            };
            c = new Choice(choose(d.label, perf, opts, freeBytes, workspace));
            choices.put(d, c);
        }
        return c;
    }

    private List<Algo> choose(String direction, List<AlgoPerf> perf, CudaOptions opts, LongSupplier freeBytes,
                              ToLongFunction<Integer> workspace) {
        List<AlgoPerf> usable = candidates(perf, opts.deterministic(), opts.tf32());
        List<Algo> sized = new ArrayList<>();
        List<String> unsized = new ArrayList<>();
        for (AlgoPerf p : usable) {
            int math = runMathType(p, opts.tf32());
            setMathType(math); // the workspace size depends on it
            try {
                sized.add(new Algo(p.algo(), workspace.applyAsLong(p.algo()), math));
            } catch (CudaException e) {
                if (e.function() == null) throw e; // a missing symbol, not this algorithm's problem
                unsized.add("algo " + p.algo() + ": " + e.getMessage());
            }
        }
        if (sized.isEmpty()) {
            throw new CudaException("cudnn: no " + (opts.deterministic() ? "deterministic " : "") + (opts.tf32() ? "" : "FP32 ")
                    + direction + " algorithm for " + context + " (heuristics returned " + perf + (unsized.isEmpty() ? "" : "; " + unsized)
                    + ")" + (opts.deterministic() ? "; set KILN_CUDA_DETERMINISTIC=0 to allow non-deterministic ones" : ""));
        }
        return order(sized, freeBytes.getAsLong());
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

    /**
     * The order to try algorithms in: those whose workspace fits in half the free memory, in the
     * heuristics' (fastest-first) order, then the others from the smallest workspace up.
     */
    static List<Algo> order(List<Algo> sized, long freeBytes) {
        List<Algo> out = new ArrayList<>();
        for (Algo a : sized) if (a.workspaceBytes() <= freeBytes / 2) out.add(a);
        sized.stream().filter(a -> a.workspaceBytes() > freeBytes / 2).sorted(Comparator.comparingLong(Algo::workspaceBytes)).forEach(out::add);
        return out;
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
