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
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
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

    /** A predictor for a freshly initialised seed CNN with the pixel limit {@code maxPixels}. */
    private Predictor predictor(long maxPixels) throws IOException {
        Path ckpt = dir.resolve("limits.safetensors");
        try (SeedCnn model = new SeedCnn(10, new Generator(3), cpu)) {
            SafeTensors.write(ckpt, model.stateDict(), Map.of());
        }
        return Predictor.load(ckpt, cpu, maxPixels);
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aTinyPngDeclaringAHugeImageIsRefusedBeforeDecoding() throws IOException {
        Path bomb = Files.write(dir.resolve("bomb.png"), Pngs.grey(46000, 46000, 0));
        assertTrue(Files.size(bomb) < 100, "the bomb is " + Files.size(bomb) + " bytes");
        try (Predictor p = predictor(Predictor.DEFAULT_MAX_PIXELS)) {
            long before = allocatedByThisThread();
            IOException e = assertThrows(IOException.class, () -> p.classify(bomb));
            long allocated = allocatedByThisThread() - before;
            assertTrue(e.getMessage().startsWith(bomb.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("46000 x 46000 = 2116000000 pixels is larger than the limit of 16777216"), e.getMessage());
            assertTrue(allocated < 16 << 20, "refusing allocated " + allocated + " bytes"); // decoding would take 2.1 GB
        }
    }

    @Test
    void thePixelLimitIsTheBuildersAndInclusive() throws IOException {
        Path square = Files.write(dir.resolve("square.png"), Pngs.grey(100, 100, 100));
        try (Predictor atLimit = predictor(100 * 100); Predictor below = predictor(100 * 100 - 1)) {
            assertEquals(10_000, atLimit.maxPixels());
            assertEquals(10, atLimit.classify(square).probabilities().length);
            IOException e = assertThrows(IOException.class, () -> below.classify(square));
            assertTrue(e.getMessage().contains("100 x 100 = 10000 pixels is larger than the limit of 9999"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> predictor(0));
        assertEquals("Predictor: maxPixels must be >= 1, got 0", e.getMessage());
    }

    @Test
    void unreadableFilesAreNamedWithTheReason() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        Path missing = dir.resolve("missing.png");
        byte[] good = Pngs.grey(28, 28, 28);
        Path cut = Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(good, 40)); // inside the IDAT chunk
        try (Predictor p = predictor(Predictor.DEFAULT_MAX_PIXELS)) {
            assertEquals(text + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)",
                    assertThrows(IOException.class, () -> p.classify(text)).getMessage());
            assertTrue(assertThrows(IOException.class, () -> p.classify(missing)).getMessage().startsWith(missing + ": no such file"));
            assertTrue(assertThrows(IOException.class, () -> p.classify(dir)).getMessage().startsWith(dir + ": not a regular file"));
            String m = assertThrows(IOException.class, () -> p.classify(cut)).getMessage();
            assertTrue(m.startsWith(cut + ": damaged PNG image ("), m);
        }
    }

    /** Found by ImageFuzzTest: the JDK's BMP reader allocates an embedded PNG's declared size before reading it. */
    @Test
    void aBmpEmbeddingAnImageLargerThanTheFileIsRefusedBeforeAllocating() throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(70).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(70).putInt(0).putInt(54); // file header: size, reserved, data offset
        b.putInt(40).putInt(6).putInt(5).putShort((short) 1).putShort((short) 24); // info header: 6x5, 1 plane, 24 bits
        b.putInt(5).putInt(2_000_000_000); // compression BI_PNG, embedded image of 2 GB
        Path bmp = Files.write(dir.resolve("embedded.bmp"), b.array());
        try (Predictor p = predictor(Predictor.DEFAULT_MAX_PIXELS)) {
            long before = allocatedByThisThread();
            IOException e = assertThrows(IOException.class, () -> p.classify(bmp));
            long allocated = allocatedByThisThread() - before;
            assertEquals(bmp + ": damaged BMP image (embedded PNG of 2000000000 bytes in a file of 70)", e.getMessage());
            assertTrue(allocated < 16 << 20, "refusing allocated " + allocated + " bytes");
        }
    }
}
