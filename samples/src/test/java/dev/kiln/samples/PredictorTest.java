package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.StateMismatchException;
import dev.kiln.nn.Linear;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example: one predictor shared by many threads gives every thread the single-threaded answer. */
class PredictorTest {
    private static final int IMAGES = 12, THREADS = 8, ROUNDS = 5;

    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    /** A 28x28 grey PNG of a light blob on black, different per index. */
    private Path png(int i) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Generator g = new Generator(100 + i);
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                boolean ink = Math.abs(r - 8 - i) < 4 && Math.abs(c - 6 - (i * 7) % 16) < 6;
                img.getRaster().setSample(c, r, 0, ink ? 200 + g.nextInt(56) : g.nextInt(20));
            }
        }
        Path f = dir.resolve("digit" + i + ".png");
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    @Test
    void manyThreadsGetTheSameAnswersAsTheModelItself() throws Exception {
        Path ckpt = dir.resolve("seed.safetensors");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) files.add(png(i));
        float[][] expected = new float[IMAGES][];
        try (SeedCnn model = new SeedCnn(10, new Generator(3), cpu)) {
            SafeTensors.write(ckpt, model.stateDict(), Map.of());
            model.eval();
            for (int i = 0; i < IMAGES; i++) { // reference: the pixels straight from the PNG, /255, through the model
                BufferedImage img = ImageIO.read(files.get(i).toFile());
                float[] x = new float[28 * 28];
                for (int r = 0; r < 28; r++) for (int c = 0; c < 28; c++) x[r * 28 + c] = img.getRaster().getSample(c, r, 0) / 255f;
                try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
                    expected[i] = model.forward(Tensor.fromArray(cpu, x, 1, 1, 28, 28)).softmax(1).toFloatArray();
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (Predictor predictor = Predictor.load(ckpt, cpu)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<float[][]>> runs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                Callable<float[][]> job = () -> {
                    start.await();
                    float[][] got = new float[IMAGES][];
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int k = 0; k < IMAGES; k++) {
                            int i = (k + offset) % IMAGES; // threads visit the images in different orders
                            Predictor.Prediction p = predictor.classify(files.get(i));
                            if (got[i] != null) assertArrayEquals(got[i], p.probabilities());
                            got[i] = p.probabilities();
                            assertEquals(argmax(p.probabilities()), p.label());
                        }
                    }
                    return got;
                };
                runs.add(pool.submit(job));
            }
            start.countDown();
            for (Future<float[][]> r : runs) {
                float[][] got = r.get();
                for (int i = 0; i < IMAGES; i++) assertArrayEquals(expected[i], got[i], "image " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    @Test
    void lightBackgroundsAreInvertedAndSizesScaled() {
        BufferedImage paper = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 56; y++) for (int x = 0; x < 56; x++) paper.setRGB(x, y, x >= 20 && x < 36 ? 0x000000 : 0xFFFFFF);
        float[] v = Predictor.toInput(paper);
        assertEquals(28 * 28, v.length);
        assertEquals(0f, v[0], 1e-6f, "white paper becomes the dark background");
        assertEquals(1f, v[14 * 28 + 14], 1e-6f, "black ink becomes a light stroke");
    }

    @Test
    void refusesAHeadOfAnotherSizeAndCallsAfterClose() throws IOException {
        Path five = dir.resolve("five.safetensors"), ok = dir.resolve("ok.safetensors");
        try (SeedCnn model = new SeedCnn(10, new Generator(1), cpu)) {
            SafeTensors.write(ok, model.stateDict(), Map.of());
            model.replace(SeedCnn.HEAD, new Linear(64, 5, true, new Generator(2), cpu)).close();
            SafeTensors.write(five, model.stateDict(), Map.of());
        }
        var e = assertThrows(StateMismatchException.class, () -> Predictor.load(five, cpu));
        assertTrue(e.getMessage().contains("classifier.3.weight"), e.getMessage());
        Predictor p = Predictor.load(ok, cpu);
        p.close();
        assertThrows(IllegalStateException.class, () -> p.classify(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY)));
    }
}
