package dev.kiln.optim;

import static dev.kiln.nn.AllClose.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.internal.TensorAccess;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Optimizer updates on the CPU backend against the update formulas evaluated in float64 here. */
class OptimizerStepTest {
    /** Fused float32 kernels vs float64 formulas: a few ulps of the parameter magnitude. */
    private static final double RTOL = 1e-5, ATOL = 1e-6;

    private final Backend cpu = Kiln.backend("cpu");
    private final List<AutoCloseable> owned = new ArrayList<>();

    private static final double[] P0 = {0.5, -1.25, 2.0, 0.125};
    private static final double[] G1 = {0.3, -0.7, 0.05, 1.5};
    private static final double[] G2 = {-0.2, 0.4, 0.9, -1.1};

    @AfterEach
    void free() throws Exception {
        for (AutoCloseable c : owned) c.close();
    }

    private Tensor param(double[] v) {
        Tensor p = Tensor.fromArray(cpu, f(v), v.length).unscope().requiresGrad(true);
        owned.add(p);
        return p;
    }

    private <O extends Optimizer> O own(O o) {
        owned.add(o);
        return o;
    }

    private void grad(Tensor p, double[] g) {
        p.setGrad(Tensor.fromArray(cpu, f(g), g.length));
    }

    private static float[] f(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    /** Inputs as the kernel sees them: rounded to float. */
    private static double[] r(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    @Test
    void plainSgdWithWeightDecay() {
        Tensor p = param(P0);
        SGD sgd = own(SGD.builder(List.of(p)).lr(0.1).weightDecay(0.01).build());
        grad(p, G1);
        sgd.step();
        double[] p0 = r(P0), g = r(G1), want = new double[4];
        for (int i = 0; i < 4; i++) want[i] = p0[i] - 0.1 * (g[i] + 0.01 * p0[i]);
        assertClose(want, p.toFloatArray(), RTOL, ATOL, "sgd");
    }

    @Test
    void momentumWithDampeningOverTwoSteps() {
        Tensor p = param(P0);
        SGD sgd = own(SGD.builder(List.of(p)).lr(0.05).momentum(0.9).dampening(0.1).build());
        grad(p, G1);
        sgd.step();
        grad(p, G2);
        sgd.step();
        double[] x = r(P0), g1 = r(G1), g2 = r(G2), buf = new double[4];
        for (int i = 0; i < 4; i++) {
            buf[i] = g1[i]; // first step: the buffer is the gradient, undampened
            x[i] -= 0.05 * buf[i];
            buf[i] = 0.9 * buf[i] + (1 - 0.1) * g2[i];
            x[i] -= 0.05 * buf[i];
        }
        assertClose(x, p.toFloatArray(), RTOL, ATOL, "momentum");
        assertClose(buf, sgd.state().tensors().get("0.momentum_buffer").toFloatArray(), RTOL, ATOL, "momentum buffer");
    }

    @Test
    void nesterovOverTwoSteps() {
        Tensor p = param(P0);
        SGD sgd = own(SGD.builder(List.of(p)).lr(0.05).momentum(0.9).weightDecay(0.02).nesterov(true).build());
        double[] x = r(P0), buf = new double[4];
        double[][] grads = {r(G1), r(G2)};
        for (int s = 0; s < 2; s++) {
            grad(p, grads[s]);
            sgd.step();
            for (int i = 0; i < 4; i++) {
                double g = grads[s][i] + 0.02 * x[i];
                buf[i] = s == 0 ? g : 0.9 * buf[i] + g;
                x[i] -= 0.05 * (g + 0.9 * buf[i]);
            }
        }
        assertClose(x, p.toFloatArray(), RTOL, ATOL, "nesterov");
    }

    /** Two Adam steps in float64; {@code decoupled} selects AdamW. */
    private static double[] adamReference(double lr, double wd, boolean decoupled) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] x = r(P0), m = new double[4], v = new double[4];
        double[][] grads = {r(G1), r(G2)};
        for (int t = 1; t <= 2; t++) {
            for (int i = 0; i < 4; i++) {
                double g = grads[t - 1][i];
                if (decoupled) x[i] *= 1 - lr * wd;
                else g += wd * x[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
                x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return x;
    }

    private void twoSteps(Optimizer o, Tensor p) {
        grad(p, G1);
        o.step();
        grad(p, G2);
        o.step();
    }

    @Test
    void adamWithL2WeightDecayOverTwoSteps() {
        Tensor p = param(P0);
        Adam adam = own(Adam.builder(List.of(ParamGroup.of(List.of(p)))).lr(0.01).weightDecay(0.1).build());
        twoSteps(adam, p);
        assertClose(adamReference(0.01, 0.1, false), p.toFloatArray(), RTOL, ATOL, "adam");
        assertEquals(2.0, adam.state().scalars().get("0.step"));
    }

    @Test
    void adamWDecouplesWeightDecay() {
        Tensor p = param(P0);
        AdamW adamw = own(AdamW.builder(List.of(ParamGroup.of(List.of(p)))).lr(0.01).weightDecay(0.1).build());
        twoSteps(adamw, p);
        assertClose(adamReference(0.01, 0.1, true), p.toFloatArray(), RTOL, ATOL, "adamw");
    }

    @Test
    void groupsUseTheirOwnRateAndFrozenOrGradlessParametersStayPut() {
        Tensor a = param(P0), b = param(P0), frozen = param(P0), gradless = param(P0);
        SGD sgd = own(SGD.builder(List.of(ParamGroup.of(List.of(a, frozen, gradless)), ParamGroup.of(List.of(b)).lr(1.0))).lr(0.1).build());
        grad(a, G1);
        grad(b, G1);
        grad(frozen, G1);
        frozen.requiresGrad(false);
        sgd.step();
        double[] p0 = r(P0), g = r(G1), wantA = new double[4], wantB = new double[4];
        for (int i = 0; i < 4; i++) {
            wantA[i] = p0[i] - 0.1 * g[i];
            wantB[i] = p0[i] - 1.0 * g[i];
        }
        assertClose(wantA, a.toFloatArray(), RTOL, ATOL, "group 0");
        assertClose(wantB, b.toFloatArray(), RTOL, ATOL, "group 1");
        assertArrayEquals(f(P0), frozen.toFloatArray());
        assertArrayEquals(f(P0), gradless.toFloatArray());
        sgd.zeroGrad();
        assertEquals(null, a.grad());
    }

    @Test
    void exportedStateResumesBitIdentically() {
        for (int kind = 0; kind < 2; kind++) {
            Tensor p = param(P0), q = param(P0);
            Optimizer straight = own(kind == 0 ? new Adam(List.of(p), 0.01) : SGD.builder(List.of(p)).lr(0.1).momentum(0.9).weightDecay(0.01).nesterov(true).build());
            twoSteps(straight, p);
            try (var copy = Tensor.fromArray(cpu, p.toFloatArray(), 4)) {
                cpu.copy(TensorAccess.storage(copy), TensorAccess.storage(q));
            }
            Optimizer resumed = own(kind == 0 ? new Adam(List.of(q), 0.01) : SGD.builder(List.of(q)).lr(0.1).momentum(0.9).weightDecay(0.01).nesterov(true).build());
            resumed.loadState(straight.state());
            grad(p, G1);
            straight.step();
            grad(q, G1);
            resumed.step();
            assertArrayEquals(p.toFloatArray(), q.toFloatArray(), "optimizer " + straight.getClass().getSimpleName());
        }
    }

    @Test
    void clipGradNormScalesToTheLimit() {
        Tensor a = param(new double[] {0, 0}), b = param(new double[] {0}), c = param(new double[] {1});
        grad(a, new double[] {3, 4});
        grad(b, new double[] {12});
        double norm = GradientClipping.clipGradNorm(List.of(a, b, c), 6.5);
        assertEquals(13.0, norm, 1e-5);
        double k = 6.5 / (13.0 + 1e-6);
        assertClose(new double[] {3 * k, 4 * k}, a.grad().toFloatArray(), "a");
        assertClose(new double[] {12 * k}, b.grad().toFloatArray(), "b");

        double again = GradientClipping.clipGradNorm(List.of(a, b), 100);
        assertEquals(6.5, again, 1e-5);
        assertClose(new double[] {3 * k, 4 * k}, a.grad().toFloatArray(), "unchanged below the limit");
    }
}
