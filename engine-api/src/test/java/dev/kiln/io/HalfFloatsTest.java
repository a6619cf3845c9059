package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.testing.HostOnlyBackend;
import dev.kiln.testing.TorchFixtures;
import org.junit.jupiter.api.Test;

/**
 * float32 to bfloat16/binary16 and back, against PyTorch's bit patterns (parity/torch_half.safetensors,
 * written by bench/peers/torch_half_fixtures.py: ties, halfway neighbours, subnormals, max/min
 * normal, overflow, -0.0, infinities, NaNs, random values and bit patterns) and against hand-worked
 * cases and float64 formulas.
 */
class HalfFloatsTest {
    private final Backend host = HostOnlyBackend.create();

    /** The fixture's inputs and PyTorch's bits for them. */
    record Fixture(float[] values, int[] bf16, int[] f16) {
        static Fixture load(Backend backend) {
            try (TensorFile f = TorchFixtures.read("torch_half.safetensors", backend)) {
                return new Fixture(f.tensors().get("values").toFloatArray(), f.tensors().get("bf16_bits").toIntArray(),
                        f.tensors().get("f16_bits").toIntArray());
            }
        }
    }

    @Test
    void bf16RoundingMatchesPyTorchBitForBit() {
        Fixture fx = Fixture.load(host);
        int nans = 0;
        StringBuilder bad = new StringBuilder();
        int mismatches = 0;
        for (int i = 0; i < fx.values().length; i++) {
            float v = fx.values()[i];
            int ours = HalfFloats.floatToBf16(v) & 0xFFFF;
            if (Float.isNaN(v)) {
                // PyTorch's vectorised path writes 0xFFFF; ours is the canonical quiet NaN with the input's sign.
                nans++;
                assertTrue(isNanBf16(fx.bf16()[i]), "PyTorch gave a NaN for NaN at " + i);
                assertEquals((Float.floatToRawIntBits(v) >>> 16 & 0x8000) | 0x7FC0, ours, "NaN at " + i);
            } else if (ours != fx.bf16()[i]) {
                if (mismatches++ < 5) bad.append(String.format(" [%d] %s (0x%08X): PyTorch 0x%04X, Kiln 0x%04X;", i, v,
                        Float.floatToRawIntBits(v), fx.bf16()[i], ours));
            }
        }
        assertEquals(0, mismatches, mismatches + " of " + fx.values().length + " differ:" + bad);
        assertTrue(nans >= 4, "the fixture covers NaNs");
    }

    @Test
    void f16RoundingMatchesPyTorchBitForBitNaNsIncluded() {
        Fixture fx = Fixture.load(host);
        StringBuilder bad = new StringBuilder();
        int mismatches = 0;
        for (int i = 0; i < fx.values().length; i++) {
            float v = fx.values()[i];
            int ours = HalfFloats.floatToF16(v) & 0xFFFF;
            if (ours != fx.f16()[i] && mismatches++ < 5) {
                bad.append(String.format(" [%d] %s (0x%08X): PyTorch 0x%04X, Kiln 0x%04X;", i, v, Float.floatToRawIntBits(v), fx.f16()[i], ours));
            }
        }
        assertEquals(0, mismatches, mismatches + " of " + fx.values().length + " differ:" + bad);
    }

    @Test
    void handWorkedBf16Cases() {
        assertBf16(0x3F80, 0x3F808000); // 1 + 2^-8: halfway, ties to the even 1.0
        assertBf16(0x3F82, 0x3F818000); // halfway above the odd 0x3F81: up to even
        assertBf16(0x3F81, 0x3F808001); // just above halfway: up
        assertBf16(0x3F80, 0x3F807FFF); // just below halfway: down
        assertBf16(0x7F7F, 0x7F7F7FFF); // just below the overflow threshold: largest finite
        assertBf16(0x7F80, 0x7F7F8000); // halfway above the largest finite (odd): infinity
        assertBf16(0xFF80, 0xFF7FFFFF); // -max float: -infinity
        assertBf16(0x0000, 0x00008000); // half the smallest subnormal: ties to +0
        assertBf16(0x0002, 0x00018000); // 1.5 subnormal steps: ties to 2
        assertBf16(0x8000, 0x80000001); // the smallest negative subnormal: -0
        assertBf16(0x0080, 0x007FFFFF); // the largest float subnormal rounds up to the smallest normal
        assertBf16(0x7F80, 0x7F800000);
        assertBf16(0x7FC0, 0x7F800001); // a signalling NaN comes back quiet
        assertBf16(0xFFC0, 0xFFA00000);
    }

