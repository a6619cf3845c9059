package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.nn.MultiheadAttention;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The example of {@link MultiheadAttention}'s javadoc, run as a test: a builder, a BOOL key padding
 * mask made on the device from token ids, and causal masking; a padded key changes no output of the
 * sequence it pads (its weight is 0), and each position ignores later ones.
 */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class AttentionSnippetsTest {
    @Test
    void paddingAndCausalMasks() {
        Kiln.manualSeed(4);
        try (var scope = Kiln.scope()) {
            Tensor tokens = Tensor.fromLongs(new long[] {5, 3, 9, 0, 0, 7, 2, 8, 4, 1}, 2, 5); // 0 = padding
            Tensor x = Tensor.randn(2, 5, 64);
            // @start region="mha-masks"
            MultiheadAttention mha = MultiheadAttention.builder(64, 4).batchFirst(true).dropout(0.1f).build();
            mha.eval();                                                   // no dropout
            Tensor padding = tokens.eq(0f);                               // BOOL [N, S], True = ignored
            MultiheadAttention.Output r = mha.forward(x, x, x,
                    MultiheadAttention.Options.defaults().keyPaddingMask(padding).causal(true));
            Tensor y = r.output();                                        // [N, S, 64]
            // @end
            try (mha) {
                assertArrayEquals(new int[] {2, 5, 64}, y.shape());
                // Position 2 of the first sequence sees tokens 0..2 only: changing the rest changes nothing there.
                Tensor x2 = x.add(Tensor.fromArray(mask(5, 3), 2, 5, 1));
                Tensor y2 = mha.forward(x2, x2, x2, MultiheadAttention.Options.defaults().keyPaddingMask(padding).causal(true)).output();
                float[] a = y.toFloatArray(), b = y2.toFloatArray();
                for (int i = 0; i < 3 * 64; i++) assertEquals(a[i], b[i], 1e-6f, "element " + i);
            }
        }
    }

    /** 1 for positions {@code from..len-1} of the first sequence, else 0: a change only there. */
    private static float[] mask(int len, int from) {
        float[] m = new float[2 * len];
        for (int j = from; j < len; j++) m[j] = 1f;
        return m;
    }
}
