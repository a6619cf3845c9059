package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiheadAttention;
import dev.kiln.nn.Pipeline;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Models whose steps pass more than one tensor, the examples of {@link Pipeline}'s and
 * {@link Module}'s javadoc, run as tests: an embedding + LSTM + linear head classifier built as a
 * pipeline and as a custom module give the same bits, name their parameters by step, summarise from
 * INT64 token ids (with the LSTM's three outputs), label errors with the step, and learn a toy task.
 */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class PipelineSnippetsTest {
    static final int VOCAB = 10, CLASSES = 3;

    /** The classifier as a pipeline; the region is the javadoc example. */
    static Pipeline<Tensor> pipeline() {
        // @start region="pipeline"
        Pipeline<Tensor> model = Pipeline.builder()
                .then(new Embedding(VOCAB, 16))                      // [N, T] token ids -> [N, T, 16]
                .then(LSTM.builder(16, 32).batchFirst(true).build(), LSTM::run) // -> LSTM.Result
                .then(r -> r.hN().select(0, -1))                     // last layer's final state [N, 32]
                .then(new Linear(32, CLASSES))                       // -> logits [N, 3]
                .build();
        // .then(new Linear(32, 3)) right after the LSTM would not compile: it takes a Tensor, not an LSTM.Result
        // @end
        return model;
    }

    // @start region="custom-classifier"
    /** The same classifier as a custom module: call(child, input, method) for the LSTM's typed call. */
    static final class Classifier extends Module {
        private final Embedding embedding;
        private final LSTM lstm;
        private final Linear head;

        Classifier(int vocab, int classes) {
            embedding = registerModule("embedding", new Embedding(vocab, 16));
            lstm = registerModule("lstm", LSTM.builder(16, 32).batchFirst(true).build());
            head = registerModule("head", new Linear(32, classes));
        }

        @Override
        public Tensor forward(Tensor tokens) {                     // [N, T] -> [N, classes]
            LSTM.Result r = call(lstm, call(embedding, tokens), LSTM::run);
            return call(head, r.hN().select(0, -1));
        }
    }
    // @end

    private static Tensor tokens(int n, int t, long seed) {
        long[] ids = new long[n * t];
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < ids.length; i++) ids[i] = random.nextInt(VOCAB);
        return Tensor.fromLongs(ids, n, t);
    }

    @Test
    void pipelineAndCustomModuleAgreeBitForBit() {
        Kiln.manualSeed(11);
        try (Pipeline<Tensor> p = pipeline(); var s = Kiln.scope()) {
            Kiln.manualSeed(11);
            try (Classifier c = new Classifier(VOCAB, CLASSES)) {
                assertEquals(List.of("0.weight", "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0", "3.weight", "3.bias"),
                        List.copyOf(p.namedParameters().keySet()));
                List<Tensor> cp = c.parameters();
                assertEquals(cp.size(), p.parameters().size());
                for (int i = 0; i < cp.size(); i++) {
                    assertArrayEquals(cp.get(i).toFloatArray(), p.parameters().get(i).toFloatArray(), "same seed, same initial values");
                }
                Tensor x = tokens(4, 6, 1);
                Tensor byHand = c.forward(x);
                assertArrayEquals(new int[] {4, CLASSES}, byHand.shape());
                assertArrayEquals(byHand.toFloatArray(), p.forward(x).toFloatArray());
                // The same chain as plain functions: Layer.andThen, types checked by the compiler.
                Layer<Tensor, Tensor> chain = ((Embedding) p.get("0")).andThen(((LSTM) p.get("1"))::run)
                        .andThen(r -> r.hN().select(0, -1)).andThen((Linear) p.get("3"));
                assertArrayEquals(byHand.toFloatArray(), chain.forward(x).toFloatArray());
            }
        }
    }

    @Test
    void summaryTakesTokenIdsAndListsEveryOutput() {
        Kiln.manualSeed(12);
        try (Pipeline<Tensor> p = pipeline(); var s = Kiln.scope()) {
            String table = p.summary(Tensor.zeros(DType.INT64, 2, 7));
            assertTrue(table.startsWith("Pipeline: input [2, 7] -> output [2, 3]"), table);
            assertTrue(table.contains("Embedding  [2, 7, 16]"), table);
            assertTrue(table.contains("LSTM       [2, 7, 32], [1, 2, 32], [1, 2, 32]"), table);
            assertTrue(table.contains("Linear     [2, 3]"), table);
            assertTrue(table.contains("Total params: " + String.format(java.util.Locale.ROOT, "%,d",
                    VOCAB * 16 + 4 * 32 * (16 + 32 + 2) + 32 * CLASSES + CLASSES)), table);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.summary(1, 7));
            assertTrue(e.getMessage().startsWith("0 (Embedding): "), e.getMessage());
            // A module whose call takes several tensors: MultiheadAttention's query, key and value.
            try (MultiheadAttention mha = MultiheadAttention.builder(8, 2).batchFirst(true).build()) {
                String t = mha.summary(Tensor.zeros(2, 3, 8), Tensor.zeros(2, 5, 8), Tensor.zeros(2, 5, 8));
                assertTrue(t.startsWith("MultiheadAttention: input [2, 3, 8], [2, 5, 8], [2, 5, 8] -> output [2, 3, 8]"), t);
                assertTrue(assertThrows(IllegalArgumentException.class, () -> mha.summary(Tensor.zeros(2, 3, 8), Tensor.zeros(2, 5, 8)))
                        .getMessage().contains("one example input, got 2"));
            }
        }
    }

    @Test
    void pipelineLearnsTheLastTokensClass() {
        Kiln.manualSeed(13);
        try (Pipeline<Tensor> model = pipeline(); Optimizer opt = new Adam(model.parameters(), 0.01)) {
            double first = 0, last = 0;
            for (int step = 0; step < 60; step++) {
                try (var s = Kiln.scope()) {
                    Tensor x = tokens(32, 5, step);
                    long[] labels = new long[32];
                    long[] ids = x.toLongArray();
                    for (int i = 0; i < 32; i++) labels[i] = ids[i * 5 + 4] % CLASSES; // the class is the last token's, mod 3
                    Tensor loss = Functional.crossEntropy(model.forward(x), Tensor.fromLongs(labels, 32), Reduction.MEAN, 0f);
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    if (step < 5) first += loss.item() / 5;
                    if (step >= 55) last += loss.item() / 5;
                }
            }
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        }
    }
}
