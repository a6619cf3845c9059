package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * How a JVM service embeds Kiln: load a trained {@code ./kiln mnist} checkpoint once at start-up,
 * then classify digit images (PNG, or any {@link BufferedImage}) from request threads.
 *
 * <pre>{@code
 * try (Predictor digits = Predictor.load(Path.of("out/mnist.safetensors"), Kiln.backend())) {
 *     executor.submit(() -> digits.classify(Path.of("upload-17.png")).label());   // from any thread
 * }
 * }</pre>
 *
 * <p><b>Thread-safety:</b> an instance is safe to use from any number of threads at once, and
 * predictions run concurrently. This holds because a prediction only reads the model: the model
 * is put in evaluation mode once in {@link #load} and never changed, every prediction runs in
 * its own thread-local {@link Kiln#scope()} with gradient recording off (both per thread), the
 * backend contract requires backends to be callable from any thread, and ImageIO decoding uses
 * a fresh reader per call. {@link #close()} waits for running predictions; later calls fail
 * with {@link IllegalStateException}.
 *
 * <p>Input: images are converted to grey, scaled to 28x28 and brought to MNIST's convention
 * (light digit on a dark background): an image whose border is mostly light (dark ink on paper)
 * is inverted first.
 *
 * <p><b>Pixel limit:</b> {@link #classify(Path)} reads an image's width and height from its
 * header before decoding it and refuses an image of more than {@link #DEFAULT_MAX_PIXELS}
 * (16 megapixels, 4096 x 4096) pixels with an {@link IOException} naming the file and its
 * dimensions, so a small file declaring a huge image (a decompression bomb) allocates nothing.
 * {@link #load(Path, Backend, long)} sets another limit.
 */
public final class Predictor implements AutoCloseable {
    /** Side length of the model's input images. */
    public static final int SIZE = 28;
    /** The default largest image (width * height) that {@link #classify(Path)} decodes: 16 megapixels (4096 x 4096). */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

    /**
     * One classification.
     *
     * @param label         the most probable class (the digit)
     * @param probabilities softmax probability of each class
     */
    public record Prediction(int label, float[] probabilities) {
        /** The probability of {@link #label()}. */
        public float confidence() {
            return probabilities[label];
        }
    }

    private final SeedCnn model;
    private final Backend backend;
    private final long maxPixels;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private Predictor(SeedCnn model, Backend backend, long maxPixels) {
        this.model = model;
        this.backend = backend;
        this.maxPixels = maxPixels;
    }

    /**
     * Loads the weights of a 10-class seed CNN checkpoint (as written by {@code ./kiln mnist})
     * onto {@code backend}, with the {@link #DEFAULT_MAX_PIXELS} image limit.
     *
     * @param checkpoint the safetensors file
     * @param backend    where the model runs
     * @return the predictor; close it to free the model
     * @throws IOException if the file is missing or damaged, or its tensors do not match the seed CNN (strict load)
     */
    public static Predictor load(Path checkpoint, Backend backend) throws IOException {
        return load(checkpoint, backend, DEFAULT_MAX_PIXELS);
    }

    /**
     * Loads like {@link #load(Path, Backend)}, with {@code maxPixels} as the largest image
     * (width * height) that {@link #classify(Path)} decodes.
     *
     * @param checkpoint the safetensors file
     * @param backend    where the model runs
     * @param maxPixels  the image limit, at least 1
     * @return the predictor; close it to free the model
     * @throws IllegalArgumentException if {@code maxPixels < 1}
     * @throws IOException if the file is missing or damaged, or its tensors do not match the seed CNN (strict load)
     */
    public static Predictor load(Path checkpoint, Backend backend, long maxPixels) throws IOException {
        if (maxPixels < 1) throw new IllegalArgumentException("Predictor: maxPixels must be >= 1, got " + maxPixels);
        SeedCnn model = new SeedCnn(10, new Generator(0), backend);
        try {
            SafeTensors.loadInto(checkpoint, model.stateDict(), true);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        model.eval();
        return new Predictor(model, backend, maxPixels);
    }

    /** The largest image (width * height) that {@link #classify(Path)} decodes. */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Classifies a PNG (or any format ImageIO reads); the first image of a multi-image file.
     *
     * @param image the file
     * @return the prediction
     * @throws IOException if the file cannot be read, is not an image, is damaged or has more than
     *                     {@link #maxPixels()} pixels; the message names the file
     * @throws IllegalStateException after {@link #close()}
     */
    public Prediction classify(Path image) throws IOException {
        return classify(ImageFiles.read(image, maxPixels));
    }

    /**
     * Classifies an image of any size and colour model (see the class comment for the conversion).
     *
     * @param image the decoded image
     * @return the prediction
     * @throws IllegalStateException after {@link #close()}
     */
    public Prediction classify(BufferedImage image) {
        float[] pixels = toInput(image);
        lifecycle.readLock().lock();
        try {
            if (closed) throw new IllegalStateException("Predictor: closed");
            try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
                Tensor x = Tensor.fromArray(backend, pixels, 1, 1, SIZE, SIZE);
                float[] p = model.forward(x).softmax(1).toFloatArray();
                int best = 0;
                for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
                return new Prediction(best, p);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * The model input for {@code image}: 28x28 grey values in [0, 1], light digit on dark ground.
     * Pure function of the image, safe from any thread.
     */
    static float[] toInput(BufferedImage image) {
        BufferedImage grey = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, SIZE, SIZE, null);
        g.dispose();
        float[] v = new float[SIZE * SIZE];
        double border = 0;
        for (int r = 0; r < SIZE; r++) {
            for (int c = 0; c < SIZE; c++) {
                v[r * SIZE + c] = grey.getRaster().getSample(c, r, 0) / 255f;
                if (r == 0 || c == 0 || r == SIZE - 1 || c == SIZE - 1) border += v[r * SIZE + c];
            }
        }
        if (border / (4 * SIZE - 4) > 0.5) for (int i = 0; i < v.length; i++) v[i] = 1f - v[i];
        return v;
    }

    /** Frees the model once running predictions have finished. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) model.close();
            closed = true;
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
