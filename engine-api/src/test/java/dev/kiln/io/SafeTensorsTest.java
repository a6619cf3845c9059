package dev.kiln.io;

import static dev.kiln.io.Files8.entry;
import static dev.kiln.io.Files8.safetensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.internal.TensorAccess;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private final Backend backend = HostOnlyBackend.create();
    private final List<Tensor> made = new java.util.ArrayList<>();

    private Tensor floats(float[] v, int... shape) {
        Tensor t = Tensor.fromArray(backend, v, shape);
        made.add(t);
        return t;
    }

    private Tensor ints(int[] v, int... shape) {
        Tensor t = Tensor.fromInts(backend, v, shape);
        made.add(t);
        return t;
    }

    @AfterEach
    void noLeaks() {
        made.forEach(Tensor::close);
        assertEquals(0, backend.bytesInUse(), "every tensor freed");
    }

    @Test
    void roundTripsTensorsAndMetadata() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("features.0.weight", floats(new float[] {1, -2.5f, Float.MIN_VALUE, Float.NaN, -0f, 3e38f}, 2, 3));
        in.put("labels", ints(new int[] {Integer.MIN_VALUE, 0, 7}, 3));
        in.put("scalar", floats(new float[] {42}));
        in.put("empty", floats(new float[0], 0, 4));
        SafeTensors.write(f, in, Map.of("format", "pt", "note", "é \"quoted\""));
        try (TensorFile out = SafeTensors.read(f, backend)) {
            assertEquals(List.of("empty", "features.0.weight", "labels", "scalar"), List.copyOf(out.tensors().keySet()));
            assertEquals(Map.of("format", "pt", "note", "é \"quoted\""), out.metadata());
            Tensor w = out.tensors().get("features.0.weight");
            assertArrayEquals(new int[] {2, 3}, w.shape());
            float[] got = w.toFloatArray(), want = in.get("features.0.weight").toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "bit-exact at " + i);
            assertEquals(DType.INT32, out.tensors().get("labels").dtype());
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, 7}, out.tensors().get("labels").toIntArray());
            assertArrayEquals(new int[0], out.tensors().get("scalar").shape());
            assertArrayEquals(new int[] {0, 4}, out.tensors().get("empty").shape());
        }
    }

    @Test
    void writtenFileHasExactlyTheSpecLayout() throws IOException {
        Path f = dir.resolve("layout.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", ints(new int[] {7, -1}, 2));
        in.put("a", floats(new float[] {1.5f, -2f, 3f}, 3));
        SafeTensors.write(f, in, Map.of("k", "v"));

        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        assertEquals(json + " ".repeat((int) n - json.length()), header, "sorted keys, data in key order, space padding");
        assertTrue(n - json.length() < 8);
        assertEquals(8 + n + 20, bytes.length, "no gaps, nothing after the data");
        int d = (int) (8 + n);
        assertEquals(1.5f, buf.getFloat(d));
        assertEquals(-2f, buf.getFloat(d + 4));
        assertEquals(3f, buf.getFloat(d + 8));
        assertEquals(7, buf.getInt(d + 12));
        assertEquals(-1, buf.getInt(d + 16));
        assertEquals(0x00, bytes[d + 4 + 0], "little-endian: -2f is 0x000000c0");
        assertEquals((byte) 0xC0, bytes[d + 4 + 3]);
    }

    /** PyTorch's index and mask dtypes: I64 and BOOL tensors round-trip, laid out I64, F32, I32, BOOL as safetensors orders them. */
    @Test
    void int64AndBoolRoundTripInReferenceOrder() throws IOException {
        Path f = dir.resolve("idx.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>();
        Tensor mask = Tensor.fromBooleans(backend, new boolean[] {true, false, true}, 3);
        Tensor idx = Tensor.fromLongs(backend, new long[] {Long.MIN_VALUE, 3, Long.MAX_VALUE}, 3);
        made.add(mask);
        made.add(idx);
        in.put("a_mask", mask);
        in.put("b_idx", idx);
        in.put("c", floats(new float[] {2f}, 1));
        in.put("d", ints(new int[] {9}, 1));
        SafeTensors.write(f, in, Map.of());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).strip();
        assertEquals("{\"b_idx\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"d\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[28,32]},"
                + "\"a_mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[32,35]}}", header);
        try (TensorFile back = SafeTensors.read(f, backend)) {
            assertArrayEquals(new long[] {Long.MIN_VALUE, 3, Long.MAX_VALUE}, back.tensors().get("b_idx").toLongArray());
            assertArrayEquals(new boolean[] {true, false, true}, back.tensors().get("a_mask").toBooleanArray());
        }
    }

    @Test
    void layoutMatchesTheReferenceImplementation() throws IOException {
        // The header that safetensors 0.8.0 (save_file) writes for these tensors: grouped by dtype,
        // F32 first, names sorted within a group, metadata keys sorted, space padding.
        String reference = "{\"__metadata__\":{\"format\":\"np\",\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[24,24]},\"z.scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[28,36]},\"c\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[36,44]}}    ";
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", ints(new int[] {7, -1}, 2));
        in.put("a", floats(new float[] {1.5f, -2, 3, 4, 5, 6}, 2, 3));
        in.put("c", ints(new int[] {1, 2}, 2));
        in.put("z.scalar", floats(new float[] {42}));
        in.put("e", floats(new float[0], 0, 4));
        Path f = dir.resolve("ref.safetensors");
        SafeTensors.write(f, in, Map.of("k", "v", "format", "np"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(reference.length(), buf.getLong(0));
        assertEquals(reference, new String(bytes, 8, reference.length(), StandardCharsets.UTF_8));
        int d = 8 + reference.length();
        assertEquals(d + 44, bytes.length);
        assertEquals(42f, buf.getFloat(d + 24));
        assertEquals(-1, buf.getInt(d + 32));
        assertEquals(2, buf.getInt(d + 40));
    }

    @Test
    void writeWithoutMetadataOmitsIt() throws IOException {
        Path f = dir.resolve("plain.safetensors");
        SafeTensors.write(f, Map.of("x", floats(new float[] {1}, 1)), Map.of());
        byte[] bytes = Files.readAllBytes(f);
        String header = new String(bytes, 8, bytes.length - 12, StandardCharsets.UTF_8);
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", header.stripTrailing());
    }

    private static SafeTensors.Source failingSource() {
        return new SafeTensors.Source() {
            public DType dtype() { return DType.FLOAT32; }
            public int[] shape() { return new int[] {1024}; }
            public void copyTo(MemorySegment dst) throws IOException { throw new IOException("device lost mid-save"); }
        };
    }

    @Test
    void failedWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, Map.of("w", floats(new float[] {1, 2}, 2)), Map.of());
        byte[] before = Files.readAllBytes(f);

        TreeMap<String, SafeTensors.Source> sources = new TreeMap<>();
        Tensor big = floats(new float[4096], 4096);
        sources.put("a", new SafeTensors.Source() { // written first, then the failure
            public DType dtype() { return DType.FLOAT32; }
            public int[] shape() { return big.shape(); }
            public void copyTo(MemorySegment dst) { big.backend().copyToHost(TensorAccess.storage(big), dst); }
        });
        sources.put("b", failingSource());
        IOException e = assertThrows(IOException.class, () -> SafeTensors.writeSources(f, sources, Map.of()));
        assertEquals("device lost mid-save", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "old checkpoint untouched");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "temporary file removed");
        }
    }

    @Test
    void failingTensorMapLeavesTheOldFileIntact() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, Map.of("w", floats(new float[] {1, 2}, 2)), Map.of());
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> broken = new AbstractMap<>() {
            @Override
            public Set<Entry<String, Tensor>> entrySet() {
                throw new IllegalStateException("model is being modified");
            }
        };
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(f, broken, Map.of()));
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    @Test
    void overwritesAnExistingFile() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("w", floats(new float[] {1}, 1)), Map.of());
        SafeTensors.write(f, Map.of("w", floats(new float[] {2, 3}, 2)), Map.of());
        try (TensorFile t = SafeTensors.read(f, backend)) {
            assertArrayEquals(new float[] {2, 3}, t.tensors().get("w").toFloatArray());
        }
    }

    @Test
    void refusesUnsupportedDtypesNamingTheTensor() throws IOException {
        Path f = Files.write(dir.resolve("double.safetensors"), safetensors("{" + entry("x", "F64", "[2]", 0, 16) + "}", 16));
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(f, backend));
        assertTrue(e.getMessage().startsWith("double.safetensors: unsupported dtype F64 for tensor 'x' (Kiln supports F32, BF16, F16, I32"), e.getMessage());
    }

    @Test
    void readsUnalignedDataFromForeignFiles() throws IOException {
        // A U8 tensor of 1 byte puts the F32 tensor at an odd offset: legal, and read correctly.
        String json = "{" + entry("a", "U8", "[1]", 0, 1) + "," + entry("b", "F32", "[1]", 1, 5) + "}";
        byte[] b = safetensors(json, 5);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(8 + json.length() + 1, 6.25f);
        Path f = Files.write(dir.resolve("odd.safetensors"), b);
        Tensor target = floats(new float[1], 1);
        LoadResult r = SafeTensors.loadInto(f, Map.of("b", target), false);
        assertEquals(List.of("b"), r.loaded());
        assertEquals(List.of("a"), r.unexpected());
        assertEquals(6.25f, target.toFloatArray()[0]);
    }

    @Test
    void strictLoadCopiesEverythingOrNothing() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("w", floats(new float[] {1, 2}, 2), "b", floats(new float[] {3}, 1)), Map.of());
        Tensor w = floats(new float[2], 2), b = floats(new float[1], 1);
        LoadResult ok = SafeTensors.loadInto(f, Map.of("w", w, "b", b), true);
        assertTrue(ok.exact());
        assertEquals(List.of("b", "w"), ok.loaded());
        assertArrayEquals(new float[] {1, 2}, w.toFloatArray());

        Tensor w2 = floats(new float[2], 2), head = floats(new float[3], 3), b3 = floats(new float[] {9, 9}, 2);
        StateMismatchException e = assertThrows(StateMismatchException.class,
                () -> SafeTensors.loadInto(f, Map.of("w", w2, "head", head, "b", b3), true));
        assertEquals(List.of("head"), e.result().missing());
        assertEquals(List.of("b: file [1] F32, target [2] F32"), e.result().mismatched());
        assertTrue(e.getMessage().startsWith("m.safetensors does not match the target: missing keys [head]; shape/dtype mismatches [b: file [1] F32, target [2] F32]"), e.getMessage());
        assertArrayEquals(new float[2], w2.toFloatArray(), "nothing copied on a strict failure");

        StateMismatchException u = assertThrows(StateMismatchException.class, () -> SafeTensors.loadInto(f, Map.of("w", w2), true));
        assertEquals(List.of("b"), u.result().unexpected());
    }

    @Test
    void nonStrictLoadCopiesMatchesAndReportsTheRest() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("conv.weight", floats(new float[] {1, 2}, 2), "fc.weight", floats(new float[] {3, 4, 5}, 3),
                "old", ints(new int[] {1}, 1)), Map.of());
        Tensor conv = floats(new float[2], 2), fc = floats(new float[] {7, 7}, 2), fresh = floats(new float[1], 1), old = floats(new float[1], 1);
        LoadResult r = SafeTensors.loadInto(f, Map.of("conv.weight", conv, "fc.weight", fc, "fresh", fresh, "old", old), false);
        assertEquals(List.of("conv.weight"), r.loaded());
        assertEquals(List.of("fresh"), r.missing());
        assertEquals(List.of(), r.unexpected());
        assertEquals(List.of("fc.weight: file [3] F32, target [2] F32", "old: file [1] I32, target [1] F32"), r.mismatched());
        assertArrayEquals(new float[] {1, 2}, conv.toFloatArray());
        assertArrayEquals(new float[] {7, 7}, fc.toFloatArray(), "mismatched target untouched");
        assertTrue(r.toString().contains("missing [fresh]"));
    }

    @Test
    void damagedFilesAreRefusedOnRead() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("w", floats(new float[] {1, 2, 3, 4}, 4)), Map.of());
        byte[] good = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(good, good.length - 1));
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(f, backend));
        assertTrue(e.getMessage().contains("tensor 'w': data_offsets [0, 16] go past the end of the data section (15 bytes)"), e.getMessage());
    }
}
