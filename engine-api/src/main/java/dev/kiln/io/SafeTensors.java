package dev.kiln.io;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON header ({@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..],
 * "data_offsets": [begin, end]}, ...}}, padded with spaces to a multiple of 8), then the tensors'
 * little-endian bytes, back to back. Files interoperate with PyTorch's
 * {@code safetensors.torch.save_file/load_file}. Kiln supports the dtypes F32 and I32.
 *
 * <p>Writes are atomic: the file is written to a temporary file in the same directory, forced to
 * disk, renamed over the target and the directory is synced, so a crash never leaves a partial
 * file under the target name. Reads validate the whole header first ({@link SafeTensorsHeader}).
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Where a tensor's bytes come from when writing: fills {@code dst} ({@code numel * 4} bytes) in native order. */
    interface Source {
        DType dtype();

        int[] shape();

        void copyTo(MemorySegment dst) throws IOException;
    }

    /**
     * Atomically writes {@code tensors} and {@code metadata} to {@code file}, laid out as the
     * reference implementation does: grouped by dtype (F32 before I32, its order of decreasing
     * dtype), sorted by name within a group, header entries in the same order as the data; so a
     * file Kiln writes is byte-identical to the reference save_file of the same tensors and metadata
     * (checked against safetensors 0.8.0).
     *
     * @throws IllegalArgumentException if a name is empty or "__metadata__", or a tensor is closed
     * @throws IOException              if writing fails; {@code file} is then unchanged
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        SortedMap<String, Source> sources = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.isClosed()) throw new IllegalArgumentException("safetensors: tensor '" + e.getKey() + "' is closed");
            sources.put(e.getKey(), new Source() {
                public DType dtype() { return t.dtype(); }
                public int[] shape() { return t.shape(); }
                public void copyTo(MemorySegment dst) { t.backend().copyToHost(storage(t), dst); }
            });
        }
        writeSources(file, sources, metadata);
    }

    /** The reference implementation's layout order: dtype in decreasing order (F32 before I32), then name. */
    static List<Map.Entry<String, Source>> layout(Map<String, Source> sources) {
        List<Map.Entry<String, Source>> order = new ArrayList<>(sources.entrySet());
        order.sort(Map.Entry.<String, Source>comparingByValue((a, b) -> Integer.compare(dtypeRank(b.dtype()), dtypeRank(a.dtype())))
                .thenComparing(Map.Entry.comparingByKey()));
        return order;
    }

    /** Position in the reference implementation's dtype enumeration (only the relative order matters). */
    private static int dtypeRank(DType dtype) {
        return switch (dtype) {
            case INT32 -> 9;
            case FLOAT32 -> 11;
        };
    }

    /** Builds the header JSON (without padding) for {@code sources} in {@link #layout} order. */
    static String headerJson(Map<String, Source> sources, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            Json.writeString(sb, "__metadata__");
            sb.append(":{");
            boolean first = true;
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                if (!first) sb.append(',');
                first = false;
                Json.writeString(sb, m.getKey());
                sb.append(':');
                Json.writeString(sb, m.getValue());
            }
            sb.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Source> e : layout(sources)) {
            String name = e.getKey();
            if (name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors: invalid tensor name \"" + name + "\"");
            }
            Source s = e.getValue();
            long bytes = Shape.numel(s.shape()) * s.dtype().byteSize();
            if (sb.length() > 1) sb.append(',');
            Json.writeString(sb, name);
            sb.append(":{\"dtype\":\"").append(TensorInfo.nameOf(s.dtype())).append("\",\"shape\":[");
            int[] shape = s.shape();
            for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ",").append(shape[i]);
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        return sb.append('}').toString();
    }

    /** Writes via a temporary file and an atomic rename; on any failure the temporary file is removed and {@code file} untouched. */
    static void writeSources(Path file, Map<String, Source> sources, Map<String, String> metadata) throws IOException {
        byte[] json = headerJson(sources, metadata).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (Map.Entry<String, Source> e : layout(sources)) writeData(ch, e.getValue());
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
    }

    private static void writeData(FileChannel ch, Source s) throws IOException {
        long bytes = Shape.numel(s.shape()) * s.dtype().byteSize();
        if (bytes == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(bytes, 64);
            s.copyTo(host);
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) swap32(host);
            for (long off = 0; off < bytes; off += 1L << 30) {
                writeFully(ch, host.asSlice(off, Math.min(1L << 30, bytes - off)).asByteBuffer());
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** Makes the rename durable; some platforms cannot open a directory for syncing, where the rename is as durable as they allow. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows); nothing more can be done
        }
    }

    private static void swap32(MemorySegment seg) {
        for (long i = 0; i + 4 <= seg.byteSize(); i += 4) {
            seg.set(ValueLayout.JAVA_INT_UNALIGNED, i, Integer.reverseBytes(seg.get(ValueLayout.JAVA_INT_UNALIGNED, i)));
        }
    }

    /**
     * Reads every tensor of {@code file} into new tensors on {@code backend}.
     *
     * @throws SafeTensorsFormatException if the file is damaged or holds a dtype Kiln does not support
     * @throws IOException                if it cannot be read
     */
    public static TensorFile read(Path file, Backend backend) throws IOException {
        SafeTensorsHeader header = SafeTensorsHeader.read(file);
        for (TensorInfo t : header.tensors().values()) requireSupported(header.file(), t);
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean ok = false;
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = mapData(ch, header, arena);
            for (TensorInfo t : header.tensors().values()) {
                Tensor tensor = empty(backend, t.kilnDType(), t.shape());
                out.put(t.name(), tensor);
                copyIn(data, t, tensor);
            }
            ok = true;
        } finally {
            if (!ok) for (Tensor t : out.values()) t.close();
        }
        return new TensorFile(out, header.metadata());
    }

    /**
     * Copies the tensors of {@code file} into the existing tensors of {@code target} with the
     * same names (e.g. a model's parameters), through their backends.
     *
     * <p>Strict: every target key must be in the file and vice versa with equal shape and dtype,
     * otherwise nothing is copied and a {@link StateMismatchException} lists the differences.
     * Non-strict: copies the keys present in both with equal shape and dtype and reports the rest
     * (e.g. a new classifier head) in the result.
     *
     * @throws SafeTensorsFormatException if the file is damaged
     * @throws StateMismatchException     in strict mode when file and target differ
     */
    public static LoadResult loadInto(Path file, Map<String, Tensor> target, boolean strict) throws IOException {
        SafeTensorsHeader header = SafeTensorsHeader.read(file);
        List<String> loaded = new ArrayList<>(), missing = new ArrayList<>(), mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String k : header.tensors().keySet()) if (!target.containsKey(k)) unexpected.add(k);
        for (Map.Entry<String, Tensor> e : new TreeMap<>(target).entrySet()) {
            TensorInfo t = header.tensors().get(e.getKey());
            Tensor dst = e.getValue();
            if (t == null) {
                missing.add(e.getKey());
            } else if (t.kilnDType() != dst.dtype() || !Arrays.equals(t.shape(), dst.shape())) {
                mismatched.add(e.getKey() + ": file " + Arrays.toString(t.shape()) + " " + t.dtype() + ", target "
                        + Shape.str(dst.shape()) + " " + TensorInfo.nameOf(dst.dtype()));
            } else {
                loaded.add(e.getKey());
            }
        }
        if (strict && !(missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty())) {
            throw new StateMismatchException(header.file(), new LoadResult(List.of(), missing, unexpected, mismatched));
        }
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = mapData(ch, header, arena);
            for (String k : loaded) copyIn(data, header.tensors().get(k), target.get(k));
        }
        return new LoadResult(loaded, missing, unexpected, mismatched);
    }

    private static void requireSupported(String file, TensorInfo t) throws SafeTensorsFormatException {
        if (t.kilnDType() == null) {
            throw new SafeTensorsFormatException(file + ": unsupported dtype " + t.dtype() + " for tensor '" + t.name()
                    + "' (Kiln supports F32, I32; convert it, e.g. tensor.float() in PyTorch, before saving)");
        }
    }

    /** Maps the data section read-only; its size was validated against the file when the header was read. */
    private static MemorySegment mapData(FileChannel ch, SafeTensorsHeader header, Arena arena) throws IOException {
        if (ch.size() != header.dataStart() + header.dataSize()) {
            throw new SafeTensorsFormatException(header.file() + ": file size changed while reading");
        }
        if (header.dataSize() == 0) return MemorySegment.NULL;
        return ch.map(FileChannel.MapMode.READ_ONLY, header.dataStart(), header.dataSize(), arena);
    }

    /** Copies one tensor's little-endian bytes into {@code dst}, via an aligned native-order copy when the mapping is misaligned or the platform big-endian. */
    private static void copyIn(MemorySegment data, TensorInfo t, Tensor dst) {
        if (t.byteSize() == 0) return;
        MemorySegment src = data.asSlice(t.begin(), t.byteSize());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && src.address() % 4 == 0) {
            dst.backend().copyFromHost(src, storage(dst));
            return;
        }
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment aligned = temp.allocate(t.byteSize(), 64);
            aligned.copyFrom(src);
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) swap32(aligned);
            dst.backend().copyFromHost(aligned, storage(dst));
        }
    }
}
