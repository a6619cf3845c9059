package dev.kiln.nn.gpt;

import dev.kiln.tensor.Tensor;

/**
 * The keys and values a {@link Gpt} has already computed, per layer {@code [B, heads, t, headDim]},
 * so that generating one more token costs one position's work instead of the whole sequence's.
 * {@link Gpt#forward(Tensor, KvCache)} appends the new positions of every layer and reads the
 * positions before them from here; {@link #length()} is where the next position goes.
 *
 * <p>For inference: the cache keeps its tensors across scopes (it owns them; {@link #close()} frees
 * them) and they carry no autograd graph, so it refuses to run with gradients enabled (use
 * {@code Kiln.noGrad()}). Appending copies the layer's keys and values into new tensors one
 * position longer, which at GPT context lengths costs little next to the layer's products.
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;

    /**
     * An empty cache.
     *
     * @param layers the model's number of blocks
     * @throws IllegalArgumentException if {@code layers < 1}
     */
    public KvCache(int layers) {
        if (layers < 1) throw new IllegalArgumentException("KvCache: layers must be >= 1, got " + layers);
        keys = new Tensor[layers];
        values = new Tensor[layers];
    }

    /** {@return the number of layers} */
    public int layers() {
        return keys.length;
    }

    /** {@return the positions cached so far (those of layer 0; 0 when empty)} */
    public int length() {
        return keys[0] == null ? 0 : keys[0].size(2);
    }

    /**
     * {@return layer {@code layer}'s cached keys {@code [B, heads, t, headDim]}, or null when empty;
     * owned by the cache}
     *
     * @param layer the block index
     */
    public Tensor keys(int layer) {
        return keys[layer];
    }

    /**
     * {@return layer {@code layer}'s cached values {@code [B, heads, t, headDim]}, or null when empty;
     * owned by the cache}
     *
     * @param layer the block index
     */
    public Tensor values(int layer) {
        return values[layer];
    }

    /**
     * Appends one layer's new keys and values along the position dimension.
     *
     * @return the layer's keys and values including the new positions (owned by the cache)
     */
    Tensor[] append(int layer, Tensor k, Tensor v) {
        keys[layer] = appended(keys[layer], k);
        values[layer] = appended(values[layer], v);
        return new Tensor[] {keys[layer], values[layer]};
    }

    private static Tensor appended(Tensor old, Tensor fresh) {
        Tensor out = (old == null ? fresh.copy() : Tensor.cat(2, old, fresh)).unscope();
        if (old != null) old.close();
        return out;
    }

    /** Empties the cache, freeing its tensors, for a new sequence. */
    public void clear() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) keys[i].close();
            if (values[i] != null) values[i].close();
            keys[i] = null;
            values[i] = null;
        }
    }

    /** Frees the cached tensors; the same as {@link #clear()}. */
    @Override
    public void close() {
        clear();
    }
}
