package dev.kiln.cpu.kernels;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.SgdSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Fused in-place optimiser updates (PyTorch's formulas), evaluated per element in double. */
public final class Optimizers {
    /** Unaligned access: an aligned layout costs an alignment check per element in these scalar loops. */
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private Optimizers() {}

    /** One Adam/AdamW step on a parameter of {@code numel} elements with its moments {@code m}, {@code v}. */
    public static void adam(CpuThreadPool pool, AdamSpec s, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long numel) {
        double b1 = s.beta1(), b2 = s.beta2(), lr = s.lr(), wd = s.weightDecay(), eps = s.eps();
        double bc1 = 1 - Math.pow(b1, s.step()), bc2 = 1 - Math.pow(b2, s.step());
        pool.parallelRange(numel, Elementwise.GRAIN, (st, e) -> {
            for (long i = st; i < e; i++) {
                double pv = p.getAtIndex(F, i), gv = g.getAtIndex(F, i);
                if (s.decoupled()) pv *= 1 - lr * wd;
                else gv += wd * pv;
                double mv = b1 * m.getAtIndex(F, i) + (1 - b1) * gv;
                double vv = b2 * v.getAtIndex(F, i) + (1 - b2) * gv * gv;
                pv -= lr * (mv / bc1) / (Math.sqrt(vv / bc2) + eps);
                m.setAtIndex(F, i, (float) mv);
                v.setAtIndex(F, i, (float) vv);
                p.setAtIndex(F, i, (float) pv);
            }
        });
    }

    /** One SGD step; {@code buf} is null when momentum is 0. */
    public static void sgd(CpuThreadPool pool, SgdSpec s, MemorySegment p, MemorySegment g, MemorySegment buf, long numel) {
        double lr = s.lr(), mom = s.momentum(), damp = s.dampening(), wd = s.weightDecay();
        pool.parallelRange(numel, Elementwise.GRAIN, (st, e) -> {
            for (long i = st; i < e; i++) {
                double pv = p.getAtIndex(F, i), gv = g.getAtIndex(F, i) + wd * pv;
                if (buf != null) {
                    double b = s.firstStep() ? gv : mom * buf.getAtIndex(F, i) + (1 - damp) * gv;
                    buf.setAtIndex(F, i, (float) b);
                    gv = s.nesterov() ? gv + mom * b : b;
                }
                p.setAtIndex(F, i, (float) (pv - lr * gv));
            }
        });
    }
}
