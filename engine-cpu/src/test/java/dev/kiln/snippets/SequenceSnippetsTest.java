package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LearnedPositionalEmbedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The README's sequence models, run as tests: an embedding + LSTM classifier and a small
 * Transformer encoder classifier learn whether token 7 occurs in a sequence of 12 tokens (chance
 * is 50%), trained from the same few lines, and free every tensor they make.
 */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class SequenceSnippetsTest {
    static final int VOCAB = 16, STEPS = 12, BATCH = 32;

    // @start region="lstm-classifier"
    /** Token ids [B, T] -> class logits [B, 2]: embedding, LSTM, a linear head on the last state. */
    static final class LstmClassifier extends Module {
        final Embedding embed = registerModule("embed", new Embedding(VOCAB, 32, 0));   // id 0 pads
        final LSTM lstm = registerModule("lstm", LSTM.builder(32, 64).batchFirst(true).build());
        final Linear head = registerModule("head", new Linear(64, 2));

        @Override
        public Tensor forward(Tensor ids) {
            LSTM.Result r = lstm.run(embed.forward(ids));   // output [B, T, 64], hN and cN [1, B, 64]
            return head.forward(r.hN().select(0, 0));      // the last layer's final state [B, 64]
        }
    }
    // @end

    // @start region="transformer-classifier"
    /** Token ids [B, T] -> class logits [B, 2]: embedding + positions, 2 pre-norm encoder layers, mean over time. */
    static final class TransformerClassifier extends Module {
        final Embedding embed = registerModule("embed", new Embedding(VOCAB, 32));
        final LearnedPositionalEmbedding positions = registerModule("positions", new LearnedPositionalEmbedding(STEPS, 32));
        final TransformerEncoder encoder = registerModule("encoder", new TransformerEncoder(
                TransformerEncoderLayer.builder(32, 4).dimFeedforward(64).dropout(0f)
                        .activation(TransformerEncoderLayer.Activation.GELU).batchFirst(true).normFirst(true),
                2, new LayerNorm(32)));
        final Linear head = registerModule("head", new Linear(32, 2));

        @Override
        public Tensor forward(Tensor ids) {
            Tensor h = positions.forward(embed.forward(ids));        // [B, T, 32] + learned positions
            return head.forward(encoder.forward(h).mean(false, 1));  // [B, 32] -> [B, 2]
        }
    }
    // @end

    /** A batch: random ids in [1, VOCAB) and the label "token 7 occurs". */
    private static Tensor[] batch(Random rnd) {
        long[] ids = new long[BATCH * STEPS];
        int[] labels = new int[BATCH];
        for (int b = 0; b < BATCH; b++) {
            boolean has = rnd.nextBoolean();
            for (int t = 0; t < STEPS; t++) {
                int id;
                do { id = 1 + rnd.nextInt(VOCAB - 1); } while (id == 7);
                ids[b * STEPS + t] = id;
            }
            if (has) ids[b * STEPS + rnd.nextInt(STEPS)] = 7;
            labels[b] = has ? 1 : 0;
        }
        return new Tensor[] {Tensor.fromLongs(ids, BATCH, STEPS), Tensor.fromInts(labels, BATCH)};
    }

    private static double trainAndMeasure(Module model, int steps) {
        Random rnd = new Random(5);
        try (var adam = new Adam(model.parameters(), 3e-3)) {
            // @start region="train-step"
            for (int step = 0; step < steps; step++) {
                try (var scope = Kiln.scope()) {
                    Tensor[] b = batch(rnd);                         // ids INT64 [32, 12], labels [32]
                    Tensor loss = Functional.crossEntropy(model.forward(b[0]), b[1], Reduction.MEAN, 0f);
                    adam.zeroGrad();
                    loss.backward();
                    adam.step();
                }
            }
            // @end
        }
        int right = 0, total = 0;
        try (var noGrad = Kiln.noGrad(); var scope = Kiln.scope()) {
            model.eval();
            for (int i = 0; i < 8; i++) {
                Tensor[] b = batch(rnd);
                int[] predicted = model.forward(b[0]).argmax().toIntArray();
                int[] labels = b[1].toIntArray();
                for (int j = 0; j < BATCH; j++) if (predicted[j] == labels[j]) right++;
                total += BATCH;
            }
        }
        return (double) right / total;
    }

    @Test
    void lstmClassifierLearnsTheTask() {
        Kiln.manualSeed(1);
        long before = Kiln.backend().bytesInUse();
        try (LstmClassifier model = new LstmClassifier()) {
            assertArrayEquals(new String[] {"embed.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                "head.weight", "head.bias"}, model.stateDict().keySet().toArray(String[]::new));
            double accuracy = trainAndMeasure(model, 150);
            assertTrue(accuracy > 0.9, "accuracy " + accuracy);
        }
        assertEquals(before, Kiln.backend().bytesInUse());
    }

    @Test
    void transformerClassifierLearnsTheTask() {
        Kiln.manualSeed(2);
        long before = Kiln.backend().bytesInUse();
        try (TransformerClassifier model = new TransformerClassifier()) {
            assertTrue(model.stateDict().containsKey("encoder.layers.1.self_attn.in_proj_weight"));
            double accuracy = trainAndMeasure(model, 150);
            assertTrue(accuracy > 0.9, "accuracy " + accuracy);
        }
        assertEquals(before, Kiln.backend().bytesInUse());
    }
}
