package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.testing.FuzzFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzzes {@link IdxReader} with arbitrary file contents (raw and, from the gzip seeds, gzip):
 * only {@link IdxFormatException} may escape (no OutOfMemoryError, index errors or hangs); a
 * file that is accepted holds {@code product(dims)} bytes, and a raw one is exactly the header
 * plus those bytes.
 *
 * <p>Corpus: {@code src/test/resources/dev/kiln/data/IdxReaderFuzzTestInputs/read/}; how to run
 * it longer: docs/reliability.md.
 */
class IdxReaderFuzzTest {
    private static final FuzzFile FILE = FuzzFile.create(".idx");

    @FuzzTest(maxDuration = "15s")
    void read(byte[] input) throws IOException {
        Path file = FILE.write(input);
        IdxData d;
        try {
            d = IdxReader.read(file);
        } catch (IdxFormatException expected) {
            return;
        }
        long n = 1;
        for (int dim : d.dims()) n *= dim;
        assertEquals(n, d.data().length, "data bytes for " + Arrays.toString(d.dims()));
        boolean gzip = input.length >= 2 && (input[0] & 0xFF) == 0x1f && (input[1] & 0xFF) == 0x8b;
        if (!gzip) {
            int header = 4 + 4 * d.dims().length;
            assertEquals(input.length, header + n, "file size");
            assertArrayEquals(Arrays.copyOfRange(input, header, input.length), d.data());
        }
    }
}
