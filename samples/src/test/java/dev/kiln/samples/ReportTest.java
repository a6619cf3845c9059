package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.data.ImageDataset;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Evaluation;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report writes three readable PNGs, and the gallery draws the misclassified images' pixels. */
class ReportTest {
    @TempDir
    Path dir;

    @Test
    void writesCurvesConfusionAndGallery() throws Exception {
        byte[] pixels = new byte[3 * 4 * 4];
        pixels[16 + 5] = (byte) 255; // image 1 has one white pixel at (1, 1)
        ImageDataset images = new ImageDataset(pixels, new int[] {0, 1, 1}, 4, 4);
        Evaluation e = new Evaluation(0.5, 2.0 / 3, new long[][] {{1, 0}, {1, 1}}, new int[] {0, 1, 1}, new int[] {0, 0, 1});
        List<EpochResult> history = List.of(new EpochResult(0, 0.9, 0.6, 0.7, 0.65, 1, 10, 5, 1e-3),
                new EpochResult(1, 0.5, 0.8, 0.6, 2.0 / 3, 1, 10, 10, 0));
        List<Path> files = Report.write(dir, "T", history, null, e, images, new String[] {"zero", "one"});
        assertEquals(List.of(dir.resolve("curves.png"), dir.resolve("confusion.png"), dir.resolve("misclassified.png")), files);
        for (Path f : files) assertNotNull(ImageIO.read(f.toFile()), f + " is a readable image");
        BufferedImage gallery = ImageIO.read(dir.resolve("misclassified.png").toFile());
        // the one misclassified image (index 1), scaled 3x at (8, 36), dark ink on white: its white pixel (1,1) is drawn black
        assertEquals(0x000000, gallery.getRGB(8 + 3 + 1, 36 + 3 + 1) & 0xFFFFFF);
        assertEquals(0xFFFFFF, gallery.getRGB(8 + 1, 36 + 1) & 0xFFFFFF);
    }
}
