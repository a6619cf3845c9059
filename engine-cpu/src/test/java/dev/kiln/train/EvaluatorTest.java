package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.spi.Backend;
import org.junit.jupiter.api.Test;

/** The evaluator on a "model" that passes its input through, so the samples are the logits. */
class EvaluatorTest {
    private final Backend cpu = Kiln.backend("cpu");

    private static final float[][] LOGITS = {
            {2, 1, 0}, {0, 3, 1}, {0, 1, 5}, {4, 0, 0}, {1, 0, 2}, {0, 2, 1}, {3, 1, 1}};
    private static final int[] LABELS = {0, 1, 2, 1, 0, 2, 0};

    @Test
    void countsAccuracyConfusionAndMeanLoss() {
        try (Flatten identity = new Flatten();
             DataLoader loader = DataLoader.builder(new ArrayDataset(LOGITS, LABELS, 3)).batchSize(3).backend(cpu).build()) {
            identity.train();
            Evaluation e = Evaluator.evaluate(identity, loader, new CrossEntropyLoss());
            // Hand-worked: predictions 0,1,2,0,2,1,0 -> samples 0,1,2,6 right.
            assertArrayEquals(new int[] {0, 1, 2, 0, 2, 1, 0}, e.predictions());
            assertArrayEquals(LABELS, e.labels());
            assertEquals(4.0 / 7, e.accuracy(), 1e-12);
            assertArrayEquals(new long[][] {{2, 0, 1}, {1, 1, 0}, {0, 1, 1}}, e.confusion());
            assertArrayEquals(new int[] {3, 4, 5}, e.misclassified());
            double sum = 0; // float64 reference: -log softmax(x)[y]
            for (int i = 0; i < LABELS.length; i++) {
                double z = 0;
                for (float v : LOGITS[i]) z += Math.exp(v);
                sum += Math.log(z) - LOGITS[i][LABELS[i]];
            }
            assertEquals(sum / LABELS.length, e.loss(), 1e-5, "batch means weighted by the last, smaller batch's size");
            assertTrue(identity.isTraining(), "the model's mode is restored");
        }
    }

    @Test
    void labelsOutsideTheOutputWidthAreNamed() {
        try (Flatten identity = new Flatten();
             DataLoader loader = DataLoader.builder(new ArrayDataset(new float[][] {{1, 0}}, new int[] {2}, 2)).backend(cpu).build()) {
            var ex = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(identity, loader, (x, y) -> x.sum()));
            assertTrue(ex.getMessage().contains("label 2 of sample 0 is outside [0, 2)"), ex.getMessage());
        }
    }
}
