package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Comparisons, logical ops, where, maskedFill and tril/triu beyond the float cases of
 * {@link MaskCases}: every comparison on every dtype (NaN, integers beyond float precision, mixed
 * dtypes promoted as PyTorch does, scalars compared exactly), BOOL results, integer and boolean
 * operands of where/maskedFill/tril/triu, worked gradient examples, and PyTorch's errors with
 * the op's name.
 */
public interface MaskChecks extends BackendUnderTest {

    private static boolean[] bools(String pattern) {
        boolean[] b = new boolean[pattern.length()];
        for (int i = 0; i < b.length; i++) b[i] = pattern.charAt(i) == '1';
        return b;
    }

    @Test
    default void floatComparisonsFollowIeee() {
        try (var s = Kiln.scope()) {
            Tensor a = tensor(new float[] {1, 2, Float.NaN, -0f, Float.NEGATIVE_INFINITY}, 5);
            Tensor b = tensor(new float[] {2, 2, Float.NaN, 0f, -1}, 5);
            assertArrayEquals(bools("01010"), a.eq(b).toBooleanArray(), "eq");
            assertArrayEquals(bools("10101"), a.ne(b).toBooleanArray(), "ne");
            assertArrayEquals(bools("10001"), a.lt(b).toBooleanArray(), "lt");
            assertArrayEquals(bools("11011"), a.le(b).toBooleanArray(), "le");
            assertArrayEquals(bools("00000"), a.gt(b).toBooleanArray(), "gt");
            assertArrayEquals(bools("01010"), a.ge(b).toBooleanArray(), "ge");
            assertEquals(DType.BOOL, a.eq(b).dtype());
            assertArrayEquals(bools("01000"), a.eq(2f).toBooleanArray(), "eq scalar");
            assertArrayEquals(bools("00100"), a.ne(a).toBooleanArray(), "NaN != NaN");
        }
    }

