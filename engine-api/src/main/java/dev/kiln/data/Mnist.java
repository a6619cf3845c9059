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

    private Mnist() {}

    /**
     * Reads one split as [N, 1, rows, cols] images scaled to [0, 1] and int labels.
     *
     * @param dir folder holding the split's image and label IDX files ({@code train-images-idx3-ubyte}, ...)
     * @param split which half to read
     * @return the images and labels of that split
     * @throws NoSuchFileException if a file is missing (the message lists the names tried and the fix)
     * @throws IdxFormatException  if a file is damaged, or images and labels disagree in count
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
        int[] l = new int[dims[0]];
        for (int i = 0; i < l.length; i++) l[i] = labels.unsigned(i);
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