    @Test
    void handWorkedF16Cases() {
        assertF16(0x7BFF, 65504f);
        assertF16(0x7BFF, 65519.99f);        // below halfway to 65536: largest finite
        assertF16(0x7C00, 65520f);           // halfway above the odd 0x7BFF: infinity
        assertF16(0x0400, 0x1p-14f);         // smallest normal
        assertF16(0x0001, 0x1p-24f);         // smallest subnormal
        assertF16(0x0000, 0x1p-25f);         // half of it: ties to +0
        assertF16(0x0002, 0x1.8p-24f);       // 1.5 steps: ties to 2
        assertF16(0x3C00, 1 + 0x1p-11f);     // halfway above 1.0: ties to even
        assertF16(0x3C02, 1 + 0x3p-11f);     // halfway above the odd 0x3C01: up
        assertF16(0x8000, -0f);
        assertF16(0xFE00, Float.intBitsToFloat(0xFF800001)); // a signalling NaN: quiet, sign kept
    }

    @Test
    void everyBf16PatternWidensExactlyAndNarrowsBack() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.bf16ToFloat((short) h);
            int exp = h >>> 7 & 0xFF, man = h & 0x7F;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            if (exp == 0xFF) {
                assertEquals(man == 0, Float.isInfinite(f), "0x" + Integer.toHexString(h));
                assertEquals(man != 0, Float.isNaN(f), "0x" + Integer.toHexString(h));
                continue;
            }
            double expected = exp == 0 ? sign * man * 0x1p-133 : sign * (128 + man) * Math.pow(2, exp - 134);
            assertEquals(expected, f, 0.0, "0x" + Integer.toHexString(h));
            assertEquals(Math.copySign(1.0, sign), Math.copySign(1.0, f), "sign of 0x" + Integer.toHexString(h));
            assertEquals(h, HalfFloats.floatToBf16(f) & 0xFFFF, "round trip of 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void everyF16PatternWidensExactlyAndNarrowsBack() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.f16ToFloat((short) h);
            int exp = h >>> 10 & 0x1F, man = h & 0x3FF;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            if (exp == 0x1F) {
                assertEquals(man == 0, Float.isInfinite(f), "0x" + Integer.toHexString(h));
                assertEquals(man != 0, Float.isNaN(f), "0x" + Integer.toHexString(h));
                continue;
            }
            double expected = exp == 0 ? sign * man * 0x1p-24 : sign * (1024 + man) * Math.pow(2, exp - 25);
            assertEquals(expected, f, 0.0, "0x" + Integer.toHexString(h));
            assertEquals(Math.copySign(1.0, sign), Math.copySign(1.0, f), "sign of 0x" + Integer.toHexString(h));
            assertEquals(h, HalfFloats.floatToF16(f) & 0xFFFF, "round trip of 0x" + Integer.toHexString(h));
        }
    }

    private static boolean isNanBf16(int bits) {
        return (bits & 0x7F80) == 0x7F80 && (bits & 0x7F) != 0;
    }

    private static void assertBf16(int expected, int floatBits) {
        assertEquals(expected, HalfFloats.floatToBf16(Float.intBitsToFloat(floatBits)) & 0xFFFF,
                String.format("bf16 of 0x%08X", floatBits));
    }

    private static void assertF16(int expected, float f) {
        assertEquals(expected, HalfFloats.floatToF16(f) & 0xFFFF, "f16 of " + f);
    }
}
