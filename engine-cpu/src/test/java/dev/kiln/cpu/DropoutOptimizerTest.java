package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.Philox;
import dev.kiln.spi.SgdSpec;
import dev.kiln.spi.Storage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dropout masks against {@link Philox#uniform} and one optimiser step against PyTorch's formulas in float64. */
class DropoutOptimizerTest {
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void dropoutMaskEqualsPhiloxUniformAtAnyOffset() {
        long seed = 0x1234_5678_9ABCL;
        for (long offset : new long[] {0, 3, 1L << 33}) {
            for (float p : new float[] {0f, 0.3f, 1f}) {
                int n = 70001;
                Storage mask = h.empty(n);
                h.cpu.dropoutMask(seed, offset, p, mask);
                float[] got = read(mask);
                float keep = p >= 1 ? 0 : 1f / (1f - p);
                int bad = 0;
                for (int i = 0; i < n; i++) {
                    float want = p < 1 && Philox.uniform(seed, offset + i) >= p ? keep : 0f;
                    if (Float.compare(want, got[i]) != 0) bad++;
                }
                assertEquals(0, bad, "dropout mask mismatches (offset " + offset + ", p " + p + ")");
            }
        }
    }

    @Test
    void adamAndAdamWOneStep() {
        for (boolean decoupled : new boolean[] {false, true}) {
            AdamSpec s = new AdamSpec(1e-2f, 0.9f, 0.999f, 1e-8f, 0.05f, decoupled, 3);
            int n = 50;
            float[] p = random(1, n), g = random(2, n), m = random(3, n), v = random(4, n);
            for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
            double[] pe = new double[n], me = new double[n], ve = new double[n];
            double b1 = s.beta1(), b2 = s.beta2(), lr = s.lr(), wd = s.weightDecay();
            for (int i = 0; i < n; i++) {
                double pi = p[i], gi = g[i];
                if (decoupled) pi *= 1 - lr * wd;
                else gi += wd * pi;
                me[i] = b1 * m[i] + (1 - b1) * gi;
                ve[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mhat = me[i] / (1 - Math.pow(b1, 3)), vhat = ve[i] / (1 - Math.pow(b2, 3));
                pe[i] = pi - lr * mhat / (Math.sqrt(vhat) + s.eps());
            }
            Storage ps = h.store(p), ms = h.store(m), vs = h.store(v);
            h.cpu.adamStep(s, List.of(ps), List.of(h.store(g)), List.of(ms), List.of(vs));
            assertClose("adam param decoupled=" + decoupled, pe, read(ps));
            assertClose("adam m", me, read(ms));
            assertClose("adam v", ve, read(vs));
        }
    }

    @Test
    void sgdPlainMomentumAndNesterov() {
        int n = 40;
        float[] p = random(5, n), g = random(6, n), buf = random(7, n);
        for (SgdSpec s : new SgdSpec[] {new SgdSpec(0.1f, 0f, 0f, 0.01f, false, false), new SgdSpec(0.1f, 0.9f, 0.1f, 0.01f, false, false),
                                       new SgdSpec(0.1f, 0.9f, 0f, 0f, true, false), new SgdSpec(0.1f, 0.9f, 0.5f, 0.01f, false, true)}) {
            double[] pe = new double[n], be = new double[n];
            double mom = s.momentum();
            for (int i = 0; i < n; i++) {
                double gi = g[i] + (double) s.weightDecay() * p[i];
                if (mom != 0) {
                    be[i] = s.firstStep() ? gi : mom * buf[i] + (1 - (double) s.dampening()) * gi;
                    gi = s.nesterov() ? gi + mom * be[i] : be[i];
                }
                pe[i] = p[i] - (double) s.lr() * gi;
            }
            Storage ps = h.store(p), bs = h.store(buf);
            h.cpu.sgdStep(s, List.of(ps), List.of(h.store(g)), mom == 0 ? List.of() : List.of(bs));
            assertClose("sgd param " + s, pe, read(ps));
            if (mom != 0) assertClose("sgd momentum buffer " + s, be, read(bs));
        }
    }
}
