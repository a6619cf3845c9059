package dev.kiln.snippets;

import dev.kiln.data.ImageDataset;
import dev.kiln.tensor.Generator;
import dev.kiln.testing.Garbage;

/** Small, separable data for the examples: dark 4x4 images are class 0, bright ones class 1. */
final class Toy {
    private Toy() {}

    /**
     * {@return {@code n} images of 4x4 pixels, half dark (values below 100, label 0) and half bright
     * (values above 155, label 1), in a seeded random order}
     *
     * @param n    number of images
     * @param seed seed of the pixel values and the order
     */
    static ImageDataset images(int n, long seed) {
        Generator g = new Generator(seed);
        byte[] pixels = new byte[n * 16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = g.nextInt(2);
            for (int p = 0; p < 16; p++) {
                int v = labels[i] == 0 ? g.nextInt(100) : 156 + g.nextInt(100);
                pixels[i * 16 + p] = (byte) v;
            }
        }
        return new ImageDataset(pixels, labels, 4, 4);
    }

    /**
     * Lets the garbage collector and the tensors' cleaner free what earlier tests left
     * unreachable, so that a byte count taken next is not lowered by them mid-test (best effort,
     * as the suite's own leak checks).
     */
    static void settle() {
        Garbage.collect();
    }
}