    /** [2, 1] against [3]: every pair, row-major over [2, 3], for each comparison and dtype. */
    @Test
    default void comparisonsBroadcastOnEveryDType() {
        try (var s = Kiln.scope()) {
            long[] av = {-5, 7}, bv = {7, -5, 0};
            Tensor[][] operands = {
                {Tensor.fromLongs(backend(), av, 2, 1), Tensor.fromLongs(backend(), bv, 3)},
                {Tensor.fromInts(backend(), new int[] {-5, 7}, 2, 1), Tensor.fromInts(backend(), new int[] {7, -5, 0}, 3)},
                {tensor(new float[] {-5, 7}, 2, 1), tensor(new float[] {7, -5, 0}, 3)},
            };
            String[] names = {"eq", "ne", "lt", "le", "gt", "ge"};
            java.util.List<BiFunction<Tensor, Tensor, Tensor>> ops = java.util.List.of(
                    Functional::eq, Functional::ne, Functional::lt, Functional::le, Functional::gt, Functional::ge);
            for (Tensor[] p : operands) {
                for (int o = 0; o < names.length; o++) {
                    Tensor r = ops.get(o).apply(p[0], p[1]);
                    assertArrayEquals(new int[] {2, 3}, r.shape());
                    boolean[] got = r.toBooleanArray();
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 3; j++) {
                            long x = av[i], y = bv[j];
                            boolean want = switch (o) {
                                case 0 -> x == y;
                                case 1 -> x != y;
                                case 2 -> x < y;
                                case 3 -> x <= y;
                                case 4 -> x > y;
                                default -> x >= y;
                            };
                            assertEquals(want, got[3 * i + j], names[o] + " " + p[0].dtype() + " at " + i + "," + j);
                        }
                    }
                }
            }
            Tensor m = Tensor.fromBooleans(backend(), bools("10"), 2);
            Tensor n = Tensor.fromBooleans(backend(), bools("11"), 2);
            assertArrayEquals(bools("10"), m.eq(n).toBooleanArray(), "BOOL eq");
            assertArrayEquals(bools("01"), m.lt(n).toBooleanArray(), "BOOL lt (false < true)");
        }
    }

    /** 2^53 and 2^53 + 1 are one float (and one double) but two longs: INT64 compares exactly. */
    @Test
    default void int64ComparesExactlyBeyondFloatPrecision() {
        try (var s = Kiln.scope()) {
            long p = 1L << 53;
            Tensor a = Tensor.fromLongs(backend(), new long[] {p, p + 1, Long.MAX_VALUE, Long.MIN_VALUE}, 4);
            Tensor b = Tensor.fromLongs(backend(), new long[] {p + 1, p + 1, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1}, 4);
            assertArrayEquals(bools("0100"), a.eq(b).toBooleanArray());
            assertArrayEquals(bools("1001"), a.lt(b).toBooleanArray());
            // A scalar that is exactly an integer is compared in INT64: 2^40 + 1 > 2^40 although both round to one float.
            Tensor c = Tensor.fromLongs(backend(), new long[] {(1L << 40) + 1, 1L << 40}, 2);
            assertArrayEquals(bools("10"), c.gt((float) (1L << 40)).toBooleanArray());
            assertArrayEquals(bools("01"), c.eq((float) (1L << 40)).toBooleanArray());
        }
    }

    /** As PyTorch: mixed dtypes are promoted; an integer against a fractional or too-large scalar is compared as numbers. */
    @Test
    default void mixedDTypesAndScalarsCompareAsNumbers() {
        try (var s = Kiln.scope()) {
            Tensor i = Tensor.fromLongs(backend(), new long[] {1, 2}, 2);
            assertArrayEquals(bools("10"), i.eq(tensor(new float[] {1f, 2.5f}, 2)).toBooleanArray(), "INT64 == FLOAT32");
            assertArrayEquals(bools("10"), i.lt(1.5f).toBooleanArray(), "INT64 < 1.5");
            Tensor i32 = Tensor.fromInts(backend(), new int[] {1, Integer.MAX_VALUE}, 2);
            assertArrayEquals(bools("11"), i32.lt(1e10f).toBooleanArray(), "INT32 < 1e10");
            assertArrayEquals(bools("00"), i32.le(-1e10f).toBooleanArray(), "INT32 <= -1e10");
            assertArrayEquals(bools("01"), i32.gt(Tensor.fromLongs(backend(), new long[] {5}, 1)).toBooleanArray(), "INT32 > INT64");
            Tensor m = Tensor.fromBooleans(backend(), bools("10"), 2);
            assertArrayEquals(bools("00"), m.eq(2f).toBooleanArray(), "BOOL == 2");
            assertArrayEquals(bools("11"), m.lt(2f).toBooleanArray(), "BOOL < 2");
            assertArrayEquals(bools("01"), m.eq(0f).toBooleanArray(), "BOOL == 0");
            assertArrayEquals(bools("10"), m.gt(0.5f).toBooleanArray(), "BOOL > 0.5");
            assertArrayEquals(bools("10"), m.eq(Tensor.fromInts(backend(), new int[] {1}, 1)).toBooleanArray(), "BOOL == INT32");
            assertArrayEquals(bools("00"), i.eq(Float.NaN).toBooleanArray(), "INT64 == NaN");
            assertArrayEquals(bools("11"), i.ne(Float.NaN).toBooleanArray(), "INT64 != NaN");
        }
    }

    @Test
    default void logicalOpsTreatNonZeroAsTrue() {
        try (var s = Kiln.scope()) {
            Tensor a = Tensor.fromBooleans(backend(), bools("1100"), 2, 2);
            Tensor b = Tensor.fromBooleans(backend(), bools("10"), 2);
            assertArrayEquals(bools("0011"), a.logicalNot().toBooleanArray());
            assertArrayEquals(bools("1000"), a.logicalAnd(b).toBooleanArray(), "and, broadcasting [2] over [2, 2]");
            assertArrayEquals(bools("1110"), a.logicalOr(b).toBooleanArray(), "or");
            Tensor f = tensor(new float[] {1.5f, 0f, Float.NaN, -0f}, 4);
            assertArrayEquals(bools("0101"), f.logicalNot().toBooleanArray(), "logical_not of floats: x == 0");
            assertArrayEquals(bools("1010"), Functional.logicalAnd(f, Tensor.fromLongs(backend(), new long[] {3}, 1)).toBooleanArray());
            assertArrayEquals(bools("1010"), Functional.logicalOr(f, f).toBooleanArray());
            assertEquals(DType.BOOL, Functional.logicalOr(f, f).dtype());
        }
    }

    @Test
    default void whereAndMaskedFillMoveIntegersAndBooleansExactly() {
        try (var s = Kiln.scope()) {
            Tensor cond = Tensor.fromBooleans(backend(), bools("101"), 3);
            Tensor a = Tensor.fromLongs(backend(), new long[] {Long.MAX_VALUE, 1, -(1L << 60)}, 3);
            Tensor b = Tensor.fromLongs(backend(), new long[] {-9}, 1);
            assertArrayEquals(new long[] {Long.MAX_VALUE, -9, -(1L << 60)}, Functional.where(cond, a, b).toLongArray());
            Tensor t = Tensor.fromBooleans(backend(), bools("11"), 2, 1);
            Tensor f = Tensor.fromBooleans(backend(), bools("000"), 3);
            Tensor w = Functional.where(cond, t, f);
            assertEquals(DType.BOOL, w.dtype());
            assertArrayEquals(bools("101101"), w.toBooleanArray());
            Tensor mixed = Functional.where(cond, a, tensor(new float[] {0.5f, 0.5f, 0.5f}, 3));
            assertEquals(DType.FLOAT32, mixed.dtype(), "INT64 with FLOAT32 is promoted, as torch.where does");
            assertArrayEquals(new float[] {(float) Long.MAX_VALUE, 0.5f, (float) -(1L << 60)}, mixed.toFloatArray());
            Tensor i32 = Tensor.fromInts(backend(), new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new int[] {7, 2, 7, 7, 5, 7}, i32.maskedFill(cond, 7.9f).toIntArray(), "fill value truncated to INT32");
            assertArrayEquals(new long[] {0, 1, 0}, a.maskedFill(cond, 0f).toLongArray());
            assertArrayEquals(bools("111"), f.maskedFill(cond.logicalNot(), 1f).logicalOr(cond).toBooleanArray());
        }
    }

    /** loss = sum(where(c, a, b) * w) with c [2, 1], a [1, 3] and b [2, 3]: a gets w summed over the rows where c holds. */
    @Test
    default void whereGradientsGoToTheChosenOperand() {
        try (var s = Kiln.scope()) {
            Tensor c = Tensor.fromBooleans(backend(), bools("10"), 2, 1);
            Tensor a = tensor(new float[3], 1, 3).requiresGrad(true);
            Tensor b = tensor(new float[6], 2, 3).requiresGrad(true);
            Tensor w = tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Functional.where(c, a, b).mul(w).sum().backward();
            assertArrayEquals(new float[] {1, 2, 3}, a.grad().toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0, 4, 5, 6}, b.grad().toFloatArray());
            Tensor x = tensor(new float[4], 4).requiresGrad(true);
            Tensor m = Tensor.fromBooleans(backend(), bools("0110"), 4);
            x.maskedFill(m, 3f).mul(tensor(new float[] {1, 2, 3, 4}, 4)).sum().backward();
            assertArrayEquals(new float[] {1, 0, 0, 4}, x.grad().toFloatArray(), "zero where filled");
            Tensor y = tensor(new float[6], 2, 3).requiresGrad(true);
            y.tril(-1).add(y.triu(2)).mul(tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)).sum().backward();
            assertArrayEquals(new float[] {0, 0, 3, 4, 0, 0}, y.grad().toFloatArray(), "tril(-1) keeps (1, 0); triu(2) keeps (0, 2)");
            Tensor constant = tensor(new float[] {1, 2}, 2);
            Tensor z = tensor(new float[] {5, 6}, 2).requiresGrad(true);
            Functional.where(Tensor.fromBooleans(backend(), bools("10"), 2), constant, z).sum().backward();
            assertNull(constant.grad());
            assertArrayEquals(new float[] {0, 1}, z.grad().toFloatArray());
        }
    }

    @Test
    default void trianglesOfIntegersAndBooleans() {
        try (var s = Kiln.scope()) {
            long[] v = new long[12];
            for (int i = 0; i < 12; i++) v[i] = Long.MIN_VALUE + i;
            Tensor x = Tensor.fromLongs(backend(), v, 3, 4);
            assertArrayEquals(new long[] {v[0], 0, 0, 0, v[4], v[5], 0, 0, v[8], v[9], v[10], 0}, x.tril().toLongArray());
            assertArrayEquals(new long[] {0, v[1], v[2], v[3], 0, 0, v[6], v[7], 0, 0, 0, v[11]}, x.triu(1).toLongArray());
            Tensor ones = Tensor.fromBooleans(backend(), bools("111111111111111111"), 2, 3, 3);
            assertArrayEquals(bools("000100110000100110"), ones.tril(-1).toBooleanArray(), "a causal mask without the diagonal, per batch");
            Tensor i32 = Tensor.fromInts(backend(), new int[] {1, 2, 3, 4}, 2, 2);
            assertArrayEquals(new int[] {1, 2, 0, 4}, i32.triu().toIntArray());
            assertFalse(ones.triu(3).toBooleanArray()[2]);
        }
    }

    /** A large broadcast comparison (several threads on the CPU) against a loop here. */
    @Test
    default void largeComparisonMatchesALoop() {
        try (var s = Kiln.scope()) {
            int n = 40, m = 33, k = 17;
            long[] a = new long[n * m * k];
            for (int i = 0; i < a.length; i++) a[i] = (i * 2654435761L) % 1000;
            long[] b = new long[m];
            for (int j = 0; j < m; j++) b[j] = (j * 40503L) % 1000;
            boolean[] got = Tensor.fromLongs(backend(), a, n, m, k).ge(Tensor.fromLongs(backend(), b, m, 1)).toBooleanArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i] >= b[(i / k) % m], got[i], "element " + i);
        }
    }

    @Test
    default void maskErrors() {
        rejects(() -> Functional.where(ones(2, 3), ones(2, 3), ones(2, 3)), "where", "condition", "BOOL", "FLOAT32");
        rejects(() -> Functional.where(ones(2, 3).gt(0f), ones(2, 4), ones(2, 3)), "where", "cannot be broadcast", "[2, 4]");
        rejects(() -> Functional.where(null, ones(2), ones(2)), "where", "condition must not be null");
        rejects(() -> ones(2, 3).maskedFill(Tensor.fromLongs(backend(), new long[] {1, 0, 1}, 3), 0f), "masked_fill", "mask", "BOOL", "INT64");
        rejects(() -> ones(2, 3).maskedFill(ones(2, 4).gt(0f), 0f), "masked_fill", "cannot be broadcast");
        rejects(() -> ones(2, 3).eq(ones(2, 4)), "eq", "[2, 3] and [2, 4] cannot be broadcast");
        rejects(() -> ones(3).ge(ones(2)), "ge", "cannot be broadcast");
        rejects(() -> ones(2).logicalAnd(ones(3)), "logical_and", "cannot be broadcast");
        rejects(() -> ones(3).tril(), "tril", "at least 2 dimensions", "[3]");
        rejects(() -> ones().triu(1), "triu", "at least 2 dimensions", "[]");
        rejects(() -> Functional.lt(null, ones(2)), "lt", "input must not be null");
    }
}
