package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.FuzzFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes reading safetensors files of arbitrary bytes, through the whole path a checkpoint load
 * takes ({@link SafeTensors#read} onto the CPU backend, then {@link SafeTensors#loadInto} a small
 * fixed state): only an {@link IOException} naming the file or an
 * {@link IllegalArgumentException} with a message may escape; no OutOfMemoryError,
 * InternalError, NullPointerException, index error or hang. An accepted file holds at least the
 * bytes of the tensors read from it.
 *
 * <p>Corpus: {@code src/test/resources/dev/kiln/io/SafeTensorsFuzzTestInputs/read/}; how to run
 * it longer: docs/reliability.md.
 */
class SafeTensorsFuzzTest {
    private static final FuzzFile FILE = FuzzFile.create(".safetensors");
    private static final Backend CPU = Kiln.backend("cpu");

    @FuzzTest(maxDuration = "15s")
    void read(byte[] input) throws IOException {
        Path path = FILE.write(input);
        String name = path.getFileName().toString();
        try (TensorFile file = SafeTensors.read(path, CPU)) {
            long bytes = 0;
            for (Tensor t : file.tensors().values()) bytes += t.numel() * minFileBytes(t.dtype());
            assertTrue(bytes <= input.length, "tensors of " + bytes + " bytes read from a file of " + input.length);
        } catch (IOException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().contains(name), "message does not name the file: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (var _ = Kiln.scope()) {
            state.put("weight", Tensor.full(CPU, 0f, 2, 3));
            state.put("bias", Tensor.full(CPU, 0f, 3));
            SafeTensors.loadInto(path, state, false);
        } catch (IOException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().contains(name), "message does not name the file: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
        }
    }

    /** Fewest bytes per element a file can hold for a tensor of {@code dtype}: FLOAT32 may come from BF16 or F16. */
    private static long minFileBytes(DType dtype) {
        return dtype == DType.FLOAT32 ? 2 : dtype.byteSize();
    }
}
