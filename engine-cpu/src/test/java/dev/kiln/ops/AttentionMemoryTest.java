package dev.kiln.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuBackend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Fused attention keeps memory linear in the sequence length: forward and backward at T = 4,096
 * (batch 1, 1 head, E = Ev = 64, causal) allocate at most {@value #BOUND_MIB} MiB beyond the inputs,
 * measured by the CPU backend's peak of live storage bytes, where one T x T float matrix alone is
 * 64 MiB (an unfused softmax(Q K^T) V keeps at least two of them for backward). The expected use is
 * about 8 MiB: the output, the saved log-sum-exp (16 KiB), the loss's gradient of the output and the
 * three input gradients, 1 MiB each, and their leaf copies. Three output rows are checked against a
 * float64 reference too, so the measured run is a correct one.
 */
class AttentionMemoryTest {
    private static final int T = 4096, E = 64;
    private static final long BOUND_MIB = 16;

    @Test
    void forwardAndBackwardAtSequence4096StayFarBelowTheTxTMatrix() {
        try (CpuBackend cpu = new CpuBackend(2); var scope = Kiln.scope()) {
            Generator g = new Generator(4096);
            Tensor q = Tensor.randn(g, 1, 1, T, E).to(cpu).requiresGrad(true);
            Tensor k = Tensor.randn(g, 1, 1, T, E).to(cpu).requiresGrad(true);
            Tensor v = Tensor.randn(g, 1, 1, T, E).to(cpu).requiresGrad(true);
            cpu.synchronize();
            long base = cpu.bytesInUse();
            cpu.resetPeakBytesInUse();
            Tensor out = Functional.scaledDotProductAttention(q, k, v, AttentionOptions.defaults().causal(true));
            out.sum().backward();
            long extra = cpu.peakBytesInUse() - base;
            long matrix = 4L * T * T;
            assertTrue(extra <= BOUND_MIB << 20, "peak " + (extra >> 10) + " KiB beyond the inputs, bound " + BOUND_MIB
                    + " MiB (the T x T matrix is " + (matrix >> 20) + " MiB)");
            assertTrue(extra >= 4L * T * E * 4, "peak " + extra + " bytes cannot hold the output and three gradients: not measured");
            float[] qa = q.toFloatArray(), ka = k.toFloatArray(), va = v.toFloatArray(), y = out.toFloatArray();
            for (int i : new int[] {0, 1777, T - 1}) {
                double[] ref = row(qa, ka, va, i);
                for (int x = 0; x < E; x++) assertEquals(ref[x], y[i * E + x], 1e-4, "output row " + i + ", column " + x);
            }
            assertEquals(T * E, q.grad().numel());
        }
    }

    /** Causal attention output of query i in float64. */
    private static double[] row(float[] q, float[] k, float[] v, int i) {
        double[] s = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int x = 0; x < E; x++) dot += (double) q[i * E + x] * k[j * E + x];
            s[j] = dot / Math.sqrt(E);
            max = Math.max(max, s[j]);
        }
        for (int j = 0; j <= i; j++) sum += Math.exp(s[j] - max);
        double[] out = new double[E];
        for (int j = 0; j <= i; j++) {
            double w = Math.exp(s[j] - max) / sum;
            for (int x = 0; x < E; x++) out[x] += w * v[j * E + x];
        }
        return out;
    }
}
