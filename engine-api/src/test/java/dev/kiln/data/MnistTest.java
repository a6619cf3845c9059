package dev.kiln.data;

import static dev.kiln.data.IdxFiles.gzip;
import static dev.kiln.data.IdxFiles.idx;
import static dev.kiln.data.IdxFiles.pattern;
import static dev.kiln.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir
    Path dir;

    @Test
    void loadsStandardNamesScaledToUnitRange() throws IOException {
        byte[] pixels = pattern(3 * 28 * 28, 0);
        pixels[0] = (byte) 255;
        write(dir, "train-images-idx3-ubyte", idx(8, new int[] {3, 28, 28}, pixels));
        write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {3}, new byte[] {7, 0, 9}));
        ImageDataset d = Mnist.load(dir, Split.TRAIN);
        assertEquals(3, d.size());
        assertArrayEquals(new int[] {1, 28, 28}, d.sampleShape());
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());
        float[] img = new float[784];
        d.copySample(0, img, 0);
        assertEquals(1f, img[0]);
        assertEquals((pixels[1] & 0xFF) / 255f, img[1]);
    }

    @Test
    void findsGzippedAndDottedVariants() throws IOException {
        write(dir, "t10k-images.idx3-ubyte.gz", gzip(idx(8, new int[] {2, 2, 2}, pattern(8, 1))));
        write(dir, "t10k-labels-idx1-ubyte.gz", gzip(idx(8, new int[] {2}, new byte[] {1, 2})));
        ImageDataset d = Mnist.load(dir, Split.TEST);
        assertArrayEquals(new int[] {1, 2}, d.labels());
        assertEquals(2 * 7 + 1, d.pixel(0, 1, 0)); // pattern byte i is i * 7 + 1; (row 1, col 0) is byte 2
    }

    @Test
    void missingFilesNameWhatWasTriedAndTheFix() throws IOException {
        Files.createDirectories(dir);
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("./kiln fetch-data"), e.getMessage());
    }

    @Test
    void rejectsCountMismatch() throws IOException {
        write(dir, "train-images-idx3-ubyte", idx(8, new int[] {2, 1, 1}, new byte[2]));
        write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {3}, new byte[3]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertEquals("train-images-idx3-ubyte holds 2 images but train-labels-idx1-ubyte holds 3 labels", e.getMessage());
    }

    @Test
    void aLabelOutsideTheTenClassesIsFoundAtLoadNamingTheFile() throws IOException {
        write(dir, "train-images-idx3-ubyte", idx(8, new int[] {4, 1, 1}, new byte[4]));
        write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {4}, new byte[] {9, 10, 3, (byte) 255}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertEquals("train-labels-idx1-ubyte: label 10 at index 1 is outside [0, 10) (2 of 4 labels are)", e.getMessage());
    }

    @Test
    void emptyDataIsFoundAtLoadNamingTheFile() throws IOException {
        write(dir, "train-images-idx3-ubyte", idx(8, new int[] {0, 28, 28}, new byte[0]));
        write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {0}, new byte[0]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertEquals("train-images-idx3-ubyte holds no images (dimensions [0, 28, 28])", e.getMessage());
        write(dir, "train-images-idx3-ubyte", idx(8, new int[] {2, 0, 28}, new byte[0]));
        write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {2}, new byte[2]));
        e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertEquals("train-images-idx3-ubyte: images of 0x28 pixels (expected at least 1x1)", e.getMessage());
    }

    @Test
    void aLoaderOverNoSamplesIsRefusedBeforeTraining() throws IOException {
        write(dir, "train-images-idx3-ubyte", idx(8, new int[] {2, 1, 1}, new byte[2]));
        write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {2}, new byte[] {1, 2}));
        Dataset none = Mnist.load(dir, Split.TRAIN).filterByLabel(l -> l > 5, l -> l);
        var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(none));
        assertEquals("DataLoader: the dataset has no samples (a filter or subset that kept none?)", e.getMessage());
    }
}
