package dev.kiln.io;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;

import dev.kiln.internal.Excerpt;
import dev.kiln.internal.Pin;
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
 * {@code safetensors.torch.save_file/load_file}. Kiln supports the dtypes F32, I32, I64 and BOOL, and
 * reads BF16 and F16 (half-precision weights written by other tools) into FLOAT32 tensors; a
 * write can store FLOAT32 tensors as BF16 or F16 ({@link FloatStorage}, rounding as {@link HalfFloats}).
 *
 * <p>Writes are atomic ({@link AtomicFile}): the file is written to a temporary file in the same
 * directory, forced to disk, renamed over the target and the directory is synced, so a crash never
 * leaves a partial file under the target name. Reads validate the whole header first ({@link SafeTensorsHeader}),
 * then read the data through the same open file with positional reads, so a file replaced or
 * truncated meanwhile gives a {@link SafeTensorsFormatException} naming it, never mixed data.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Where a tensor's bytes come from when writing: fills {@code dst} ({@code numel * 4} bytes) in native order. */
    interface Source {
        DType dtype();

        int[] shape();

        void copyTo(MemorySegment dst) throws IOException;

        /** {@return the dtype name the file stores: the tensor's own unless a FLOAT32 tensor is narrowed to BF16 or F16} */
        default String fileDType() {
            return TensorInfo.nameOf(dtype());
        }
    }

    /**
     * Atomically writes {@code tensors} and {@code metadata} to {@code file}, laid out as the
     * reference implementation does: grouped by dtype (F32 before I32, its order of decreasing
     * dtype), sorted by name within a group, header entries in the same order as the data; so a
     * file Kiln writes is byte-identical to the reference save_file of the same tensors and metadata
     * (checked against safetensors 0.8.0).
     *
     * <p>A new file gets the default permissions (0644 under the usual umask 022). When
     * {@code file} is a symbolic link, the file it points to is replaced and the link kept. A
     * {@code file} that exists and is not a regular file (a directory, {@code /dev/null}, a FIFO)
     * is refused, never replaced.
     *
     * @param file     where to write
     * @param tensors  the tensors by name
     * @param metadata the {@code __metadata__} strings (may be empty)
     * @throws IllegalArgumentException if a name is empty or "__metadata__", or a tensor is closed
     * @throws IllegalStateException    if another thread closes a tensor before it was written
     * @throws IOException              if writing fails, or {@code file} is not a regular file;
     *                                  {@code file} is then unchanged
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        writeSources(file, sources(tensors, FloatStorage.F32), metadata);
    }

    /**
     * {@link #write(Path, Map, Map)} with the FLOAT32 tensors stored as {@code storage}: BF16 or F16
     * halve the file (each value rounded to nearest, ties to even, as PyTorch's {@code .to(torch.bfloat16)}
     * and {@code .half()}; F16 overflows to infinity beyond 65504). Other dtypes are stored as they are.
     * The layout is the reference implementation's, as for F32.
     *
     * @param file     where to write
     * @param tensors  the tensors by name
     * @param metadata the {@code __metadata__} strings (may be empty)
     * @param storage  how FLOAT32 tensors are stored
     * @throws IllegalArgumentException if a name is empty or "__metadata__", or a tensor is closed
     * @throws IllegalStateException    if another thread closes a tensor before it was written
     * @throws IOException              if writing fails, or {@code file} is not a regular file;
     *                                  {@code file} is then unchanged
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, FloatStorage storage) throws IOException {
        writeSources(file, sources(tensors, java.util.Objects.requireNonNull(storage, "storage")), metadata);
    }

    private static SortedMap<String, Source> sources(Map<String, Tensor> tensors, FloatStorage storage) {
        SortedMap<String, Source> sources = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.isClosed()) throw new IllegalArgumentException("safetensors: tensor '" + e.getKey() + "' is closed");
            sources.put(e.getKey(), new Source() {
                public DType dtype() { return t.dtype(); }
                public int[] shape() { return t.shape(); }
                public String fileDType() { return t.dtype() == DType.FLOAT32 ? storage.safetensorsName() : TensorInfo.nameOf(t.dtype()); }
                public void copyTo(MemorySegment dst) {
                    try (Pin p = pin("safetensors write", t)) { // a concurrent close frees the memory only after the copy
                        p.storage().backend().copyToHost(p.storage(), dst);
                    }
                }
            });
        }
        return sources;
    }

    /** The reference implementation's layout order: dtype in decreasing order (F32 before I32), then name. */
    static List<Map.Entry<String, Source>> layout(Map<String, Source> sources) {
        List<Map.Entry<String, Source>> order = new ArrayList<>(sources.entrySet());
        order.sort(Map.Entry.<String, Source>comparingByValue((a, b) -> Integer.compare(dtypeRank(b.fileDType()), dtypeRank(a.fileDType())))
                .thenComparing(Map.Entry.comparingByKey()));
        return order;
    }

    /** Position in the reference implementation's dtype enumeration (only the relative order matters). */
    private static int dtypeRank(String fileDType) {
        return switch (fileDType) {
            case "BOOL" -> 0;
            case "F16" -> 7;
            case "BF16" -> 8;
            case "I32" -> 9;
            case "F32" -> 11;
            case "I64" -> 13;
            default -> throw new IllegalStateException("safetensors: no layout rank for " + fileDType);
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
            long bytes = Shape.numel(s.shape()) * TensorInfo.elementSize(s.fileDType());
            if (sb.length() > 1) sb.append(',');
            Json.writeString(sb, name);
            sb.append(":{\"dtype\":\"").append(s.fileDType()).append("\",\"shape\":[");
            int[] shape = s.shape();
            for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ",").append(shape[i]);
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        return sb.append('}').toString();
    }

    /**
     * Writes via a temporary file and an atomic rename; on any failure the temporary file is
     * removed and the target untouched. The target is {@link #target(Path) resolved} first.
     */
    static void writeSources(Path file, Map<String, Source> sources, Map<String, String> metadata) throws IOException {
        ByteBuffer head = header(sources, metadata);
        AtomicFile.writeChannel(file, ch -> writeAll(ch, head, sources));
    }

    /**
     * Writes a new file {@code file}, which must not exist yet, in place (no rename: used for files
     * that nothing names until a later commit, such as a checkpoint's optimizer state), forced to
     * disk with its directory entry. On failure the partial file is removed.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists
     */
    static void writeNew(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Source> sources = sources(tensors, FloatStorage.F32);
        ByteBuffer head = header(sources, metadata);
        boolean created = false, done = false;
        try {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                created = true;
                writeAll(ch, head, sources);
            }
            done = true;
        } finally {
            if (created && !done) Files.deleteIfExists(file);
        }
        AtomicFile.syncDirectory(file.toAbsolutePath().getParent());
    }

    /** The 8-byte length and the header JSON, padded with spaces to a multiple of 8. */
    private static ByteBuffer header(Map<String, Source> sources, Map<String, String> metadata) {
        byte[] json = headerJson(sources, metadata).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        return head.flip();
    }

    private static void writeAll(FileChannel ch, ByteBuffer head, Map<String, Source> sources) throws IOException {
        writeFully(ch, head);
        for (Map.Entry<String, Source> e : layout(sources)) writeData(ch, e.getValue());
        ch.force(true);
    }

    private static void writeData(FileChannel ch, Source s) throws IOException {
        long bytes = Shape.numel(s.shape()) * s.dtype().byteSize();
        if (bytes == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(bytes, 64);
            s.copyTo(host);
            if (!s.fileDType().equals(TensorInfo.nameOf(s.dtype()))) {
                bytes = narrow(host, s.fileDType());
            } else if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                swap32(host);
            }
            for (long off = 0; off < bytes; off += 1L << 30) {
                writeFully(ch, host.asSlice(off, Math.min(1L << 30, bytes - off)).asByteBuffer());
            }
        }
    }

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Rounds the native-order floats of {@code host} to little-endian BF16 or F16 in place, into its
     * first half (element i moves from byte 4i to 2i, after every element before it has been read).
     *
     * @return the byte length of the narrowed data
     */
    private static long narrow(MemorySegment host, String fileDType) {
        long n = host.byteSize() / 4;
        boolean bf16 = fileDType.equals("BF16");
        for (long i = 0; i < n; i++) {
            float f = host.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            host.set(LE_SHORT, 2 * i, bf16 ? HalfFloats.floatToBf16(f) : HalfFloats.floatToF16(f));
        }
        return 2 * n;
    }

    /** Widens the little-endian BF16 or F16 values of {@code src} into native-order floats in {@code dst}. */
    private static void widen(MemorySegment src, MemorySegment dst, String fileDType) {
        long n = src.byteSize() / 2;
        boolean bf16 = fileDType.equals("BF16");
        for (long i = 0; i < n; i++) {
            short h = src.get(LE_SHORT, 2 * i);
            dst.setAtIndex(ValueLayout.JAVA_FLOAT, i, bf16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.f16ToFloat(h));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static void swap32(MemorySegment seg) {
        for (long i = 0; i + 4 <= seg.byteSize(); i += 4) {
            seg.set(ValueLayout.JAVA_INT_UNALIGNED, i, Integer.reverseBytes(seg.get(ValueLayout.JAVA_INT_UNALIGNED, i)));
        }
    }

    /**
     * Reads every tensor of {@code file} into new tensors on {@code backend}.
     *
     * @param file    the file to read
     * @param backend where the tensors are created
     * @return the new tensors (the caller's to close) and the metadata
     * @throws SafeTensorsFormatException if the file is damaged, truncated while reading, not a
     *                                    regular file, or holds a dtype Kiln does not support
     *                                    (BF16 and F16 are read into FLOAT32 tensors)
     * @throws IOException                if it cannot be read
     */
    public static TensorFile read(Path file, Backend backend) throws IOException {
        try (FileChannel ch = SafeTensorsHeader.openRegular(file)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(ch, String.valueOf(file.getFileName()));
            return new TensorFile(readAll(ch, header, backend), header.metadata());
        }
    }

    /** Reads every tensor described by {@code header} from {@code ch} into new tensors; on failure none is left open. */
    static Map<String, Tensor> readAll(FileChannel ch, SafeTensorsHeader header, Backend backend) throws IOException {
        for (TensorInfo t : header.tensors().values()) requireSupported(header.file(), t);
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean ok = false;
        try {
            requireSize(ch, header);
            for (TensorInfo t : header.tensors().values()) {
                Tensor tensor = empty(backend, t.kilnDType(), t.shape());
                out.put(t.name(), tensor);
                copyIn(ch, header, t, tensor);
            }
            ok = true;
        } finally {
            if (!ok) for (Tensor t : out.values()) t.close();
        }
        return out;
    }

    /**
     * Copies the tensors of {@code file} into the existing tensors of {@code target} with the
     * same names (e.g. a model's parameters), through their backends. BF16 and F16 tensors of the
     * file count as FLOAT32 and are widened exactly.
     *
     * <p>Strict: every target key must be in the file and vice versa with equal shape and dtype,
     * otherwise nothing is copied and a {@link StateMismatchException} lists the differences.
     * Non-strict: copies the keys present in both with equal shape and dtype and reports the rest
     * (e.g. a new classifier head) in the result.
     *
     * @param file   the file to read
     * @param target the tensors to copy into, by name
     * @param strict whether every key, shape and dtype must match
     * @return which keys were loaded, missing, unexpected or mismatched
     * @throws SafeTensorsFormatException if the file is damaged, truncated while reading, or not a regular file
     * @throws StateMismatchException     in strict mode when file and target differ
     * @throws IllegalStateException      if a target tensor is closed, before or during the load
     * @throws IOException if the file cannot be read
     */
    public static LoadResult loadInto(Path file, Map<String, Tensor> target, boolean strict) throws IOException {
        try (FileChannel ch = SafeTensorsHeader.openRegular(file)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(ch, String.valueOf(file.getFileName()));
            LoadResult result = match(header, target);
            if (strict && !result.exact()) {
                throw new StateMismatchException(header.file(), new LoadResult(List.of(), result.missing(), result.unexpected(), result.mismatched()));
            }
            copyMatching(ch, header, result, target);
            return result;
        }
    }

    /** Compares the header's tensors with {@code target} by name, shape and dtype; nothing is read or allocated. */
    static LoadResult match(SafeTensorsHeader header, Map<String, Tensor> target) {
        List<String> loaded = new ArrayList<>(), missing = new ArrayList<>(), mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String k : header.tensors().keySet()) if (!target.containsKey(k)) unexpected.add(k);
        for (Map.Entry<String, Tensor> e : new TreeMap<>(target).entrySet()) {
            TensorInfo t = header.tensors().get(e.getKey());
            Tensor dst = e.getValue();
            if (t == null) {
                missing.add(e.getKey());
            } else if (t.kilnDType() != dst.dtype() || !Arrays.equals(t.shape(), dst.shape())) {
                mismatched.add(e.getKey() + ": file " + Excerpt.of(Arrays.toString(t.shape())) + " " + t.dtype() + ", target "
                        + Shape.str(dst.shape()) + " " + TensorInfo.nameOf(dst.dtype()));
            } else {
                loaded.add(e.getKey());
            }
        }
        return new LoadResult(loaded, missing, unexpected, mismatched);
    }

    /** Copies the tensors {@code result} lists as loaded from {@code ch} into their {@code target} tensors. */
    static void copyMatching(FileChannel ch, SafeTensorsHeader header, LoadResult result, Map<String, Tensor> target) throws IOException {
        requireSize(ch, header);
        for (String k : result.loaded()) copyIn(ch, header, header.tensors().get(k), target.get(k));
    }

    private static void requireSupported(String file, TensorInfo t) throws SafeTensorsFormatException {
        if (t.kilnDType() == null) {
            throw new SafeTensorsFormatException(file + ": unsupported dtype " + t.dtype() + " for tensor '" + Excerpt.of(t.name())
                    + "' (Kiln supports F32, BF16, F16, I32, I64, BOOL; convert it, e.g. tensor.float() in PyTorch, before saving)");
        }
    }

    /** The file must still have the size its header was validated against. */
    private static void requireSize(FileChannel ch, SafeTensorsHeader header) throws IOException {
        long size = ch.size(), expected = header.dataStart() + header.dataSize();
        if (size != expected) {
            throw new SafeTensorsFormatException(header.file() + ": file is now " + size + " bytes, its header says " + expected
                    + " (truncated or changed while loading?)");
        }
    }

    /**
     * Reads one tensor's little-endian bytes from the file into an aligned host buffer and copies
     * that into {@code dst}. Plain positional reads rather than a memory mapping: a file truncated
     * while mapped faults on access (an {@code InternalError}, or a crash inside native code),
     * whereas a read simply ends early and is reported as a format error naming the file.
     */
    private static void copyIn(FileChannel ch, SafeTensorsHeader header, TensorInfo t, Tensor dst) throws IOException {
        long bytes = t.byteSize();
        if (bytes == 0) return;
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment buf = temp.allocate(bytes, 64);
            long base = header.dataStart() + t.begin();
            for (long off = 0; off < bytes; off += 1L << 30) {
                ByteBuffer chunk = buf.asSlice(off, Math.min(1L << 30, bytes - off)).asByteBuffer();
                while (chunk.hasRemaining()) {
                    long at = base + off + chunk.position();
                    if (ch.read(chunk, at) < 0) {
                        throw new SafeTensorsFormatException(header.file() + ": file ended at byte " + at + " while reading tensor '"
                                + Excerpt.of(t.name()) + "', whose data ends at byte " + (base + bytes) + " (truncated while loading?)");
                    }
                }
            }
            MemorySegment values = buf;
            if (TensorInfo.elementSize(t.dtype()) == 2) { // BF16 or F16, widened to the FLOAT32 tensor
                values = temp.allocate(bytes * 2, 64);
                widen(buf, values, t.dtype());
            } else if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                swap32(buf);
            }
            try (Pin p = pin("safetensors load", dst)) { // the caller's tensor: a concurrent close frees it only after the copy
                p.storage().backend().copyFromHost(values, p.storage());
            }
        }
    }
}
