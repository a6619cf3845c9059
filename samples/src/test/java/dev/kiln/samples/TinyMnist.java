package dev.kiln.samples;

import dev.kiln.tensor.Generator;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small MNIST-format data set (random 28x28 images, labels cycling 0-9) written as the four IDX files. */
final class TinyMnist {
    private TinyMnist() {}

    /** Writes {@code train} training and {@code test} test images into {@code dir}; returns it. */
    static Path write(Path dir, int train, int test, long seed) throws IOException {
        Files.createDirectories(dir);
        Generator g = new Generator(seed);
        split(dir, "train", train, g);
        split(dir, "t10k", test, g);
        return dir;
    }

    private static void split(Path dir, String prefix, int n, Generator g) throws IOException {
        byte[] pixels = new byte[n * 28 * 28], labels = new byte[n];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (g.nextInt(4) == 0 ? g.nextInt(256) : 0);
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), idx(0x0803, new int[] {n, 28, 28}, pixels));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), idx(0x0801, new int[] {n}, labels));
    }

    /** An IDX file of unsigned bytes: magic, big-endian dimensions, data. */
    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
