package dev.kiln.train;

import dev.kiln.tensor.Generator;

/**
 * A generated image classification task: 12x12 single-channel images of one of four strokes
 * (horizontal, vertical, diagonal, anti-diagonal; 5 pixels long) at a random position on
 * Gaussian noise (stroke +2, noise std 0.25). Chance level is 25%.
 */
final class Patterns {
    static final int SIZE = 12, CLASSES = 4, LENGTH = 5;

    private Patterns() {}

    /** {@code n} samples drawn from {@code seed}, labels cycling through the classes. */
    static ArrayDataset make(int n, long seed) {
        Generator g = new Generator(seed);
        float[][] x = new float[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            float[] img = new float[SIZE * SIZE];
            g.fillNormal(img, 0f, 0.25f);
            int label = i % CLASSES;
            int r0 = g.nextInt(SIZE - LENGTH + 1), c0 = g.nextInt(SIZE - LENGTH + 1);
            for (int t = 0; t < LENGTH; t++) {
                int r = switch (label) { case 0 -> r0 + LENGTH / 2; case 1, 2 -> r0 + t; default -> r0 + LENGTH - 1 - t; };
                int c = label == 1 ? c0 + LENGTH / 2 : c0 + t;
                img[r * SIZE + c] += 2f;
            }
            x[i] = img;
            y[i] = label;
        }
        return new ArrayDataset(x, y, 1, SIZE, SIZE);
    }
}
