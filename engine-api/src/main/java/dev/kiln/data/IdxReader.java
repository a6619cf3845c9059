package dev.kiln.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), raw or gzip-compressed; compression is detected from the
 * gzip magic bytes 0x1f 0x8b, not from the name.
 *
 * <p>Layout: two zero bytes, a type byte (only 0x08, unsigned byte, is supported), a rank
 * byte (1..4), {@code rank} big-endian int32 dimensions, then exactly {@code product(dims)} data
 * bytes. Every deviation (bad magic, unsupported type, bad rank, negative dimension, truncated
 * data, trailing bytes) raises an {@link IdxFormatException} naming the file and the problem.
 * The data buffer is never larger than what the file can actually hold: for a raw file the
 * claimed size is checked against the file size before allocating; for a gzip file the buffer
 * grows with the bytes actually decompressed.
 */
public final class IdxReader {
    /** Largest data section read into one Java array. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;
    /** Deflate cannot expand input by more than about 1032:1; a larger claim is impossible. */
    private static final long MAX_GZIP_RATIO = 1032;
    private static final int MAX_RANK = 4;

    private IdxReader() {}

    /**
     * Reads any unsigned-byte IDX file of rank 1 to 4.
     *
     * @param file the IDX file
     * @return its name, dimensions and bytes
     * @throws IdxFormatException if the file is not a valid IDX file
     * @throws IOException        if it cannot be read
     */
    public static IdxData read(Path file) throws IOException {
        return read(file, 0);
    }

    /**
     * Reads an image file: magic 0x00000803, dimensions [N, rows, cols].
     *
     * @param file the image file
     * @return its dimensions {@code [N, rows, cols]} and pixels
     * @throws IdxFormatException if the file is not a valid rank-3 unsigned-byte IDX file
     * @throws IOException if it cannot be read
     */
    public static IdxData readImages(Path file) throws IOException {
        return read(file, 3);
    }

    /**
     * Reads a label file: magic 0x00000801, dimensions [N].
     *
     * @param file the label file
     * @return its dimension {@code [N]} and labels
     * @throws IdxFormatException if the file is not a valid rank-1 unsigned-byte IDX file
     * @throws IOException if it cannot be read
     */
    public static IdxData readLabels(Path file) throws IOException {
        return read(file, 1);
    }

    private static IdxData read(Path file, int expectedRank) throws IOException {
        String name = String.valueOf(file.getFileName());
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try {
                // GZIPInputStream reads and checks the gzip header already in its constructor
                InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
                return parse(name, in, fileSize, gzip, expectedRank);
            } catch (ZipException | EOFException e) {
                if (!gzip) throw e;
                throw new IdxFormatException(name + ": corrupt gzip data (" + e.getMessage() + ")");
            }
        }
    }

    private static IdxData parse(String name, InputStream in, long fileSize, boolean gzip, int expectedRank) throws IOException {
        byte[] magic = new byte[4];
        if (in.readNBytes(magic, 0, 4) < 4) throw new IdxFormatException(name + ": file ends inside the 4-byte magic number");
        int m = ((magic[0] & 0xFF) << 24) | ((magic[1] & 0xFF) << 16) | ((magic[2] & 0xFF) << 8) | (magic[3] & 0xFF);
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(name + ": bad magic number 0x" + hex(m) + " (an IDX file starts with 0x0000; is this an IDX file?)");
        }
        if (magic[2] != 0x08) {
            throw new IdxFormatException(name + ": unsupported IDX data type 0x" + String.format("%02x", magic[2] & 0xFF)
                    + " in magic 0x" + hex(m) + " (Kiln reads unsigned byte, 0x08)");
        }
        int rank = magic[3] & 0xFF;
        if (rank < 1 || rank > MAX_RANK) throw new IdxFormatException(name + ": bad rank " + rank + " in magic 0x" + hex(m) + " (expected 1 to " + MAX_RANK + ")");
        if (expectedRank != 0 && rank != expectedRank) {
            throw new IdxFormatException(name + ": expected magic 0x" + hex(0x0800 | expectedRank) + " (rank " + expectedRank
                    + "), found 0x" + hex(m) + " (rank " + rank + ")");
        }
        byte[] header = new byte[4 * rank];
        if (in.readNBytes(header, 0, header.length) < header.length) {
            throw new IdxFormatException(name + ": file ends inside the header (" + rank + " dimensions need " + header.length + " bytes)");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = ((header[4 * i] & 0xFF) << 24) | ((header[4 * i + 1] & 0xFF) << 16) | ((header[4 * i + 2] & 0xFF) << 8) | (header[4 * i + 3] & 0xFF);
            if (dims[i] < 0) throw new IdxFormatException(name + ": dimension " + i + " is negative (" + Integer.toUnsignedString(dims[i]) + " read as signed)");
        }
        long count = 1;
        for (int d : dims) {
            count *= d; // stays below 2^62: each factor is below 2^31 and count was at most MAX_BYTES
            if (count > MAX_BYTES) {
                throw new IdxFormatException(name + ": dimensions " + Arrays.toString(dims) + " claim more than " + MAX_BYTES
                        + " bytes, larger than Kiln reads into memory");
            }
        }
        long headerBytes = 4 + 4L * rank;
        String need = name + ": expected " + count + " bytes of data for " + Arrays.toString(dims) + ", found ";
        if (!gzip && fileSize - headerBytes != count) {
            throw new IdxFormatException(need + (fileSize - headerBytes) + (fileSize - headerBytes < count ? " (file truncated)" : " (trailing bytes)"));
        }
        if (gzip && count > fileSize * MAX_GZIP_RATIO) {
            throw new IdxFormatException(need + "a gzip file of only " + fileSize + " bytes, which cannot hold that much");
        }
        byte[] data = gzip ? readGrowing(in, (int) count) : in.readNBytes((int) count);
        if (data.length < count) throw new IdxFormatException(need + data.length + " (file truncated)");
        long extra = 0;
        byte[] skip = new byte[8192];
        for (int r; (r = in.read(skip)) > 0; ) extra += r;
        if (extra > 0) throw new IdxFormatException(need + (count + extra) + " (trailing bytes)");
        return new IdxData(name, dims, data);
    }

    /** Reads up to {@code max} bytes, growing the buffer with the bytes actually present. */
    private static byte[] readGrowing(InputStream in, int max) throws IOException {
        byte[] buf = new byte[Math.min(max, 1 << 20)];
        int n = 0;
        while (n < max) {
            if (n == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(max, 2L * buf.length));
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) break;
            n += r;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }
}
