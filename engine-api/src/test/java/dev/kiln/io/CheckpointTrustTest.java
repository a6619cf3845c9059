package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A checkpoint's metadata is data from a file: names, shapes and numbers in it are checked before they are used. */
class CheckpointTrustTest extends CheckpointTestBase {
    private static final String ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

    private Path weights() {
        return dir.resolve("run.safetensors");
    }

    /** Writes weights {@code w = [1, 2]} with {@code meta} plus a save id (unless meta maps it to null). */
    private void weights(Map<String, String> meta) throws IOException {
        Map<String, String> m = new HashMap<>(Map.of("kiln.save_id", ID));
        m.putAll(meta);
        m.values().removeIf(v -> v == null);
        SafeTensors.write(weights(), Map.of("w", floats(1, 2)), m);
    }

    private void optimizer(String name, Map<String, Tensor> tensors, Map<String, String> meta) throws IOException {
        Map<String, String> m = new HashMap<>(Map.of("kiln.save_id", ID));
        m.putAll(meta);
        m.values().removeIf(v -> v == null);
        SafeTensors.write(dir.resolve(name), tensors, m);
    }

    private <T extends Throwable> T refused(Class<T> type, String... fragments) {
        Tensor w = floats(7, 7);
        T e = assertThrows(type, () -> Checkpoint.load(weights(), Map.of("w", w), true, backend).close());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
        assertArrayEquals(new float[] {7, 7}, w.toFloatArray(), "the model is untouched by a refused load");
        return e;
    }

