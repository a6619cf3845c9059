package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.spi.BatchNormSpec;
import dev.kiln.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batch norm train/eval/backward and running statistics against float64 formulas. */
class BatchNormTest {
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private static int at(BatchNormSpec s, int i, int ch, int p) {
        return (i * s.c() + ch) * s.spatial() + p;
    }

    @Test
    void trainEvalAndBackward() {
        for (BatchNormSpec s : new BatchNormSpec[] {new BatchNormSpec(4, 3, 10, 1e-5f, 0.1f), new BatchNormSpec(7, 5, 1, 1e-3f, 0.3f),
                                                   new BatchNormSpec(1, 2, 1, 1e-5f, 0.1f)}) {
            int total = (int) s.numel(), c = s.c();
            double m = s.n() * (double) s.spatial();
            float[] x = random(1, total), gamma = random(2, c), beta = random(3, c), gy = random(4, total);
            float[] rm0 = random(5, c), rv0 = new float[c];
            for (int i = 0; i < total; i++) x[i] = x[i] * 3 + 1;
            for (int ch = 0; ch < c; ch++) rv0[ch] = 0.5f + ch;
            double[] y = new double[total], mean = new double[c], invStd = new double[c], rm = new double[c], rv = new double[c];
            double[] gx = new double[total], gg = new double[c], gb = new double[c], yEval = new double[total];
            for (int ch = 0; ch < c; ch++) {
                double sum = 0, sq = 0;
                for (int i = 0; i < s.n(); i++) for (int p = 0; p < s.spatial(); p++) sum += x[at(s, i, ch, p)];
                mean[ch] = sum / m;
                for (int i = 0; i < s.n(); i++) for (int p = 0; p < s.spatial(); p++) sq += Math.pow(x[at(s, i, ch, p)] - mean[ch], 2);
                double var = sq / m, unbiased = m > 1 ? sq / (m - 1) : var;
                invStd[ch] = 1 / Math.sqrt(var + s.eps());
                rm[ch] = (1 - (double) s.momentum()) * rm0[ch] + s.momentum() * mean[ch];
                rv[ch] = (1 - (double) s.momentum()) * rv0[ch] + s.momentum() * unbiased;
                double sg = 0, sgx = 0;
                for (int i = 0; i < s.n(); i++) {
                    for (int p = 0; p < s.spatial(); p++) {
                        int k = at(s, i, ch, p);
                        double xhat = (x[k] - mean[ch]) * invStd[ch];
                        y[k] = xhat * gamma[ch] + beta[ch];
                        yEval[k] = (x[k] - rm0[ch]) / Math.sqrt(rv0[ch] + (double) s.eps()) * gamma[ch] + beta[ch];
                        sg += gy[k];
                        sgx += gy[k] * xhat;
                    }
                }
                gg[ch] = sgx;
                gb[ch] = sg;
                for (int i = 0; i < s.n(); i++) {
                    for (int p = 0; p < s.spatial(); p++) {
                        int k = at(s, i, ch, p);
                        double xhat = (x[k] - mean[ch]) * invStd[ch];
                        gx[k] = gamma[ch] * invStd[ch] / m * (m * gy[k] - sg - xhat * sgx);
                    }
                }
            }
            Storage xs = h.store(x), gs = h.store(gamma), bs = h.store(beta), ys = h.empty(total);
            Storage sm = h.empty(c), si = h.empty(c), rms = h.store(rm0), rvs = h.store(rv0);
            h.cpu.batchNormTrain(s, xs, gs, bs, ys, sm, si, rms, rvs);
            assertClose("batch_norm y " + s, y, read(ys));
            assertClose("batch_norm mean " + s, mean, read(sm));
            assertClose("batch_norm invstd " + s, invStd, read(si), 10);
            assertClose("batch_norm running mean " + s, rm, read(rms));
            assertClose("batch_norm running var " + s, rv, read(rvs));

            Storage gxs = h.empty(total), ggs = h.empty(c), gbs = h.empty(c);
            h.cpu.batchNormBackward(s, xs, gs, h.store(gy), sm, si, gxs, ggs, gbs);
            // The kernel gets float-rounded saved statistics, hence the wider tolerance on gx.
            assertClose("batch_norm grad x " + s, gx, read(gxs), 20);
            assertClose("batch_norm grad gamma " + s, gg, read(ggs), 10);
            assertClose("batch_norm grad beta " + s, gb, read(gbs));

            Storage ye = h.empty(total);
            h.cpu.batchNormEval(s, xs, gs, bs, h.store(rm0), h.store(rv0), ye);
            assertClose("batch_norm eval " + s, yEval, read(ye));
        }
    }
}
