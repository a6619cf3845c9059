package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;

/**
 * The fixed sin/cos positional encoding of "Attention Is All You Need", added to the input:
 * {@code pe[pos, 2i] = sin(pos / 10000^(2i/D))}, {@code pe[pos, 2i+1] = cos(pos / 10000^(2i/D))},
 * held as the non-trainable buffer {@code pe [maxLen, D]} (computed in double, stored as float32;
 * an odd D ends on a sine column). Input {@code [B, T, D]} when batch first (the default of the
 * short constructor), else {@code [T, B, D]}; output the same shape, {@code input + pe[:T]}
 * broadcast over the batch. Unlike PyTorch's tutorial module it applies no dropout: follow it with
 * a {@link Dropout} if wanted.
 */
public class SinusoidalPositionalEncoding extends Module {
    private final int dModel;
    private final int maxLen;
    private final boolean batchFirst;

    /**
     * Batch-first input {@code [B, T, D]}, on the default backend.
     *
     * @param dModel the model width D
     * @param maxLen the longest sequence it accepts
     */
    public SinusoidalPositionalEncoding(int dModel, int maxLen) {
        this(dModel, maxLen, true, Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param dModel     the model width D, at least 1
     * @param maxLen     the longest sequence it accepts, at least 1
     * @param batchFirst true for {@code [B, T, D]} input, false for {@code [T, B, D]}
     * @param backend    where the table lives
     * @throws IllegalArgumentException if a size is below 1
     */
    public SinusoidalPositionalEncoding(int dModel, int maxLen, boolean batchFirst, Backend backend) {
        PositionalEncodings.checkSizes("SinusoidalPositionalEncoding", maxLen, dModel);
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        registerBuffer("pe", Tensor.fromArray(backend, table(maxLen, dModel), maxLen, dModel).unscope());
    }

    /** The {@code [maxLen, dModel]} table, row-major. */
    static float[] table(int maxLen, int dModel) {
        float[] pe = new float[Math.multiplyExact(maxLen, dModel)];
        for (int pos = 0; pos < maxLen; pos++) {
            for (int j = 0; j < dModel; j++) {
                double angle = pos / Math.pow(10000.0, (double) (j - j % 2) / dModel);
                pe[pos * dModel + j] = (float) (j % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return pe;
    }

    /**
     * {@code input + pe[:T]}.
     *
     * @throws IllegalArgumentException if the input is not 3-D with last dimension D, or T exceeds max_len
     */
    @Override
    public Tensor forward(Tensor input) {
        return PositionalEncodings.addRows("SinusoidalPositionalEncoding", input, buffer("pe"), batchFirst);
    }

    /** {@return true when the input is {@code [B, T, D]}, false for {@code [T, B, D]}} */
    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", max_len=" + maxLen + ", batch_first=" + batchFirst;
    }
}
