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
    /** Elements per heap block of the Adam step. */
    private static final int BLOCK = 2048;
    private Optimizers() {}

    /** One Adam/AdamW step on a parameter of {@code numel} elements with its moments {@code m}, {@code v}. */
    public static void adam(CpuThreadPool pool, AdamSpec s, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long numel) {
        double b1 = s.beta1(), b2 = s.beta2(), lr = s.lr(), wd = s.weightDecay(), eps = s.eps();
        double bc1 = 1 - Math.pow(b1, s.step()), bc2 = 1 - Math.pow(b2, s.step());
        boolean decoupled = s.decoupled();
        pool.parallelRange(numel, Elementwise.GRAIN, (st, e) -> {
            // Blocks through heap copies: with the four tensors in arrays C2 vectorises the double
            // arithmetic (divisions and square roots included), which segment accesses prevent.
            float[] pa = Workspace.array(Workspace.Heap.ROW_A, BLOCK), ga = Workspace.array(Workspace.Heap.ROW_B, BLOCK);
            float[] ma = Workspace.array(Workspace.Heap.ROW_C, BLOCK), va = Workspace.array(Workspace.Heap.ROW_D, BLOCK);
            for (long b = st; b < e; b += BLOCK) {
                int n = (int) Math.min(BLOCK, e - b);
                long at = b * Float.BYTES;
                MemorySegment.copy(p, F, at, pa, 0, n);
                MemorySegment.copy(g, F, at, ga, 0, n);
                MemorySegment.copy(m, F, at, ma, 0, n);
                MemorySegment.copy(v, F, at, va, 0, n);
                for (int i = 0; i < n; i++) {
                    double pv = pa[i], gv = ga[i];
                    if (decoupled) pv *= 1 - lr * wd;
                    else gv += wd * pv;
                    double mv = b1 * ma[i] + (1 - b1) * gv;
                    double vv = b2 * va[i] + (1 - b2) * gv * gv;
                    pv -= lr * (mv / bc1) / (Math.sqrt(vv / bc2) + eps);
                    ma[i] = (float) mv;
                    va[i] = (float) vv;
                    pa[i] = (float) pv;
                }
                MemorySegment.copy(ma, 0, m, F, at, n);
                MemorySegment.copy(va, 0, v, F, at, n);
                MemorySegment.copy(pa, 0, p, F, at, n);
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
