package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in metrics against counts made by hand, and the epoch summary's text form with metrics. */
class MetricTest {
    private final Backend cpu = Kiln.backend("cpu");

    @Test
    void accuracyCountsArgmaxMatchesPerSampleAndPerPosition() {
        try (var _ = Kiln.scope()) {
            // [3, 2]: predictions 1, 0, 1
            Tensor logits = Tensor.fromArray(cpu, new float[] {0, 1, 2, -1, 0.5f, 0.7f}, 3, 2);
            assertEquals(new Metric.Score(2, 3), Metric.accuracy().score(logits, Tensor.fromInts(cpu, new int[] {1, 1, 1}, 3)));
            // [1, 3, 4] (classes along dim 1): position predictions 2, 0, 1, 2
            Tensor seq = Tensor.fromArray(cpu, new float[] {0, 5, 0, 0, 1, 0, 9, 1, 2, 1, 0, 3}, 1, 3, 4);
            Tensor y = Tensor.fromLongs(cpu, new long[] {2, 0, 0, -100}, 1, 4);
            assertEquals(new Metric.Score(2, 3), Metric.tokenAccuracy(-100).score(seq, y));
            assertEquals(new Metric.Score(2, 4), Metric.accuracy().score(seq, y), "accuracy counts every position");
            var e = assertThrows(IllegalArgumentException.class, () -> Metric.accuracy().score(seq, Tensor.fromLongs(cpu, new long[] {1}, 1)));
            assertTrue(e.getMessage().contains("accuracy") && e.getMessage().contains("[1, 3, 4]") && e.getMessage().contains("[1]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Metric.of("two words", (o, t) -> new Metric.Score(0, 0)));
    }

    @Test
    void epochSummaryRoundTripsItsMetricsAndReadsTheOldForm() {
        Map<String, Double> train = new LinkedHashMap<>(), eval = new LinkedHashMap<>();
        train.put("token_accuracy", 0.75);
        train.put("perplexity", 3.5);
        eval.put("token_accuracy", 0.5);
        EpochResult r = new EpochResult(2, 0.4, Double.NaN, 0.6, Double.NaN, 1.5, 100, 30, 1e-3, train, eval);
        EpochResult back = EpochResult.decode(r.encode());
        assertEquals(r, back);
        assertEquals(java.util.List.of("token_accuracy", "perplexity"), java.util.List.copyOf(back.trainMetrics().keySet()));
        assertEquals("train loss 0.4000 token_accuracy 75.00% perplexity 3.5000 | test loss 0.6000 token_accuracy 50.00% | 1.5 s, 100 img/s",
                r.describe("test"));
        EpochResult old = EpochResult.decode("0,0.9,0.6,0.7,0.65,1.0,10.0,5,0.001");
        assertEquals(Map.of("accuracy", 0.6), old.trainMetrics());
        assertEquals("train loss 0.9000 acc 60.00% | test loss 0.7000 acc 65.00% | 1.0 s, 10 img/s", old.describe("test"));
    }
}
