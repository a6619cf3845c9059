package dev.kiln.train;

import dev.kiln.data.Batch;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LearnedPositionalEmbedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A stand-in language model built from existing layers, for the step trainer's tests: token and
 * learned position embeddings, one pre-norm causal transformer block, a final LayerNorm and a
 * linear head; tokens INT64 {@code [B, T]} to logits {@code [B, T, V]}. The block's dropout draws
 * from the generator the model was built with.
 */
final class TinyLm extends Module {
    private final Embedding tokens;
    private final LearnedPositionalEmbedding positions;
    private final TransformerEncoderLayer block;
    private final LayerNorm norm;
    private final Linear head;

    TinyLm(int vocab, int width, int context, float dropout, Generator g, Backend backend) {
        tokens = registerModule("wte", Embedding.builder(vocab, width).generator(g).backend(backend).build());
        positions = registerModule("wpe", new LearnedPositionalEmbedding(context, width, true, g, backend));
        block = registerModule("block", TransformerEncoderLayer.builder(width, 2).dimFeedforward(2 * width).dropout(dropout)
                .activation(TransformerEncoderLayer.Activation.GELU).batchFirst(true).normFirst(true).generator(g).backend(backend).build());
        norm = registerModule("ln_f", LayerNorm.builder(width).backend(backend).build());
        head = registerModule("head", new Linear(width, vocab, true, g, backend));
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = call(positions, call(tokens, input).mul(0.3f));
        x = call(block, x, (m, in) -> m.forward(in, null, null, true));
        return call(head, call(norm, x));
    }

    /** A corpus that cycles through a fixed permutation of the vocabulary: each token determines the next. */
    static long[] cycle(int vocab, int length, long seed) {
        Generator g = new Generator(seed);
        int[] perm = new int[vocab];
        for (int i = 0; i < vocab; i++) perm[i] = i;
        for (int i = vocab - 1; i > 0; i--) {
            int j = g.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        long[] out = new long[length];
        for (int i = 0; i < length; i++) out[i] = perm[i % vocab];
        return out;
    }

    /** Random windows of a corpus: inputs {@code tokens} and target {@code targets} (shifted by one), INT64 {@code [B, T]}. */
    static final class Windows implements Supplier<Batch> {
        private final long[] corpus;
        private final int batch, context;
        private final Generator g;
        private final Backend backend;

        Windows(long[] corpus, int batch, int context, Generator g, Backend backend) {
            this.corpus = corpus;
            this.batch = batch;
            this.context = context;
            this.g = g;
            this.backend = backend;
        }

        @Override
        public Batch get() {
            long[] x = new long[batch * context], y = new long[batch * context];
            for (int b = 0; b < batch; b++) {
                int start = g.nextInt(corpus.length - context);
                System.arraycopy(corpus, start, x, b * context, context);
                System.arraycopy(corpus, start + 1, y, b * context, context);
            }
            return batch(x, y, batch, context, backend);
        }
    }

    static Batch batch(long[] x, long[] y, int batch, int context, Backend backend) {
        Map<String, Tensor> f = new LinkedHashMap<>();
        f.put("tokens", Tensor.fromLongs(backend, x, batch, context));
        f.put("targets", Tensor.fromLongs(backend, y, batch, context));
        return new Batch(f, "targets");
    }
}
