package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static dev.kiln.cpu.KernelHarness.readInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.cpu.kernels.Erf;
import dev.kiln.cpu.kernels.NormalCdf;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.DType;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unary, binary, scalar kernels, sums and argmax against float64 formulas. */
class ElementwiseTest {
    private static final double SQRT2 = Math.sqrt(2);
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** Reference erf values (Abramowitz & Stegun table / high-precision tables). */
    @Test
    void erfMatchesTabulatedValues() {
        double[][] table = {{0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                            {2, 0.9953222650189527}, {2.5, 0.9995930479825550}, {3, 0.9999779095030014}};
        for (double[] row : table) {
            assertEquals(row[1], Erf.erf(row[0]), 1e-15 * row[1] + 1e-16, "erf(" + row[0] + ")");
            assertEquals(-row[1], Erf.erf(-row[0]), 1e-15 * row[1] + 1e-16, "erf(-" + row[0] + ")");
        }
        // erfc tails, relative accuracy: erfc(4) and erfc(6).
        assertEquals(1.541725790028002e-8, Erf.erfc(4), 1e-15 * 1.541725790028002e-8);
        assertEquals(2.151973671249892e-17, Erf.erfc(6), 1e-13 * 2.151973671249892e-17);
        assertEquals(1.0, Erf.erfc(0), 0);
    }

    /**
     * The interpolated normal CDF that exact GELU uses agrees with {@code 0.5 erfc(-v / sqrt 2)} from
     * the series and continued fraction to 1e-9 relative (float32 rounds at 6e-8), tails included (Phi(-37) is about 6e-300),
     * on a grid that falls between the table's knots, and at tabulated values.
     */
    @Test
    void normalCdfMatchesErfcToNineDigits() {
        for (int i = 0; i <= 45_000; i++) {
            double v = -37 + i * 0.001 + 0.000123;
            double ref = 0.5 * Erf.erfc(-v / SQRT2);
            assertEquals(ref, NormalCdf.phi(v), 1e-9 * ref, "Phi(" + v + ")");
        }
        assertEquals(0.5, NormalCdf.phi(0), 0);
        assertEquals(0.5, NormalCdf.phi(-0.0), 0);
        assertEquals(0.9772498680518208, NormalCdf.phi(2), 1e-12);
        assertEquals(1.3498980316300946e-3, NormalCdf.phi(-3), 1e-14);
        assertEquals(1.0, NormalCdf.phi(Double.POSITIVE_INFINITY), 0);
        assertEquals(0.0, NormalCdf.phi(Double.NEGATIVE_INFINITY), 0);
        assertEquals(Double.NaN, NormalCdf.phi(Double.NaN));
    }

    private void unaryCase(UnaryOp op, float alpha, float[] x, DoubleUnaryOperator f, DoubleUnaryOperator df) {
        int n = x.length;
        float[] gy = random(9, n);
        double[] y = new double[n], gx = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = f.applyAsDouble(x[i]);
            gx[i] = gy[i] * df.applyAsDouble(x[i]);
        }
        Storage xs = h.store(x), ys = h.empty(n), gxs = h.empty(n);
        h.cpu.unary(op, alpha, xs, ys);
        assertClose(op + " forward", y, read(ys), 2);
        h.cpu.unaryBackward(op, alpha, xs, ys, h.store(gy), gxs);
        assertClose(op + " backward", gx, read(gxs), 4);
    }

