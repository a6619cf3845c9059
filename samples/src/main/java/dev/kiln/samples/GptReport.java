package dev.kiln.samples;

import dev.kiln.io.AtomicFile;
import dev.kiln.train.StepRecord;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The {@code --report DIR} picture of the GPT commands, {@value #LOSS}: training loss per step
 * (smoothed), validation loss at each evaluation and the unigram baseline, in nats per token;
 * {@code gpt finetune --compare} draws the validation curve of every method. Drawn without AWT
 * windows (headless), in a nested class so the commands load AWT only when they draw.
 */
final class GptReport {
    /** The file {@link #write} creates. */
    static final String LOSS = "loss.png";

    private GptReport() {}

    /** One run's curves: its name, the per-step trace (may be empty) and its history rows. */
    record Run(String name, GptRuns.Trace trace, List<StepRecord> history) {}

    /** Writes {@value #LOSS} into {@code dir} (created if needed) atomically; returns its path. */
    static Path write(Path dir, String title, List<Run> runs, double unigram) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(LOSS);
        AtomicFile.write(file, Pictures.png(title, runs, unigram));
        return file;
    }

    private static final class Pictures {
        private static final Color[] COLORS = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14)};
        private static final Color LIGHT = new Color(150, 190, 225), GREY = new Color(120, 120, 120);

        private Pictures() {}

        static byte[] png(String title, List<Run> runs, double unigram) throws IOException {
            BufferedImage img = new BufferedImage(900, 480, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = Report.canvas(img);
            List<LineChart.Series> series = new ArrayList<>();
            double maxStep = 1, top = unigram;
            boolean one = runs.size() == 1;
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                Color c = COLORS[i % COLORS.length];
                List<double[]> val = new ArrayList<>();
                for (StepRecord s : r.history()) {
                    maxStep = Math.max(maxStep, s.step());
                    if (!Double.isNaN(s.valLoss())) {
                        val.add(new double[] {s.step(), s.valLoss()});
                        top = Double.isNaN(top) ? s.valLoss() : Math.max(top, s.valLoss());
                    }
                }
                if (one && r.trace() != null && !r.trace().points.isEmpty()) {
                    int window = Math.max(1, r.trace().points.size() / 100);
                    series.add(new LineChart.Series("train (per " + window + " steps)", LIGHT, r.trace().smoothed(window), false));
                }
                series.add(new LineChart.Series(one ? "validation" : r.name() + " (validation)", one ? COLORS[1] : c, val, true));
            }
            if (!Double.isNaN(unigram)) {
                series.add(new LineChart.Series("unigram baseline", GREY, List.of(new double[] {0, unigram}, new double[] {maxStep, unigram}), false));
            }
            // The first steps' loss (about ln V) would flatten the rest: cap the axis a little above the unigram line.
            double cap = Double.isNaN(top) ? Double.NaN : 1.15 * top;
            LineChart.draw(g, new Rectangle(0, 0, 900, 480), title, "step", "cross-entropy (nats per token)", "%.2f", cap, true, series);
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
            return out.toByteArray();
        }
    }
}
