package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads MNIST-format data sets (MNIST, Fashion-MNIST) from a directory holding the standard
 * files: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-...},
 * also named {@code train-images.idx3-ubyte}, each optionally gzipped (with or without a
 * {@code .gz} suffix; compression is detected from the content).
 */
public final class Mnist {
    /** Mean pixel value of the MNIST training images after scaling to [0, 1] (for {@link DataLoader.Builder#normalize}). */
    public static final float MEAN = 0.1307f;
    /** Standard deviation of the MNIST training pixels after scaling to [0, 1]. */
    public static final float STD = 0.3081f;
    /** Mean pixel value of the Fashion-MNIST training images after scaling to [0, 1]. */
    public static final float FASHION_MEAN = 0.2860f;
    /** Standard deviation of the Fashion-MNIST training pixels after scaling to [0, 1]. */
    public static final float FASHION_STD = 0.3530f;
    /** Number of classes of MNIST and Fashion-MNIST: labels are 0 to 9. */
    public static final int CLASSES = 10;

    private Mnist() {}

    /**
     * Reads one split as [N, 1, rows, cols] images scaled to [0, 1] and int labels, checked here
     * rather than when training reaches them: at least one image, images of at least 1x1 pixel,
     * as many labels as images, every label in [0, {@link #CLASSES}).
     *
     * @param dir folder holding the split's image and label IDX files ({@code train-images-idx3-ubyte}, ...)
     * @param split which half to read
     * @return the images and labels of that split
     * @throws NoSuchFileException if a file is missing (the message lists the names tried and the fix)
     * @throws IdxFormatException  if a file is damaged or fails a check above; the message names the file
     * @throws IOException         if a file cannot be read
     */
    public static ImageDataset load(Path dir, Split split) throws IOException {
        Path imagesFile = find(dir, split.prefix() + "-images", "idx3-ubyte");
        Path labelsFile = find(dir, split.prefix() + "-labels", "idx1-ubyte");
        IdxData images = IdxReader.readImages(imagesFile);
        IdxData labels = IdxReader.readLabels(labelsFile);
        int[] dims = images.dims();
        if (dims[0] != labels.dims()[0]) {
            throw new IdxFormatException(imagesFile.getFileName() + " holds " + dims[0] + " images but "
                    + labelsFile.getFileName() + " holds " + labels.dims()[0] + " labels");
        }
        if (dims[0] == 0) throw new IdxFormatException(imagesFile.getFileName() + " holds no images (dimensions [0, " + dims[1] + ", " + dims[2] + "])");
        if (dims[1] == 0 || dims[2] == 0) {
            throw new IdxFormatException(imagesFile.getFileName() + ": images of " + dims[1] + "x" + dims[2] + " pixels (expected at least 1x1)");
        }
        int[] l = new int[dims[0]];
        int bad = 0, first = -1;
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.unsigned(i);
            if (l[i] >= CLASSES && bad++ == 0) first = i;
        }
        if (bad > 0) {
            throw new IdxFormatException(labelsFile.getFileName() + ": label " + l[first] + " at index " + first + " is outside [0, "
                    + CLASSES + ") (" + bad + " of " + l.length + " labels are)");
        }
        return new ImageDataset(images.data(), l, dims[1], dims[2]);
    }

    /** The first existing file among the standard spellings of {@code stem} and {@code kind}. */
    static Path find(Path dir, String stem, String kind) throws NoSuchFileException {
        List<String> tried = new ArrayList<>();
        for (String sep : new String[] {"-", "."}) {
            for (String gz : new String[] {"", ".gz"}) {
                String name = stem + sep + kind + gz;
                tried.add(name);
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) return p;
            }
        }
        throw new NoSuchFileException(dir.toString(), null, "no " + stem + " file (tried " + String.join(", ", tried)
                + "); run './kiln fetch-data' or point --data at a directory holding the MNIST files");
    }
}
