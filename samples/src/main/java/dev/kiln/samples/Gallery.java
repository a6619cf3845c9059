package dev.kiln.samples;

import dev.kiln.data.ImageDataset;
import dev.kiln.train.Evaluation;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** A grid of test images with captions "true -> predicted". */
final class Gallery {
    private static final int SCALE = 3, COLS = 10, CAPTION = 16, PAD = 8;

    private Gallery() {}

    /** The first {@code max} misclassified images of {@code e} (whose sample order is {@code images}' order). */
    static BufferedImage misclassified(String title, Evaluation e, ImageDataset images, String[] names, int max) {
        int[] wrong = e.misclassified();
        int n = Math.min(max, wrong.length);
        int[] shape = images.sampleShape();
        int h = shape[1], w = shape[2];
        int cellW = Math.max(w * SCALE, 84) + PAD, cellH = h * SCALE + CAPTION + PAD;
        int rows = Math.max(1, (n + COLS - 1) / COLS);
        BufferedImage img = new BufferedImage(COLS * cellW + PAD, 40 + rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Report.canvas(img);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title + " (" + n + " of " + wrong.length + ", caption: true -> predicted)", PAD, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int k = 0; k < n; k++) {
            int idx = wrong[k];
            int x0 = PAD + (k % COLS) * cellW, y0 = 36 + (k / COLS) * cellH;
            BufferedImage digit = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    int v = 255 - images.pixel(idx, r, c); // dark ink on white paper
                    digit.getRaster().setSample(c, r, 0, v);
                }
            }
            g.drawImage(digit, x0, y0, w * SCALE, h * SCALE, null);
            g.setColor(Color.LIGHT_GRAY);
            g.drawRect(x0, y0, w * SCALE, h * SCALE);
            g.setColor(new Color(180, 20, 20));
            g.drawString(names[e.labels()[idx]] + " -> " + names[e.predictions()[idx]], x0, y0 + h * SCALE + 13);
        }
        g.dispose();
        return img;
    }
}
