package dev.kiln.samples;

import dev.kiln.data.ImageDataset;
import dev.kiln.io.AtomicFile;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Evaluation;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The {@code --report DIR} pictures of a classification run: {@code curves.png} (training loss
 * per step, train/test loss and accuracy per epoch), {@code confusion.png} (the test confusion
 * matrix) and {@code misclassified.png} (the first wrongly classified test images with their
 * true and predicted classes).
 */
final class Report {
    private Report() {}

    /** The files {@link #write} creates in its folder. */
    static final String[] FILES = {"curves.png", "confusion.png", "misclassified.png"};

    /** Writes the three PNGs into {@code dir} (created if needed), each atomically; returns their paths. */
    static List<Path> write(Path dir, String title, List<EpochResult> history, LossTrace trace, Evaluation test, ImageDataset images,
                            String[] classNames) throws IOException {
        return Pictures.write(dir, title, history, trace, test, images, classNames);
    }

    static Graphics2D canvas(BufferedImage img) {
        return Pictures.canvas(img);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /**
     * The drawing, in a class of its own: the JVM loads AWT only when a report is drawn, so the rest
     * of Report ({@link #FILES}, {@link #percent}) and the samples that use it run on a runtime
     * without {@code java.desktop}, like the GPU kit's (scripts/gpu-verify.sh).
     */
    private static final class Pictures {
        private static final Color TRAIN = new Color(31, 119, 180), TEST = new Color(214, 39, 40), STEP = new Color(150, 190, 225);

        private Pictures() {}

        /** Writes the three PNGs into {@code dir} (created if needed), each atomically; returns their paths. */
        static List<Path> write(Path dir, String title, List<EpochResult> history, LossTrace trace, Evaluation test, ImageDataset images,
                                String[] classNames) throws IOException {
            Files.createDirectories(dir);
            List<Path> out = new ArrayList<>();
            out.add(save(curves(title, history, trace), dir.resolve(FILES[0])));
            out.add(save(ConfusionPlot.draw(title + ": test confusion matrix", test, classNames), dir.resolve(FILES[1])));
            out.add(save(Gallery.misclassified(title + ": misclassified test images", test, images, classNames, 40), dir.resolve(FILES[2])));
            return out;
        }

        static Graphics2D canvas(BufferedImage img) {
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            return g;
        }

        private static BufferedImage curves(String title, List<EpochResult> history, LossTrace trace) {
            BufferedImage img = new BufferedImage(1100, 420, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = canvas(img);
            List<double[]> trainLoss = new ArrayList<>(), testLoss = new ArrayList<>(), trainAcc = new ArrayList<>(), testAcc = new ArrayList<>();
            for (EpochResult r : history) {
                double x = r.epoch() + 1;
                trainLoss.add(new double[] {x, r.trainLoss()});
                testLoss.add(new double[] {x, r.evalLoss()});
                trainAcc.add(new double[] {x, 100 * r.trainAccuracy()});
                testAcc.add(new double[] {x, 100 * r.evalAccuracy()});
            }
            List<LineChart.Series> loss = new ArrayList<>();
            List<double[]> steps = trace == null ? List.of() : trace.smoothed(50);
            if (!steps.isEmpty()) loss.add(new LineChart.Series("train (per 50 steps)", STEP, steps, false)); // none after a resume past the end
            loss.add(new LineChart.Series("train (epoch mean)", TRAIN, trainLoss, true));
            loss.add(new LineChart.Series("test", TEST, testLoss, true));
            // The first steps' loss (about ln 10) would flatten everything else: cap the axis at 3x the largest epoch mean.
            double cap = 3 * history.stream().mapToDouble(r -> Math.max(r.trainLoss(), Double.isNaN(r.evalLoss()) ? 0 : r.evalLoss())).max().orElse(Double.NaN);
            LineChart.draw(g, new Rectangle(0, 0, 550, 420), title + ": loss", "epoch", "cross-entropy", "%.2f", cap, true, loss);
            LineChart.draw(g, new Rectangle(550, 0, 550, 420), title + ": accuracy", "epoch", "accuracy (%)", "%.1f", Double.NaN, false,
                    List.of(new LineChart.Series("train", TRAIN, trainAcc, true), new LineChart.Series("test", TEST, testAcc, true)));
            g.dispose();
            return img;
        }

        /** Encodes in memory, then writes atomically: a failure leaves the previous picture, never a truncated one. */
        private static Path save(BufferedImage img, Path file) throws IOException {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            if (!ImageIO.write(img, "png", png)) throw new IOException("no PNG writer available for " + file);
            AtomicFile.write(file, png.toByteArray());
            return file;
        }
    }
}