    @Test
    void theOptimizerFileNameMustBeAPlainNameInTheFolder() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        optimizer("sub/o.safetensors", Map.of("0.a", floats(0, 0)), Map.of());
        for (String bad : List.of("../run.optim.safetensors", "/etc/passwd", "..", ".", "", "sub/o.safetensors", "sub\\o.safetensors",
                dir.resolve("sub/o.safetensors").toString())) {
            weights(Map.of("kiln.optimizer", bad));
            refused(SafeTensorsFormatException.class, "run.safetensors: metadata kiln.optimizer = \"", "\" is not a plain file name in the checkpoint's folder");
        }
    }

    @Test
    void theOptimizerFileMustNotBeASymbolicLink() throws IOException {
        // A valid optimizer file of this save, but outside the checkpoint's folder: the plain name links to it.
        Files.createDirectories(dir.resolve("elsewhere"));
        optimizer("elsewhere/o.safetensors", Map.of("0.a", floats(0, 0)), Map.of());
        Files.createSymbolicLink(dir.resolve("o.safetensors"), dir.resolve("elsewhere/o.safetensors"));
        weights(Map.of("kiln.optimizer", "o.safetensors"));
        refused(SafeTensorsFormatException.class, "run.safetensors: optimizer file o.safetensors is a symbolic link");
        // Nor a link to a file in the same folder.
        optimizer("real.safetensors", Map.of("0.a", floats(0, 0)), Map.of());
        Files.createSymbolicLink(dir.resolve("same.safetensors"), Path.of("real.safetensors"));
        weights(Map.of("kiln.optimizer", "same.safetensors"));
        refused(SafeTensorsFormatException.class, "run.safetensors: optimizer file same.safetensors is a symbolic link");
    }

    @Test
    void theOptimizerFileMustBeARegularFile() throws Exception {
        Files.createDirectory(dir.resolve("d.safetensors"));
        weights(Map.of("kiln.optimizer", "d.safetensors"));
        refused(SafeTensorsFormatException.class, "d.safetensors: not a regular file (a directory)");
        if (Files8.mkfifo(dir.resolve("p.safetensors")) == null) return; // no mkfifo on this platform
        weights(Map.of("kiln.optimizer", "p.safetensors"));
        refused(SafeTensorsFormatException.class, "p.safetensors: not a regular file (a FIFO, device or socket)"); // and does not hang
    }

    @Test
    void aMissingSaveIdIsAFormatError() throws IOException {
        optimizer("o.safetensors", Map.of("0.a", floats(0, 0)), Map.of());
        weights(mapWithNull("kiln.save_id", "kiln.optimizer", "o.safetensors"));
        refused(SafeTensorsFormatException.class, "run.safetensors: metadata kiln.save_id is missing");
        optimizer("o.safetensors", Map.of("0.a", floats(0, 0)), mapWithNull("kiln.save_id", null, null));
        weights(Map.of("kiln.optimizer", "o.safetensors"));
        refused(SafeTensorsFormatException.class, "o.safetensors: metadata kiln.save_id is missing");
    }

    private static Map<String, String> mapWithNull(String nullKey, String k, String v) {
        Map<String, String> m = new HashMap<>();
        m.put(nullKey, null);
        if (k != null) m.put(k, v);
        return m;
    }

    /** An optimizer file declaring one F32 tensor of {@code shape} over a sparse data section (costs no disk). */
    private void sparseOptimizer(String name, String shape, long bytes) throws IOException {
        String json = "{\"__metadata__\":{\"kiln.save_id\":\"" + ID + "\"},\"0.exp_avg\":{\"dtype\":\"F32\",\"shape\":" + shape
                + ",\"data_offsets\":[0," + bytes + "]}}";
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).array());
            raf.write(j);
            raf.setLength(8 + j.length + bytes);
        }
    }

    @Test
    void optimizerShapesAreCheckedAgainstTheModelBeforeAllocating() throws IOException {
        sparseOptimizer("huge.safetensors", "[16384,1048576]", 1L << 36); // 64 GiB declared, and the file really is that long
        weights(Map.of("kiln.optimizer", "huge.safetensors"));
        refused(SafeTensorsFormatException.class, "huge.safetensors: tensor '0.exp_avg' has shape [16384, 1048576], which no model tensor has");

        Tensor ints = Tensor.fromInts(backend, new int[] {1, 2}, 2);
        made.add(ints);
        optimizer("i.safetensors", Map.of("0.a", ints), Map.of());
        weights(Map.of("kiln.optimizer", "i.safetensors"));
        refused(SafeTensorsFormatException.class, "i.safetensors: tensor '0.a' has dtype I32; optimizer state is F32");

        Map<String, Tensor> many = new HashMap<>();
        for (int i = 0; i < 5; i++) many.put("0.s" + i, floats(0, 0));
        optimizer("many.safetensors", many, Map.of());
        weights(Map.of("kiln.optimizer", "many.safetensors"));
        refused(SafeTensorsFormatException.class, "many.safetensors: optimizer state of 40 bytes is more than 4 times the model's 8 bytes");
    }

    @Test
    void aHugeModelTensorIsAMismatchNotAnAllocation() throws IOException {
        String json = "{\"__metadata__\":{\"kiln.save_id\":\"" + ID + "\"},\"w\":{\"dtype\":\"F32\",\"shape\":[16384,1048576],\"data_offsets\":[0,"
                + (1L << 36) + "]}}";
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(weights().toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).array());
            raf.write(j);
            raf.setLength(8 + j.length + (1L << 36));
        }
        refused(StateMismatchException.class, "w: file [16384, 1048576] F32, target [2] F32");
    }

    @Test
    void positionNumbersAreRangeChecked() throws IOException {
        String[][] cases = {
                {"kiln.epoch", "-1", "metadata kiln.epoch = -1 is out of range (0 to 2147483647)"},
                {"kiln.epoch", "2147483648", "metadata kiln.epoch = 2147483648 is out of range"},
                {"kiln.step", "-5", "metadata kiln.step = -5 is out of range (0 to 9223372036854775807)"},
                {"kiln.step", "1e3", "metadata kiln.step = \"1e3\" is not a valid integer"},
                {"kiln.rng.dropout", "-2", "metadata kiln.rng.dropout = -2 is out of range"},
                {"kiln.step", "9".repeat(1000), "metadata kiln.step = \"" + "9".repeat(40) + "...(1000 chars)\" is not a valid integer"},
        };
        for (String[] c : cases) {
            weights(Map.of(c[0], c[1]));
            SafeTensorsFormatException e = refused(SafeTensorsFormatException.class, "run.safetensors: " + c[2]);
            assertTrue(e.getMessage().length() < 200, e.getMessage());
        }
    }

    @Test
    void optimizerNumbersAreRangeChecked() throws IOException {
        String[][] cases = {
                {"kiln.optim.0.step", "1.5", "metadata kiln.optim.0.step = 1.5 is not a whole step count from 0 to 2^53"},
                {"kiln.optim.0.step", "-1.0", "metadata kiln.optim.0.step = -1.0 is not a whole step count"},
                {"kiln.optim.0.step", "1e300", "metadata kiln.optim.0.step = 1e300 is not a whole step count"},
                {"kiln.optim.0.step", "NaN", "metadata kiln.optim.0.step = NaN is not finite"},
                {"kiln.optim.group.0.lr", "Infinity", "metadata kiln.optim.group.0.lr = Infinity is not finite"},
                {"kiln.optim.group.0.lr", "fast", "metadata kiln.optim.group.0.lr = \"fast\" is not a number"},
        };
        for (String[] c : cases) {
            optimizer("o.safetensors", Map.of("0.exp_avg", floats(0, 0)), Map.of(c[0], c[1]));
            weights(Map.of("kiln.optimizer", "o.safetensors"));
            refused(SafeTensorsFormatException.class, "o.safetensors: " + c[2]);
        }
        optimizer("o.safetensors", Map.of("0.exp_avg", floats(0, 0)), Map.of("kiln.optim.0.step", "9007199254740992.0"));
        try (Checkpoint.Loaded l = Checkpoint.load(weights(), Map.of("w", floats(0, 0)), true, backend)) {
            assertEquals(0x1p53, l.optimizer().scalars().get("0.step"));
        }
    }
}
