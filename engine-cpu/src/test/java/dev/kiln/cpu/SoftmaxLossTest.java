package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.SoftmaxSpec;
import dev.kiln.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Softmax, log-softmax and cross-entropy, forward and backward, against float64 formulas. */
class SoftmaxLossTest {
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** softmax (or log-softmax) of line (o, i) in double, no max shift needed at these magnitudes. */
    private static double[] refSoftmax(SoftmaxSpec s, float[] x) {
        double[] y = new double[x.length];
        for (int o = 0; o < s.outer(); o++) {
            for (int i = 0; i < s.inner(); i++) {
                double sum = 0;
                for (int d = 0; d < s.dim(); d++) sum += Math.exp(x[(o * s.dim() + d) * s.inner() + i]);
                for (int d = 0; d < s.dim(); d++) {
                    int at = (o * s.dim() + d) * s.inner() + i;
                    y[at] = s.log() ? x[at] - Math.log(sum) : Math.exp(x[at]) / sum;
                }
            }
        }
        return y;
    }

    @Test
    void softmaxForwardAndBackward() {
        for (boolean log : new boolean[] {false, true}) {
            for (SoftmaxSpec s : new SoftmaxSpec[] {new SoftmaxSpec(3, 7, 1, log), new SoftmaxSpec(2, 5, 6, log), new SoftmaxSpec(1, 1, 4, log)}) {
                int n = (int) s.numel();
                float[] x = random(1, n), gy = random(2, n);
                for (int i = 0; i < n; i++) x[i] *= 8; // spread the logits so the max subtraction matters
                double[] y = refSoftmax(s, x);
                Storage ys = h.empty(n);
                h.cpu.softmax(s, h.store(x), ys);
                assertClose("softmax " + s, y, read(ys));
                // The backward is checked against the derivative applied to the kernel's own (float) y,
                // since the API hands the kernel exactly that y.
                float[] yk = read(ys);
                double[] gx = new double[n];
                for (int o = 0; o < s.outer(); o++) {
                    for (int i = 0; i < s.inner(); i++) {
                        for (int d = 0; d < s.dim(); d++) {
                            int at = (o * s.dim() + d) * s.inner() + i;
                            double acc = 0;
                            for (int e = 0; e < s.dim(); e++) {
                                int bt = (o * s.dim() + e) * s.inner() + i;
                                // d y_e / d x_d: softmax y_e([e==d] - y_d); log-softmax [e==d] - p_d
                                double jac = log ? (e == d ? 1 : 0) - Math.exp(yk[at]) : yk[bt] * ((e == d ? 1 : 0) - yk[at]);
                                acc += gy[bt] * jac;
                            }
                            gx[at] = acc;
                        }
                    }
                }
                Storage gxs = h.empty(n);
                h.cpu.softmaxBackward(s, ys, h.store(gy), gxs);
                assertClose("softmax backward " + s, gx, read(gxs));
            }
        }
    }

    @Test
    void crossEntropyWithAndWithoutSmoothing() {
        int n = 5, c = 7;
        float[] logits = random(3, n * c), gl = random(4, n);
        for (int i = 0; i < logits.length; i++) logits[i] *= 6;
        int[] t = {0, 6, 3, 3, 1};
        for (float smooth : new float[] {0f, 0.1f, 1f}) {
            CrossEntropySpec s = new CrossEntropySpec(n, c, smooth);
            double[] loss = new double[n], logp = new double[n * c], grad = new double[n * c];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < c; j++) sum += Math.exp(logits[i * c + j]);
                double all = 0;
                for (int j = 0; j < c; j++) {
                    logp[i * c + j] = logits[i * c + j] - Math.log(sum);
                    all += logp[i * c + j];
                }
                loss[i] = -(1 - (double) smooth) * logp[i * c + t[i]] - smooth / (double) c * all;
                for (int j = 0; j < c; j++) {
                    double q = (j == t[i] ? 1 - (double) smooth : 0) + smooth / (double) c;
                    grad[i * c + j] = gl[i] * (Math.exp(logp[i * c + j]) - q);
                }
            }
            Storage targets = h.storeInts(t), losses = h.empty(n), lp = h.empty(n * c), gs = h.empty(n * c);
            h.cpu.crossEntropy(s, h.store(logits), targets, losses, lp, null);
            assertClose("cross_entropy loss s=" + smooth, loss, read(losses));
            assertClose("cross_entropy log-probs s=" + smooth, logp, read(lp));
            h.cpu.crossEntropyBackward(s, lp, targets, h.store(gl), gs);
            assertClose("cross_entropy backward s=" + smooth, grad, read(gs));
        }
    }

    @Test
    void crossEntropyRejectsOutOfRangeTarget() {
        CrossEntropySpec s = new CrossEntropySpec(3, 4, 0f);
        Storage logits = h.store(random(5, 12)), targets = h.storeInts(new int[] {1, 4, 0});
        var e = assertThrows(IllegalArgumentException.class, () -> h.cpu.crossEntropy(s, logits, targets, h.empty(3), h.empty(12), null));
        assertEquals("cross_entropy: target 4 at position 1 is out of range [0, 4) (ignore_index is -100)", e.getMessage());
        Storage negative = h.storeInts(new int[] {-1, 0, 0});
        var e2 = assertThrows(IllegalArgumentException.class, () -> h.cpu.crossEntropy(s, logits, negative, h.empty(3), h.empty(12), null));
        assertEquals("cross_entropy: target -1 at position 0 is out of range [0, 4) (ignore_index is -100)", e2.getMessage());
    }
}
