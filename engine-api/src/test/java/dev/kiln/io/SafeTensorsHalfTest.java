package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BF16 and F16 in safetensors files: PyTorch-written files load into FLOAT32 equal to PyTorch's
 * {@code .float()}, and Kiln-written files hold the bits PyTorch's own conversion gives
 * (parity/torch_half.safetensors from bench/peers/torch_half_fixtures.py). With
 * {@code -Dkiln.half.keep=DIR} the Kiln-written files are also copied to DIR for
 * {@code torch_half_fixtures.py --check}.
 */
class SafeTensorsHalfTest {
    @TempDir
    Path dir;

    private final Backend host = HostOnlyBackend.create();
    private final List<Tensor> made = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        made.forEach(Tensor::close);
        assertEquals(0, host.bytesInUse(), "every tensor freed");
    }

    private Path fixtureFile() throws IOException {
        Path f = dir.resolve("torch_half.safetensors");
        try (InputStream in = getClass().getResourceAsStream("/parity/torch_half.safetensors")) {
            Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
        }
        return f;
    }

    @Test
    void pyTorchHalfTensorsReadAsFloat32EqualToItsFloat() throws IOException {
        try (TensorFile f = SafeTensors.read(fixtureFile(), host)) {
            for (String name : List.of("bf16", "f16", "bf16_matrix")) {
                Tensor t = f.tensors().get(name), expected = f.tensors().get(name + "_float");
                assertEquals(DType.FLOAT32, t.dtype(), name);
                assertArrayEquals(expected.shape(), t.shape(), name);
                assertBitsEqual(name, expected.toFloatArray(), t.toFloatArray()); // NaN bits included: the widening is exact
            }
            assertArrayEquals(new int[] {3, 5}, f.tensors().get("bf16_matrix").shape());
        }
    }

    @Test
    void halfTensorsLoadIntoFloat32Targets() throws IOException {
        Path file = fixtureFile();
        float[] expected;
        try (TensorFile f = SafeTensors.read(file, host)) {
            expected = f.tensors().get("bf16_matrix_float").toFloatArray();
        }
        Tensor target = track(Tensor.full(host, 0f, 3, 5));
        Tensor wrongShape = track(Tensor.full(host, 0f, 5, 3));
        LoadResult r = SafeTensors.loadInto(file, Map.of("bf16_matrix", target, "f16", wrongShape), false);
        assertEquals(List.of("bf16_matrix"), r.loaded());
        assertBitsEqual("bf16_matrix", expected, target.toFloatArray());
        assertEquals(1, r.mismatched().size());
        assertTrue(r.mismatched().get(0).startsWith("f16: file [") && r.mismatched().get(0).contains("] F16, target [5, 3] F32"), r.mismatched().get(0));
    }

    @Test
    void writtenBf16AndF16HoldPyTorchsBits() throws IOException {
        float[] values;
        int[] bf16, f16;
        try (TensorFile f = SafeTensors.read(fixtureFile(), host)) {
            values = f.tensors().get("values").toFloatArray();
            bf16 = f.tensors().get("bf16_bits").toIntArray();
            f16 = f.tensors().get("f16_bits").toIntArray();
        }
        for (FloatStorage storage : List.of(FloatStorage.BF16, FloatStorage.F16)) {
            String name = storage == FloatStorage.BF16 ? "bf16" : "f16";
            Path out = dir.resolve("kiln-" + name + ".safetensors");
            SafeTensors.write(out, Map.of(name, track(Tensor.fromArray(host, values, values.length))), Map.of("k", "v"), storage);
            SafeTensorsHeader h = SafeTensorsHeader.read(out);
            TensorInfo info = h.tensors().get(name);
            assertEquals(storage.safetensorsName(), info.dtype());
            assertEquals(2L * values.length, info.byteSize(), "two bytes per value");
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
            int[] torch = storage == FloatStorage.BF16 ? bf16 : f16;
            int mismatches = 0;
            String first = "";
            for (int i = 0; i < values.length; i++) {
                int bits = data.getShort((int) (h.dataStart() + info.begin()) + 2 * i) & 0xFFFF;
                boolean same = bits == torch[i] || (Float.isNaN(values[i]) && storage == FloatStorage.BF16 && (bits & 0x7FFF) > 0x7F80);
                if (!same && mismatches++ == 0) first = String.format(" first at %d: %s, PyTorch 0x%04X, file 0x%04X", i, values[i], torch[i], bits);
            }
            assertEquals(0, mismatches, name + ": " + mismatches + " of " + values.length + " differ;" + first);
            try (TensorFile back = SafeTensors.read(out, host)) {
                float[] read = back.tensors().get(name).toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    float want = storage == FloatStorage.BF16 ? HalfFloats.bf16ToFloat((short) torch[i]) : HalfFloats.f16ToFloat((short) torch[i]);
                    assertTrue(Float.isNaN(want) ? Float.isNaN(read[i]) : Float.floatToRawIntBits(want) == Float.floatToRawIntBits(read[i]),
                            name + " read back at " + i + ": " + read[i] + ", expected " + want);
                }
                assertEquals(Map.of("k", "v"), back.metadata());
            }
            String keep = System.getProperty("kiln.half.keep");
            if (keep != null) Files.copy(out, Files.createDirectories(Path.of(keep)).resolve(out.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void narrowedFilesUseTheReferenceLayout() throws IOException {
        // safetensors 0.8.0's save_file orders by dtype, decreasing: I64, F32, I32, BF16, F16, BOOL; then by name.
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", track(Tensor.fromArray(host, new float[] {1f, -2f}, 2)));
        tensors.put("n", track(Tensor.fromInts(host, new int[] {7}, 1)));
        tensors.put("z", track(Tensor.fromLongs(host, new long[] {9}, 1)));
        tensors.put("a", track(Tensor.fromBooleans(host, new boolean[] {true}, 1)));
        Path f = dir.resolve("mixed.safetensors");
        SafeTensors.write(f, tensors, Map.of(), FloatStorage.BF16);
        byte[] bytes = Files.readAllBytes(f);
        String json = new String(bytes, 8, (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(), StandardCharsets.UTF_8).strip();
        assertEquals("{\"z\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"n\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                + "\"a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[16,17]}}", json);
        int data = bytes.length - 17;
        assertArrayEquals(new byte[] {9, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, (byte) 0x80, 0x3F, 0x00, (byte) 0xC0, 1},
                Arrays.copyOfRange(bytes, data, bytes.length));
        try (TensorFile t = SafeTensors.read(f, host)) {
            assertArrayEquals(new float[] {1f, -2f}, t.tensors().get("w").toFloatArray());
            assertArrayEquals(new int[] {7}, t.tensors().get("n").toIntArray());
        }
    }

    @Test
    void f32StorageIsThePlainWrite() throws IOException {
        Tensor w = track(Tensor.fromArray(host, new float[] {0.1f, 3e38f, -0f}, 3));
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        SafeTensors.write(a, Map.of("w", w), Map.of());
        SafeTensors.write(b, Map.of("w", w), Map.of(), FloatStorage.F32);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    private Tensor track(Tensor t) {
        made.add(t);
        return t;
    }

    private static void assertBitsEqual(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i]) && mismatches++ == 0) first = i;
        }
        assertEquals(0, mismatches, what + ": " + mismatches + " of " + expected.length + " differ"
                + (first < 0 ? "" : ", first at " + first + ": expected " + expected[first] + ", got " + actual[first]));
    }
}
