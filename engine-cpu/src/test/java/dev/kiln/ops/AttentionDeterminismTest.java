package dev.kiln.ops;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuBackend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.Compare;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The CPU attention kernel gives the same bits on 1, 2, 3 and 5 threads, forward and backward, with
 * a mask, dropout and several query and key tiles per problem: each output and gradient element is
 * summed by one task in an order fixed by the shapes alone. The backward's one-pass form (many
 * problems) gives the same bits as its two-pass form (each problem alone).
 */
class AttentionDeterminismTest {
    private static float[] run(CpuBackend cpu, boolean causal) {
        try (var s = Kiln.scope()) {
            Generator g = new Generator(99);
            Tensor q = Tensor.randn(g, 2, 3, 150, 24).to(cpu).requiresGrad(true);
            Tensor k = Tensor.randn(g, 2, 3, 140, 24).to(cpu).requiresGrad(true);
            Tensor v = Tensor.randn(g, 2, 3, 140, 16).to(cpu).requiresGrad(true);
            AttentionOptions o = AttentionOptions.defaults().dropoutP(0.1f).generator(new Generator(7));
            o = causal ? o.causal(true) : o.attnMask(Tensor.randn(g, 3, 150, 140).to(cpu));
            Tensor out = Functional.scaledDotProductAttention(q, k, v, o);
            out.mul(Tensor.randn(g, out.shape()).to(cpu)).sum().backward();
            float[][] parts = {out.toFloatArray(), q.grad().toFloatArray(), k.grad().toFloatArray(), v.grad().toFloatArray()};
            return Arrays.stream(parts).reduce(new float[0], (a, b) -> {
                float[] c = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, c, a.length, b.length);
                return c;
            });
        }
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        for (boolean causal : new boolean[] {false, true}) {
            float[] reference;
            try (CpuBackend one = new CpuBackend(1)) {
                reference = run(one, causal);
            }
            for (int threads : new int[] {2, 3, 5}) {
                try (CpuBackend b = new CpuBackend(threads)) {
                    Compare.assertBitIdentical("attention " + (causal ? "causal" : "masked") + ", " + threads + " threads vs 1",
                            reference, run(b, causal));
                }
            }
        }
    }

    /** Shapes of the one-pass check: 16 problems as [4, 4, L, E], enough for the one-pass backward. */
    private static final int PROBLEMS = 16, LQ = 150, LK = 140, E = 24, EV = 16;

    /** Output and the three gradients of attention on the given host arrays, concatenated. */
    private static float[] runOn(CpuBackend cpu, int outer, int heads, float[][] in, float[] mask, boolean causal) {
        try (var s = Kiln.scope()) {
            Tensor q = Tensor.fromArray(cpu, in[0], outer, heads, LQ, E).requiresGrad(true);
            Tensor k = Tensor.fromArray(cpu, in[1], outer, heads, LK, E).requiresGrad(true);
            Tensor v = Tensor.fromArray(cpu, in[2], outer, heads, LK, EV).requiresGrad(true);
            AttentionOptions o = causal ? AttentionOptions.defaults().causal(true)
                    : AttentionOptions.defaults().attnMask(Tensor.fromArray(cpu, mask, LQ, LK));
            Tensor out = Functional.scaledDotProductAttention(q, k, v, o);
            out.mul(Tensor.fromArray(cpu, in[3], outer, heads, LQ, EV)).sum().backward();
            return concat(out.toFloatArray(), q.grad().toFloatArray(), k.grad().toFloatArray(), v.grad().toFloatArray());
        }
    }

    private static float[] concat(float[]... parts) {
        return Arrays.stream(parts).reduce(new float[0], (a, b) -> {
            float[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        });
    }

    /** Problem p's part of each of the four concatenated [PROBLEMS, rows, width] arrays. */
    private static float[] problem(float[] all, int p) {
        int[][] sizes = {{LQ, EV}, {LQ, E}, {LK, E}, {LK, EV}};
        float[] picked = new float[0];
        int at = 0;
        for (int[] rw : sizes) {
            int n = rw[0] * rw[1];
            picked = concat(picked, Arrays.copyOfRange(all, at + p * n, at + (p + 1) * n));
            at += PROBLEMS * n;
        }
        return picked;
    }

    @Test
    void onePassBackwardOfManyProblemsMatchesEachProblemAloneBitForBit() {
        Generator g = new Generator(5);
        int[] widths = {LQ * E, LK * E, LK * EV, LQ * EV};
        float[][] in = new float[4][];
        for (int x = 0; x < 4; x++) {
            in[x] = new float[PROBLEMS * widths[x]];
            g.fillNormal(in[x], 0f, 1f);
        }
        float[] mask = new float[LQ * LK];
        g.fillNormal(mask, 0f, 1f);
        for (int x = 0; x < mask.length; x += 7) mask[x] = Float.NEGATIVE_INFINITY;
        for (boolean causal : new boolean[] {false, true}) {
            float[] all;
            try (CpuBackend one = new CpuBackend(1)) {
                all = runOn(one, 4, 4, in, mask, causal);
            }
            try (CpuBackend three = new CpuBackend(3)) {
                Compare.assertBitIdentical("attention one pass, 3 threads vs 1", all, runOn(three, 4, 4, in, mask, causal));
                for (int p = 0; p < PROBLEMS; p++) {
                    float[][] alone = new float[4][];
                    for (int x = 0; x < 4; x++) alone[x] = Arrays.copyOfRange(in[x], p * widths[x], (p + 1) * widths[x]);
                    Compare.assertBitIdentical("attention problem " + p + (causal ? " causal" : " masked") + ": one pass vs alone",
                            problem(all, p), runOn(three, 1, 1, alone, mask, causal));
                }
            }
        }
    }
}
