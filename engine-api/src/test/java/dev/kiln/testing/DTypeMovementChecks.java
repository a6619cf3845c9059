package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * INT64 and BOOL tensors through every data-movement op (permute, transpose, narrow, select,
 * expand, cat, stack, split, chunk, squeeze/unsqueeze), bit for bit against index arithmetic done
 * here, and {@code to(dtype)} between all four dtypes against Java's own casts and PyTorch's
 * printed results.
 */
public interface DTypeMovementChecks extends BackendUnderTest {

    /** x[i, j, k] = 1e12 * (i + 1) + 1000 * j + k - 2^62 (needs all 64 bits) for x [2, 3, 4]. */
    private static long big(int i, int j, int k) {
        return 1_000_000_000_000L * (i + 1) + 1000L * j + k - (1L << 62);
    }

    @Test
    default void int64MovesExactlyThroughEveryCopyOp() {
        try (var s = Kiln.scope()) {
            long[] data = new long[24];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) data[12 * i + 4 * j + k] = big(i, j, k);
            Tensor x = Tensor.fromLongs(backend(), data, 2, 3, 4);
            long[] perm = x.permute(2, 0, 1).toLongArray();  // [4, 2, 3]: out[k, i, j] = x[i, j, k]
            for (int k = 0; k < 4; k++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) {
                assertEquals(big(i, j, k), perm[6 * k + 3 * i + j], "permute at " + k + "," + i + "," + j);
            }
            long[] tr = x.transpose(0, 2).toLongArray();  // [4, 3, 2]
            for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) for (int i = 0; i < 2; i++) {
                assertEquals(big(i, j, k), tr[6 * k + 2 * j + i], "transpose at " + k + "," + j + "," + i);
            }
            assertArrayEquals(new long[] {big(0, 1, 1), big(0, 1, 2), big(0, 2, 1), big(0, 2, 2), big(1, 1, 1), big(1, 1, 2),
                big(1, 2, 1), big(1, 2, 2)}, x.narrow(1, 1, 2).narrow(2, 1, 2).toLongArray());
            assertArrayEquals(new long[] {big(1, 0, 3), big(1, 1, 3), big(1, 2, 3)}, x.select(0, 1).select(-1, 3).toLongArray());
            Tensor col = Tensor.fromLongs(backend(), new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, 2, 1);
            assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE}, col.expand(2, 2).toLongArray());
            Tensor row = Tensor.fromLongs(backend(), new long[] {-1, 5_000_000_000L}, 1, 2);
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 5_000_000_000L, Long.MAX_VALUE, -1, 5_000_000_000L},
                    Tensor.cat(1, col, row.expand(2, 2)).toLongArray());
            assertArrayEquals(new long[] {-1, 5_000_000_000L, -1, 5_000_000_000L}, Tensor.stack(0, row.squeeze(0), row.squeeze()).toLongArray());
            Tensor[] parts = x.split(3, 2);
            assertEquals(2, parts.length);
            assertArrayEquals(new long[] {big(0, 0, 3), big(0, 1, 3), big(0, 2, 3), big(1, 0, 3), big(1, 1, 3), big(1, 2, 3)},
                    parts[1].toLongArray());
            Tensor[] chunks = x.unsqueeze(0).chunk(2, 2);
            assertArrayEquals(new int[] {1, 2, 2, 4}, chunks[0].shape());
            assertEquals(DType.INT64, chunks[1].dtype());
            assertEquals(big(1, 2, 3), chunks[1].toLongArray()[7]);
        }
    }

    @Test
    default void boolMovesExactlyThroughEveryCopyOp() {
        try (var s = Kiln.scope()) {
            // m[i, j] = (i * 7 + j * 3) % 5 < 2 for m [3, 5]: an irregular pattern, odd sizes (not word aligned).
            boolean[] data = new boolean[15];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) data[5 * i + j] = (i * 7 + j * 3) % 5 < 2;
            Tensor m = Tensor.fromBooleans(backend(), data, 3, 5);
            boolean[] t = m.transpose(0, 1).toBooleanArray();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) assertEquals(data[5 * i + j], t[3 * j + i], "transpose at " + j + "," + i);
            boolean[] n = m.narrow(1, 1, 3).toBooleanArray();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(data[5 * i + j + 1], n[3 * i + j], "narrow at " + i + "," + j);
            boolean[] sel = m.select(1, 4).toBooleanArray();
            for (int i = 0; i < 3; i++) assertEquals(data[5 * i + 4], sel[i]);
            boolean[] e = m.select(0, 2).unsqueeze(0).expand(4, 5).toBooleanArray();
            for (int r = 0; r < 4; r++) for (int j = 0; j < 5; j++) assertEquals(data[10 + j], e[5 * r + j]);
            Tensor c = Tensor.cat(0, m, m.narrow(0, 0, 1));
            assertArrayEquals(new int[] {4, 5}, c.shape());
            boolean[] cv = c.toBooleanArray();
            for (int k = 0; k < 20; k++) assertEquals(data[k % 15], cv[k], "cat at " + k);
            Tensor st = Tensor.stack(2, m, m.logicalNot());
            boolean[] sv = st.toBooleanArray();
            for (int k = 0; k < 15; k++) {
                assertEquals(data[k], sv[2 * k]);
                assertEquals(!data[k], sv[2 * k + 1]);
            }
            Tensor[] chunks = m.chunk(2, 1);
            assertArrayEquals(new int[] {3, 2}, chunks[1].shape());
            assertArrayEquals(new boolean[] {data[3], data[4], data[8], data[9], data[13], data[14]}, chunks[1].toBooleanArray());
            assertEquals(DType.BOOL, m.permute(1, 0).dtype());
        }
    }

    /** Float to integer truncates toward zero and saturates (NaN gives 0); the rest as PyTorch prints them. */
    @Test
    default void toConvertsBetweenEveryDType() {
        try (var s = Kiln.scope()) {
            float[] f = {1.7f, -1.7f, 0f, -0f, Float.NaN, 3e9f, -3e9f, 3e19f, 0.1f, Float.POSITIVE_INFINITY};
            Tensor x = tensor(f, f.length);
            int[] asInt = new int[f.length];
            long[] asLong = new long[f.length];
            boolean[] asBool = new boolean[f.length];
            for (int i = 0; i < f.length; i++) {
                asInt[i] = (int) f[i];
                asLong[i] = (long) f[i];
                asBool[i] = f[i] != 0f;
            }
            assertArrayEquals(new int[] {1, -1, 0, 0, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, Integer.MAX_VALUE}, asInt);
            assertArrayEquals(asInt, x.to(DType.INT32).toIntArray());
            assertArrayEquals(asLong, x.to(DType.INT64).toLongArray());
            assertArrayEquals(new boolean[] {true, true, false, false, true, true, true, true, true, true}, x.to(DType.BOOL).toBooleanArray());
            Tensor l = Tensor.fromLongs(backend(), new long[] {(1L << 32) + 5, -(1L << 31) - 1, (1L << 53) + 1, 16_777_217, -3, 0}, 6);
            assertArrayEquals(new int[] {5, Integer.MAX_VALUE, 1, 16_777_217, -3, 0}, l.to(DType.INT32).toIntArray());
            assertArrayEquals(new float[] {4294967296f, -2147483648f, 9007199254740992f, 16777216f, -3f, 0f}, l.to(DType.FLOAT32).toFloatArray());
            assertArrayEquals(new boolean[] {true, true, true, true, true, false}, l.to(DType.BOOL).toBooleanArray());
            Tensor i32 = Tensor.fromInts(backend(), new int[] {Integer.MIN_VALUE, -1, 16_777_217, 0}, 2, 2);
            assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, 16_777_217, 0}, i32.to(DType.INT64).toLongArray());
            assertArrayEquals(new float[] {-2147483648f, -1f, 16777216f, 0f}, i32.to(DType.FLOAT32).toFloatArray());
            assertArrayEquals(new int[] {2, 2}, i32.to(DType.BOOL).shape());
            Tensor b = Tensor.fromBooleans(backend(), new boolean[] {true, false, true}, 3);
            assertArrayEquals(new float[] {1, 0, 1}, b.to(DType.FLOAT32).toFloatArray());
            assertArrayEquals(new int[] {1, 0, 1}, b.to(DType.INT32).toIntArray());
            assertArrayEquals(new long[] {1, 0, 1}, b.to(DType.INT64).toLongArray());
            assertEquals(0, tensor(new float[0], 0, 3).to(DType.INT64).numel());
        }
    }

    /** As PyTorch: {@code to} the tensor's own dtype returns it; a conversion leaves the graph. */
    @Test
    default void toOwnDTypeIsTheTensorItselfAndConversionsHaveNoGradient() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1.5f, -2.5f}, 2).requiresGrad(true);
            assertSame(x, x.to(DType.FLOAT32));
            Tensor i = x.to(DType.INT64);
            assertFalse(i.requiresGrad());
            assertNull(i.gradFn());
            Tensor back = i.to(DType.FLOAT32);
            assertFalse(back.requiresGrad());
            assertArrayEquals(new float[] {1f, -2f}, back.toFloatArray());
            Tensor b = Tensor.fromBooleans(backend(), new boolean[] {true}, 1);
            assertSame(b, Functional.to(b, DType.BOOL));
        }
    }

    @Test
    default void fullMakesEveryDType() {
        try (var s = Kiln.scope()) {
            assertArrayEquals(new long[] {-7, -7, -7}, Tensor.full(backend(), DType.INT64, -7.9f, 3).toLongArray());
            assertArrayEquals(new int[] {16_777_216, 16_777_216}, Tensor.full(backend(), DType.INT32, 16_777_216f, 1, 2).toIntArray());
            assertArrayEquals(new boolean[] {true, true}, Tensor.full(backend(), DType.BOOL, 0.5f, 2).toBooleanArray());
            assertArrayEquals(new boolean[] {false}, Tensor.full(backend(), DType.BOOL, 0f).toBooleanArray());
            assertArrayEquals(new float[] {2.5f}, Tensor.full(backend(), DType.FLOAT32, 2.5f, 1).toFloatArray());
            Tensor z = Tensor.zeros(DType.INT64, 2, 2);
            assertArrayEquals(new long[4], z.toLongArray());
            assertArrayEquals(new boolean[] {true, false, true, true}, Tensor.ones(DType.BOOL, 2, 2).tril().toBooleanArray(), "a causal mask");
        }
    }

    @Test
    default void toErrors() {
        rejects(() -> Functional.to(ones(2), null), "to", "dtype must not be null");
        rejects(() -> Functional.to(null, DType.INT64), "to", "input must not be null");
    }
}
