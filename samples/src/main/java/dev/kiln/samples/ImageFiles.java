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
                checkEmbeddedBmp(file, reader, in);
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
     * A BMP may embed a JPEG or PNG (compression 4 or 5); the JDK's reader allocates the header's
     * image size for it before reading, whatever the file holds, so 150 bytes could claim 4 GB.
     * Refuses an embedded image larger than the file. Leaves the stream where it was.
     */
    private static void checkEmbeddedBmp(Path file, ImageReader reader, ImageInputStream in) throws IOException {
        ImageReaderSpi spi = reader.getOriginatingProvider();
        if (spi == null || !"bmp".equalsIgnoreCase(spi.getFormatNames()[0])) return;
        byte[] header = new byte[38]; // 14-byte file header, then the info header up to biSizeImage
        in.mark();
        try {
            in.seek(0);
            if (in.read(header) < header.length) return; // too short to embed anything; the reader reports it
        } finally {
            in.reset();
        }
        long compression = littleEndianUnsigned(header, 30), imageSize = littleEndianUnsigned(header, 34), length = in.length();
        if ((compression == 4 || compression == 5) && (length < 0 || imageSize > length)) {
            throw new IOException(file + ": damaged BMP image (embedded " + (compression == 4 ? "JPEG" : "PNG") + " of " + imageSize
                    + " bytes in a file of " + length + ")");
        }
    }

    private static long littleEndianUnsigned(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    /**
     * The error for a decoder failure. The JDK's decoders also throw unchecked exceptions on some
     * corrupt inputs; to the caller each is a damaged file.
     */
    private static IOException damaged(Path file, ImageReader reader, Exception e) {
        ImageReaderSpi spi = reader.getOriginatingProvider();
        String format = spi == null ? "" : spi.getFormatNames()[0].toUpperCase(java.util.Locale.ROOT) + " ";
        String why = e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString();
        return new IOException(file + ": damaged " + format + "image (" + Failures.shorten(why, MAX_QUOTE) + ")", e);
    }
}
