package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.SgdSpec;
import java.lang.foreign.MemorySegment;

/** Fused in-place optimiser updates (PyTorch's formulas), evaluated per element in double. */
public final class Optimizers {
    private Optimizers() {}

    /** One Adam/AdamW step on a parameter of {@code numel} elements with its moments {@code m}, {@code v}. */
    public static void adam(CpuThreadPool pool, AdamSpec s, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long numel) {
        double b1 = s.beta1(), b2 = s.beta2(), lr = s.lr(), wd = s.weightDecay(), eps = s.eps();
        double bc1 = 1 - Math.pow(b1, s.step()), bc2 = 1 - Math.pow(b2, s.step());
        pool.parallelRange(numel, Elementwise.GRAIN, (st, e) -> {
            for (long i = st; i < e; i++) {
                double pv = p.getAtIndex(JAVA_FLOAT, i), gv = g.getAtIndex(JAVA_FLOAT, i);
                if (s.decoupled()) pv *= 1 - lr * wd;
                else gv += wd * pv;
                double mv = b1 * m.getAtIndex(JAVA_FLOAT, i) + (1 - b1) * gv;
                double vv = b2 * v.getAtIndex(JAVA_FLOAT, i) + (1 - b2) * gv * gv;
                pv -= lr * (mv / bc1) / (Math.sqrt(vv / bc2) + eps);
                m.setAtIndex(JAVA_FLOAT, i, (float) mv);
                v.setAtIndex(JAVA_FLOAT, i, (float) vv);
                p.setAtIndex(JAVA_FLOAT, i, (float) pv);
            }
        });
    }

    /** One SGD step; {@code buf} is null when momentum is 0. */
    public static void sgd(CpuThreadPool pool, SgdSpec s, MemorySegment p, MemorySegment g, MemorySegment buf, long numel) {
        double lr = s.lr(), mom = s.momentum(), damp = s.dampening(), wd = s.weightDecay();
        pool.parallelRange(numel, Elementwise.GRAIN, (st, e) -> {
            for (long i = st; i < e; i++) {
                double pv = p.getAtIndex(JAVA_FLOAT, i), gv = g.getAtIndex(JAVA_FLOAT, i) + wd * pv;
                if (buf != null) {
                    double b = s.firstStep() ? gv : mom * buf.getAtIndex(JAVA_FLOAT, i) + (1 - damp) * gv;
                    buf.setAtIndex(JAVA_FLOAT, i, (float) b);
                    gv = s.nesterov() ? gv + mom * b : b;
                }
                p.setAtIndex(JAVA_FLOAT, i, (float) (pv - lr * gv));
            }
        });
    }
}
