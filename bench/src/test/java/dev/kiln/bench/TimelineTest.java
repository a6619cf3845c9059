package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Timeline}: the step arithmetic, the median, and reading both sides' JSON lines. */
class TimelineTest {
    /** Steps of 5, 1, 3, 2 and 4 ms. */
    private static final long[] ENDS = {5_000_000, 6_000_000, 9_000_000, 11_000_000, 15_000_000};

    private static Timeline sample() {
        return new Timeline("kiln", "train", 64, "cpu: pure Java, 2 threads", 812.5, 1_700_000_000_123_456L, ENDS, 2.31, 2.05);
    }

    @Test
    void stepArithmetic() {
        Timeline t = sample();
        assertEquals(5, t.steps());
        assertEquals(5.0, t.stepMs(0), 1e-12);
        assertEquals(3.0, t.stepMs(2), 1e-12);
        assertEquals(6.0, t.firstStepsMs(2), 1e-12);
        assertEquals(15.0, t.loopMs(), 1e-12);
        // Steps after the first 2: 3, 2, 4 ms.
        assertEquals(3.0, t.warmMedianMs(2), 1e-12);
        assertEquals(3.0, t.warmMeanMs(2), 1e-12);
        // After the first 1: 1, 3, 2, 4 ms: median (2 + 3) / 2, mean 10 / 4.
        assertEquals(2.5, t.warmMedianMs(1), 1e-12);
        assertEquals(2.5, t.warmMeanMs(1), 1e-12);
        assertEquals(3.0, t.warmMeanMs(0), 1e-12);
    }

    @Test
    void median() {
        assertEquals(2.0, Timeline.median(new double[] {3, 1, 2}), 0);
        assertEquals(2.5, Timeline.median(new double[] {4, 1, 3, 2}), 0);
        assertEquals(7.0, Timeline.median(new double[] {7}), 0);
        assertThrows(IllegalArgumentException.class, () -> Timeline.median(new double[0]));
    }

    @Test
    void jsonRoundTrip() {
        Timeline t = Timeline.parse(sample().toJson(2));
        assertEquals("kiln", t.framework());
        assertEquals("train", t.bench());
        assertEquals(64, t.batch());
        assertEquals("cpu: pure Java, 2 threads", t.engine());
        assertEquals(812.5, t.jvmStartToFirstStepMs(), 0);
        assertEquals(1_700_000_000_123_456L, t.firstStepEpochUs());
        assertArrayEquals(ENDS, t.stepEndNs());
        assertEquals(2.31, t.firstLoss(), 1e-9);
        assertEquals(2.05, t.lastLoss(), 1e-9);
    }

    @Test
    void readsTheDjlPeersLine() {
        // As DjlTrain --timeline prints it: extra keys, spaces after the separators.
        String line = "{\"bench\": \"infer\", \"framework\": \"djl\", \"engine\": \"libtorch 2.7.1 (DJL 0.35.1)\", \"torch\": \"2.7.1\", "
                + "\"backend\": \"cpu\", \"threads\": 2, \"interop_threads\": 1, \"os_threads\": 22, \"batch\": 256, \"steps\": 3, "
                + "\"timeline\": true, \"jvm_start_to_first_step_ms\": 1061.0, \"first_step_epoch_us\": 1796219182734966, "
                + "\"step_end_ns\": [121242596,187686818,240260571], \"first_loss\": 41.54024, \"last_loss\": 41.54024}";
        Timeline t = Timeline.parse(line);
        assertEquals("djl", t.framework());
        assertEquals(256, t.batch());
        assertEquals("libtorch 2.7.1 (DJL 0.35.1)", t.engine());
        assertArrayEquals(new long[] {121242596, 187686818, 240260571}, t.stepEndNs());
        assertEquals(1796219182734966L, t.firstStepEpochUs());
    }

    @Test
    void errorsNameWhatIsWrong() {
        var missing = assertThrows(IllegalArgumentException.class, () -> Timeline.parse("{\"framework\": \"djl\", \"images_per_s\": [1.0]}"));
        assertTrue(missing.getMessage().contains("\"step_end_ns\""), missing.getMessage());
        var decreasing = assertThrows(IllegalArgumentException.class,
                () -> new Timeline("djl", "train", 64, "", 0, 0, new long[] {5, 4}, 0, 0));
        assertTrue(decreasing.getMessage().contains("must not decrease"), decreasing.getMessage());
        var noWarm = assertThrows(IllegalArgumentException.class, () -> sample().warmMedianMs(5));
        assertTrue(noWarm.getMessage().contains("leave no step"), noWarm.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sample().firstStepsMs(6));
    }
}
