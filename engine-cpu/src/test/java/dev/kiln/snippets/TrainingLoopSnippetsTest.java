package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A hand-written training loop, the example of {@link DataLoader}'s javadoc, run as a test: the
 * loss falls and every batch and intermediate tensor is freed.
 */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class TrainingLoopSnippetsTest {
    @Test
    void lossFallsAndNothingLeaks() {
        Kiln.manualSeed(3);
        Toy.settle();
        long before = Kiln.backend().bytesInUse();
        long leakedBefore = Tensor.leakedCount();
        Dataset train = Toy.images(256, 11);
        double[] epochLoss = new double[5];
        Sequential model = new Sequential(new Flatten(), new Linear(16, 2));
        Optimizer optimizer = new SGD(model.parameters(), 0.1);
        // @start region="loop"
        DataLoader loader = DataLoader.builder(train).batchSize(32).shuffle(true).seed(42)
                .normalize(0.5f, 0.25f).build();
        for (int epoch = 0; epoch < 5; epoch++) {
            try (var batches = loader.epoch(epoch)) {
                for (Batch b : batches) {
                    try (var scope = Kiln.scope()) {         // frees the step's tensors; the epoch frees b
                        Tensor logits = model.forward(b.images());  // [32, 1, 4, 4] -> [32, 2]
                        Tensor loss = Functional.crossEntropy(logits, b.labels(), Reduction.MEAN, 0f);
                        optimizer.zeroGrad();
                        loss.backward();
                        optimizer.step();
                        epochLoss[epoch] += loss.item() / batches.size();
                    }
                }
            }
        }
        loader.close();
        // @end
        optimizer.close();
        model.close();
        assertTrue(epochLoss[4] < 0.5 * epochLoss[0], java.util.Arrays.toString(epochLoss));
        assertEquals(before, Kiln.backend().bytesInUse());
        Toy.settle();
        assertEquals(leakedBefore, Tensor.leakedCount(), "tensors left to the garbage-collection safety net");
    }
}
