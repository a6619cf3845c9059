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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    @TempDir
    Path dir;

    private IdxFormatException refused(Path file) {
        return assertThrows(IdxFormatException.class, () -> IdxReader.read(file));
    }

    private static void assertMessage(IdxFormatException e, String... fragments) {
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTripsImagesAndLabels(boolean compressed) throws IOException {
        byte[] pixels = pattern(3 * 4 * 5, 1);
        byte[] raw = idx(8, new int[] {3, 4, 5}, pixels);
        Path f = write(dir, "images", compressed ? gzip(raw) : raw);
        IdxData d = IdxReader.readImages(f);
        assertArrayEquals(new int[] {3, 4, 5}, d.dims());
        assertArrayEquals(pixels, d.data());
        assertEquals(pixels[7] & 0xFF, d.unsigned(7));

        byte[] labels = {0, 9, (byte) 255};
        Path l = write(dir, "labels.gz", compressed ? gzip(idx(8, new int[] {3}, labels)) : idx(8, new int[] {3}, labels));
        IdxData ld = IdxReader.readLabels(l);
        assertArrayEquals(new int[] {3}, ld.dims());
        assertEquals(255, ld.unsigned(2));
    }

    @Test
    void readsAnyRankFromOneToFour() throws IOException {
        int[] dims = {2, 1, 3, 2};
        IdxData d = IdxReader.read(write(dir, "r4", idx(8, dims, pattern(12, 0))));
        assertArrayEquals(dims, d.dims());
        assertEquals(12, d.data().length);
    }

    @Test
    void detectsGzipByContentNotName() throws IOException {
        Path f = write(dir, "plain-name-idx1-ubyte", gzip(idx(8, new int[] {2}, new byte[] {4, 5})));
        assertArrayEquals(new byte[] {4, 5}, IdxReader.read(f).data());
    }

    @Test
    void rejectsBadMagic() throws IOException {
        IdxFormatException e = refused(write(dir, "notes.txt", "hello world, not idx".getBytes()));
        assertMessage(e, "notes.txt: bad magic number 0x68656c6c");
    }

    @Test
    void rejectsUnsupportedType() throws IOException {
        IdxFormatException e = refused(write(dir, "floats", idx(0x0D, new int[] {1}, new byte[4])));
        assertMessage(e, "floats: unsupported IDX data type 0x0d", "0x08");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5})
    void rejectsBadRank(int rank) throws IOException {
        IdxFormatException e = refused(write(dir, "rank", idx(8, new int[rank], new byte[0])));
        assertMessage(e, "rank: bad rank " + rank, "expected 1 to 4");
    }

    @Test
    void imagesAndLabelsNeedTheirRank() throws IOException {
        Path labels = write(dir, "train-labels-idx1-ubyte", idx(8, new int[] {2}, new byte[2]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(labels));
        assertMessage(e, "train-labels-idx1-ubyte: expected magic 0x00000803 (rank 3), found 0x00000801 (rank 1)");
        Path images = write(dir, "imgs", idx(8, new int[] {1, 1, 1}, new byte[1]));
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(images)), "expected magic 0x00000801");
    }

    @Test
    void rejectsTruncatedMagicAndHeader() throws IOException {
        assertMessage(refused(write(dir, "tiny", new byte[] {0, 0})), "tiny: file ends inside the 4-byte magic number");
        byte[] full = idx(8, new int[] {60000, 28, 28}, new byte[0]);
        assertMessage(refused(write(dir, "short-header", Arrays.copyOf(full, 9))), "short-header: file ends inside the header");
    }

    @Test
    void rejectsTruncatedDataNamingTheSizes() throws IOException {
        byte[] header = idx(8, new int[] {60000, 28, 28}, new byte[1000]);
        IdxFormatException e = refused(write(dir, "train-images-idx3-ubyte", header));
        assertMessage(e, "train-images-idx3-ubyte: expected 47040000 bytes of data for [60000, 28, 28], found 1000 (file truncated)");
    }

    @Test
    void rejectsTruncatedGzipData() throws IOException {
        IdxFormatException e = refused(write(dir, "t.gz", gzip(idx(8, new int[] {10, 2, 2}, new byte[30]))));
        assertMessage(e, "t.gz: expected 40 bytes of data for [10, 2, 2], found 30 (file truncated)");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rejectsTrailingBytes(boolean compressed) throws IOException {
        byte[] raw = idx(8, new int[] {2, 2}, new byte[6]);
        IdxFormatException e = refused(write(dir, "trailing", compressed ? gzip(raw) : raw));
        assertMessage(e, "trailing: expected 4 bytes of data for [2, 2], found 6 (trailing bytes)");
    }

    @Test
    void rejectsNegativeDimension() throws IOException {
        IdxFormatException e = refused(write(dir, "neg", idx(8, new int[] {-1}, new byte[0])));
        assertMessage(e, "neg: dimension 0 is negative (4294967295");
    }

    @Test
    void rejectsDimensionsLargerThanMemoryBeforeAllocating() throws IOException {
        IdxFormatException e = refused(write(dir, "huge", idx(8, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 2}, new byte[8])));
        assertMessage(e, "huge: dimensions [2147483647, 2147483647, 2] claim more than 2147483631 bytes");
    }

    @Test
    void rejectsClaimsTheFileCannotHold() throws IOException {
        // 1.9 GB claimed by a 28-byte raw file, and by a small gzip file: refused from the sizes alone.
        byte[] raw = idx(8, new int[] {1900, 1000, 1000}, new byte[12]);
        assertMessage(refused(write(dir, "claims", raw)), "claims: expected 1900000000 bytes of data for [1900, 1000, 1000], found 12");
        assertMessage(refused(write(dir, "claims.gz", gzip(raw))), "claims.gz: expected 1900000000 bytes", "cannot hold that much");
    }

    @Test
    void rejectsCorruptGzip() throws IOException {
        byte[] gz = gzip(idx(8, new int[] {100}, pattern(100, 3)));
        ByteBuffer.wrap(gz).putInt(gz.length - 8, 0xDEADBEEF); // wrong CRC
        assertMessage(refused(write(dir, "crc.gz", gz)), "crc.gz: corrupt gzip data");
    }

    /** Found by IdxReaderFuzzTest: the gzip header is read by GZIPInputStream's constructor, which threw ZipException past the check. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 9})
    void rejectsACorruptGzipHeader(int cut) throws IOException {
        byte[] gz = gzip(idx(8, new int[] {100}, pattern(100, 3)));
        byte[] badMethod = gz.clone();
        badMethod[2] = 0x25; // compression method 37; gzip has only 8 (deflate)
        assertMessage(refused(write(dir, "method.gz", badMethod)), "method.gz: corrupt gzip data (Unsupported compression method)");
        assertMessage(refused(write(dir, "cut.gz", java.util.Arrays.copyOf(gz, cut))), "cut.gz: corrupt gzip data");
    }
}
