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
import javax.imageio.ImageIO;

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
 */
public final class Predictor implements AutoCloseable {
    /** Side length of the model's input images. */
    public static final int SIZE = 28;

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
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private Predictor(SeedCnn model, Backend backend) {
        this.model = model;
        this.backend = backend;
    }

    /**
     * Loads the weights of a 10-class seed CNN checkpoint (as written by {@code ./kiln mnist})
     * onto {@code backend}.
     *
     * @throws IOException if the file is missing or damaged, or its tensors do not match the seed CNN (strict load)
     */
    public static Predictor load(Path checkpoint, Backend backend) throws IOException {
        SeedCnn model = new SeedCnn(10, new Generator(0), backend);
        try {
            SafeTensors.loadInto(checkpoint, model.stateDict(), true);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        model.eval();
        return new Predictor(model, backend);
    }

    /**
     * Classifies a PNG (or any format ImageIO reads).
     *
     * @throws IOException if the file cannot be read or is not an image
     * @throws IllegalStateException after {@link #close()}
     */
    public Prediction classify(Path image) throws IOException {
        BufferedImage img = ImageIO.read(image.toFile());
        if (img == null) throw new IOException(image + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
        return classify(img);
    }

    /**
     * Classifies an image of any size and colour model (see the class comment for the conversion).
     *
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
