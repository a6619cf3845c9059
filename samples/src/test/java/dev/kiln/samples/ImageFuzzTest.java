package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the path from an image file to the model input ({@link ImageFiles#read} with the default
 * pixel limit, then {@link Predictor#toInput}) with arbitrary bytes: only an {@link IOException}
 * naming the file may escape (no OutOfMemoryError, no decoder RuntimeException, no hang); an
 * accepted image gives 28x28 values in [0, 1].
 *
 * <p>Corpus: {@code src/test/resources/dev/kiln/samples/ImageFuzzTestInputs/decode/} (PNG, GIF,
 * BMP, JPEG, WBMP and TIFF seeds); how to run it longer: docs/reliability.md.
 */
class ImageFuzzTest {
    private static final Path FILE = tempFile();

    private static Path tempFile() {
        try {
            Path f = Files.createTempFile("kiln-fuzz-", ".img");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void decode(byte[] input) throws IOException {
        Files.write(FILE, input);
        float[] x;
        try {
            x = Predictor.toInput(ImageFiles.read(FILE, Predictor.DEFAULT_MAX_PIXELS));
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(FILE.toString()), "message does not name the file: " + e.getMessage());
            return;
        }
        assertEquals(Predictor.SIZE * Predictor.SIZE, x.length);
        for (float v : x) assertTrue(v >= 0f && v <= 1f, "input value " + v);
    }
}