    @Test
    void unaryForwardAndBackward() {
        float[] x = random(1, 301);
        for (int i = 0; i < x.length; i++) x[i] *= 6;
        x[0] = 0;
        float[] pos = random(2, 301);
        for (int i = 0; i < pos.length; i++) pos[i] = Math.abs(pos[i]) * 5 + 0.01f;
        unaryCase(UnaryOp.RELU, 0, x, v -> Math.max(v, 0), v -> v > 0 ? 1 : 0);
        unaryCase(UnaryOp.LEAKY_RELU, 0.2f, x, v -> v > 0 ? v : v * (double) 0.2f, v -> v > 0 ? 1 : 0.2f);
        unaryCase(UnaryOp.SIGMOID, 0, x, v -> 1 / (1 + Math.exp(-v)), v -> Math.exp(-v) / Math.pow(1 + Math.exp(-v), 2));
        unaryCase(UnaryOp.TANH, 0, x, Math::tanh, v -> 1 - Math.pow(Math.tanh(v), 2));
        // GELU reference uses the erf table-checked above via erfc for the negative tail
        unaryCase(UnaryOp.GELU, 0, x, v -> v * 0.5 * Erf.erfc(-v / SQRT2),
                v -> 0.5 * Erf.erfc(-v / SQRT2) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI));
        unaryCase(UnaryOp.EXP, 0, x, Math::exp, Math::exp);
        unaryCase(UnaryOp.LOG, 0, pos, Math::log, v -> 1 / v);
        unaryCase(UnaryOp.NEG, 0, x, v -> -v, v -> -1);
        unaryCase(UnaryOp.SQRT, 0, pos, Math::sqrt, v -> 0.5 / Math.sqrt(v));
        unaryCase(UnaryOp.ABS, 0, x, Math::abs, v -> Math.signum(v));
    }

    @Test
    void geluKnownValues() {
        // gelu(1) = 0.5*(1+erf(1/sqrt2)) = 0.8413447460685429; gelu(-3) = -3*Phi(-3) = -0.004049694784...
        Storage y = h.empty(3);
        h.cpu.unary(UnaryOp.GELU, 0, h.store(new float[] {1, -3, 0}), y);
        assertClose("gelu known values", new double[] {0.8413447460685429, -3 * 0.0013498980316301, 0}, read(y));
    }

    private void binaryCase(BinaryOp op, int[] as, int[] bs, DoubleBinaryOperator f) {
        Broadcast spec = Broadcast.of(op.name(), as, bs);
        int[] out = spec.outShape();
        float[] a = random(3, (int) dev.kiln.tensor.Shape.numel(as)), b = random(4, (int) dev.kiln.tensor.Shape.numel(bs));
        if (op == BinaryOp.DIV) for (int i = 0; i < b.length; i++) b[i] = b[i] >= 0 ? b[i] + 0.5f : b[i] - 0.5f;
        double[] ref = new double[(int) spec.numel()];
        for (int i = 0; i < ref.length; i++) {
            // Decompose the output index and fold it onto each operand independently of Broadcast's strides.
            int rem = i, ai = 0, bi = 0, aMul = 1, bMul = 1;
            for (int d = out.length - 1; d >= 0; d--) {
                int idx = rem % out[d];
                rem /= out[d];
                int da = d - (out.length - as.length), db = d - (out.length - bs.length);
                if (da >= 0) {
                    ai += (as[da] == 1 ? 0 : idx) * aMul;
                    aMul *= as[da];
                }
                if (db >= 0) {
                    bi += (bs[db] == 1 ? 0 : idx) * bMul;
                    bMul *= bs[db];
                }
            }
            ref[i] = (float) f.applyAsDouble(a[ai], b[bi]);
        }
        Storage o = h.empty(ref.length);
        h.cpu.binary(op, spec, h.store(a), h.store(b), o);
        assertClose(op + " " + java.util.Arrays.toString(as) + " with " + java.util.Arrays.toString(bs), ref, read(o));
    }

    @Test
    void binaryWithBroadcasting() {
        DoubleBinaryOperator[] fs = {Double::sum, (p, q) -> p - q, (p, q) -> p * q, (p, q) -> p / q};
        for (BinaryOp op : BinaryOp.values()) {
            DoubleBinaryOperator f = fs[op.ordinal()];
            binaryCase(op, new int[] {4, 5}, new int[] {4, 5}, f);
            binaryCase(op, new int[] {2, 3, 4}, new int[] {4}, f);
            binaryCase(op, new int[] {2, 1, 4}, new int[] {3, 1}, f);
            binaryCase(op, new int[] {1}, new int[] {2, 3}, f);
            binaryCase(op, new int[] {5, 1, 1, 3}, new int[] {1, 2, 6, 1}, f);
            // Rows of at least 16 take the row-wise loop: a bias over rows, a row-repeated b, a batch of matrices.
            binaryCase(op, new int[] {7, 40}, new int[] {40}, f);
            binaryCase(op, new int[] {3, 5, 20}, new int[] {5, 20}, f);
            binaryCase(op, new int[] {3, 5, 20}, new int[] {3, 5, 1}, f);
            binaryCase(op, new int[] {2, 1, 17}, new int[] {3, 17}, f);
            binaryCase(op, new int[] {6, 33}, new int[] {6, 33}, f);
        }
    }

    @Test
    void binaryOutputMayAliasInput() {
        float[] a = {1, 2, 3, 4, 5, 6};
        Storage as = h.store(a), bs = h.store(new float[] {10, 20, 30});
        h.cpu.binary(BinaryOp.ADD, Broadcast.of("add", new int[] {2, 3}, new int[] {3}), as, bs, as);
        assertClose("in-place broadcast add", new double[] {11, 22, 33, 14, 25, 36}, read(as));
    }

    @Test
    void rowwiseBroadcastAddMayAliasItsInput() {
        float[] a = random(3, 2 * 20), bias = random(4, 20);
        double[] ref = new double[a.length];
        for (int i = 0; i < a.length; i++) ref[i] = (double) a[i] + bias[i % 20];
        Storage as = h.store(a);
        h.cpu.binary(BinaryOp.ADD, Broadcast.of("add", new int[] {2, 20}, new int[] {20}), as, h.store(bias), as);
        assertClose("in-place row-wise bias add", ref, read(as));
    }

    @Test
    void scalarOps() {
        float[] x = random(5, 77);
        for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]) * 3 + 0.1f;
        float s = 1.7f;
        DoubleUnaryOperator[] fs = {v -> v + s, v -> v * s, v -> Math.pow(v, s), v -> s - v, v -> s / v};
        for (ScalarOp op : ScalarOp.values()) {
            double[] ref = new double[x.length];
            for (int i = 0; i < x.length; i++) ref[i] = fs[op.ordinal()].applyAsDouble(x[i]);
            Storage o = h.empty(x.length);
            h.cpu.scalar(op, h.store(x), s, o);
            assertClose("scalar " + op, ref, read(o));
        }
    }

    private void sumCase(int[] shape, int... axes) {
        var spec = new dev.kiln.spi.ReduceSpec(shape, axes);
        float[] x = random(6, (int) spec.inNumel());
        int[] outShape = spec.outShape();
        double[] ref = new double[(int) spec.outNumel()];
        for (int i = 0; i < x.length; i++) {
            int rem = i, o = 0, mul = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                int idx = rem % shape[d];
                rem /= shape[d];
                o += (outShape[d] == 1 ? 0 : idx) * mul;
                mul *= outShape[d];
            }
            ref[o] += x[i];
        }
        Storage out = h.empty(ref.length);
        h.cpu.sum(spec, h.store(x), out);
        assertClose("sum " + java.util.Arrays.toString(shape) + " over " + java.util.Arrays.toString(axes), ref, read(out));
    }

    @Test
    void sumOverAxes() {
        sumCase(new int[] {3, 4, 5}, 0);
        sumCase(new int[] {3, 4, 5}, 1);
        sumCase(new int[] {3, 4, 5}, 2);
        sumCase(new int[] {3, 4, 5}, 0, 2);
        sumCase(new int[] {3, 4, 5}, 0, 1, 2);
        sumCase(new int[] {2, 3, 4, 5}, 1, 3);
        sumCase(new int[] {10007}, 0);
        sumCase(new int[] {3, 9001}, 1);
        sumCase(new int[] {9001, 3}, 0);
        sumCase(new int[] {2, 3}, new int[0]);
    }

    @Test
    void argmaxFirstOnTies() {
        float[] x = {1, 3, 3, 2, -1, -1, -1, -1, 0, 5, 0, 5};
        Storage out = h.cpu.allocate(DType.INT32, 3);
        h.cpu.argmax(3, 4, h.store(x), out);
        assertArrayEquals(new int[] {1, 0, 1}, readInts(out));
        out.close();
    }

    @Test
    void fillWritesIntsForInt32() {
        Storage i = h.storeInts(new int[5]);
        h.cpu.fill(i, 7.9f);
        assertArrayEquals(new int[] {7, 7, 7, 7, 7}, readInts(i));
        Storage f = h.empty(4);
        h.cpu.fill(f, 2.5f);
        assertClose("fill float", new double[] {2.5, 2.5, 2.5, 2.5}, read(f));
    }

    @Test
    void hostRoundTripAndDeviceCopy() {
        float[] v = random(7, 33);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            Storage a = h.empty(v.length), b = h.empty(v.length);
            h.cpu.copyFromHost(KernelHarness.host(arena, v), a);
            h.cpu.copy(a, b);
            var back = arena.allocate(java.lang.foreign.ValueLayout.JAVA_FLOAT, v.length);
            h.cpu.copyToHost(b, back);
            assertArrayEquals(v, back.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT));
        }
    }
}
