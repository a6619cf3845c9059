package dev.kiln.nn;

import dev.kiln.tensor.Tensor;
import java.util.Objects;

/**
 * A stack of {@link TransformerEncoderLayer}s with an optional final layer norm, as PyTorch's
 * {@code nn.TransformerEncoder(encoder_layer, num_layers, norm)}: parameter names
 * {@code layers.0.self_attn.in_proj_weight} ... {@code layers.(N-1)...} and {@code norm.weight},
 * {@code norm.bias}. Each layer is built from the same builder, so they share options but draw
 * their own initial weights (PyTorch deep-copies one layer, so its layers start identical; after
 * loading a state dict the two agree).
 *
 * {@snippet :
 * TransformerEncoder encoder = new TransformerEncoder(
 *         TransformerEncoderLayer.builder(64, 4).dimFeedforward(128).batchFirst(true).normFirst(true), 4,
 *         new LayerNorm(64));
 * }
 */
public class TransformerEncoder extends Module {
    private final Sequential layers;
    private final LayerNorm norm;

    /**
     * {@code numLayers} layers and no final norm.
     *
     * @param layer     options of every layer
     * @param numLayers at least 1
     * @throws IllegalArgumentException if {@code numLayers} is below 1 or the layer options are invalid
     */
    public TransformerEncoder(TransformerEncoderLayer.Builder layer, int numLayers) {
        this(layer, numLayers, null);
    }

    /**
     * {@code numLayers} layers, then {@code norm} when it is not null (pre-norm stacks need one).
     *
     * @param layer     options of every layer
     * @param numLayers at least 1
     * @param norm      the final layer norm ({@code norm}), or null
     * @throws IllegalArgumentException if {@code numLayers} is below 1 or the layer options are invalid
     */
    public TransformerEncoder(TransformerEncoderLayer.Builder layer, int numLayers, LayerNorm norm) {
        Objects.requireNonNull(layer, "layer");
        if (numLayers < 1) throw new IllegalArgumentException("TransformerEncoder: num_layers must be >= 1, got " + numLayers);
        layers = registerModule("layers", new Sequential());
        for (int i = 0; i < numLayers; i++) layers.add(layer.build());
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /**
     * Every layer without masks, then the final norm.
     *
     * @param src {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @return the output, shaped as {@code src}
     */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /**
     * Every layer with the same masks, then the final norm.
     *
     * @param src            {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @param mask           BOOL (True = ignored) or additive FLOAT32 {@code [S, S]} or {@code [N * nhead, S, S]}, or null
     * @param keyPaddingMask BOOL (True = ignored) or additive FLOAT32 {@code [N, S]}, or null
     * @return the output, shaped as {@code src}
     * @throws IllegalArgumentException if the input or a mask does not fit
     */
    public Tensor forward(Tensor src, Tensor mask, Tensor keyPaddingMask) {
        return forward(src, mask, keyPaddingMask, false);
    }

    /**
     * Every layer with the same masks and causal masking, then the final norm, as PyTorch 2's
     * {@code forward(src, mask, src_key_padding_mask, is_causal)}; {@code isCausal} applies the causal
     * mask itself (see {@link TransformerEncoderLayer#forward(Tensor, Tensor, Tensor, boolean)}).
     *
     * @param src            {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @param mask           BOOL (True = ignored) or additive FLOAT32 {@code [S, S]} or {@code [N * nhead, S, S]}, or null
     * @param keyPaddingMask BOOL (True = ignored) or additive FLOAT32 {@code [N, S]}, or null
     * @param isCausal       whether position i only attends to positions {@code j <= i}
     * @return the output, shaped as {@code src}
     * @throws IllegalArgumentException if the input or a mask does not fit
     */
    public Tensor forward(Tensor src, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            TransformerEncoderLayer l = (TransformerEncoderLayer) layers.get(i);
            x = l.forward(x, mask, keyPaddingMask, isCausal);
            Summary.record(l, x);
        }
        return norm == null ? x : call(norm, x);
    }

    /** {@return the number of layers} */
    public int numLayers() {
        return layers.size();
    }

    /**
     * {@return layer {@code i}}
     *
     * @param i from 0 to {@code numLayers() - 1}
     */
    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) layers.get(i);
    }
}
