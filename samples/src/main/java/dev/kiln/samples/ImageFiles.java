package dev.kiln.samples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files for {@link Predictor} with a pixel budget: the dimensions are read from the
 * header first and an image larger than the budget is refused before any pixel memory is
 * allocated (a 68-byte PNG can declare 46000x46000 pixels, 2 GB once decoded).
 */
final class ImageFiles {
    /** Longest decoder message quoted in an error. */
    private static final int MAX_QUOTE = 160;

    private ImageFiles() {}

    /**
     * The first image of {@code file}, decoded by the ImageIO reader that recognises its content.
     *
     * @param maxPixels largest width * height accepted
     * @throws IOException naming the file: missing, not a regular file, not an image ImageIO reads,
     *                     larger than {@code maxPixels}, or damaged
     */
    static BufferedImage read(Path file, long maxPixels) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        // a FIFO or a device would block the reader or never end
        if (!Files.isRegularFile(file)) throw new IOException(file + ": not a regular file");
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException(file + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
            ImageReader reader = readers.next();
            try {
                long width, height;
                try {
                    reader.setInput(in, true, true);
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw damaged(file, reader, e);
                }
                if (width <= 0 || height <= 0) throw new IOException(file + ": image declares " + width + " x " + height + " pixels");
                if (width * height > maxPixels) {
                    throw new IOException(file + ": image of " + width + " x " + height + " = " + width * height
                            + " pixels is larger than the limit of " + maxPixels + " pixels; refused before decoding");
                }
                try {
                    return reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw damaged(file, reader, e);
                }
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * The error for a decoder failure. The JDK's decoders also throw unchecked exceptions on some
     * corrupt inputs; to the caller each is a damaged file.
     */
    private static IOException damaged(Path file, ImageReader reader, Exception e) {
        ImageReaderSpi spi = reader.getOriginatingProvider();
        String format = spi == null ? "" : spi.getFormatNames()[0].toUpperCase(java.util.Locale.ROOT) + " ";
        String why = e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString();
        if (why.length() > MAX_QUOTE) why = why.substring(0, MAX_QUOTE) + "...";
        return new IOException(file + ": damaged " + format + "image (" + why + ")", e);
    }
}
