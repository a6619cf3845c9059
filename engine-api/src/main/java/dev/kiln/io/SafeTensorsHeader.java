package dev.kiln.io;

import dev.kiln.internal.Excerpt;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The validated header of a safetensors file: its tensors (by name, sorted) and metadata, and
 * where the data section starts. Validation follows the format spec: the header length fits in
 * the file and is at most {@link #MAX_HEADER_BYTES}; the header is a UTF-8 JSON object starting
 * with '{'; every entry has a known dtype, a shape of non-negative ints and offsets
 * {@code [begin, end]} with {@code end - begin == numel * elementSize}; the entries cover the
 * data section exactly, without overlaps or holes. Nothing is allocated beyond the header bytes,
 * whose size is checked against the file first.
 *
 * @param file      the file name, for messages
 * @param tensors   entries by name, sorted by name
 * @param metadata  the {@code __metadata__} strings (empty if absent)
 * @param dataStart absolute file position of the data section ({@code 8 + header length})
 * @param dataSize  size of the data section in bytes
 */
public record SafeTensorsHeader(String file, Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart, long dataSize) {
    /** Largest header accepted (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Keeps unmodifiable copies. */
    public SafeTensorsHeader {
        tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Reads and validates the header of {@code path}.
     *
     * @param path the file
     * @return the validated header
     * @throws SafeTensorsFormatException naming the file (and tensor) when anything is wrong, or
     *                                    when {@code path} is not a regular file
     * @throws IOException                when the file cannot be read
     */
    public static SafeTensorsHeader read(Path path) throws IOException {
        try (FileChannel ch = openRegular(path)) {
            return read(ch, String.valueOf(path.getFileName()));
        }
    }

    /**
     * Opens {@code path} for reading after checking that it is a regular file (following symbolic
     * links unless {@code links} says not to), so that a FIFO does not block the open forever and a
     * device is not read as data.
     *
     * @param links {@link LinkOption#NOFOLLOW_LINKS} to refuse a symbolic link, at the check and at the open
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws SafeTensorsFormatException        if it is a directory, FIFO, device or socket (or a
     *                                           symbolic link, when not followed)
     */
    static FileChannel openRegular(Path path, LinkOption... links) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, links);
        if (!a.isRegularFile()) {
            String kind = a.isDirectory() ? "a directory" : a.isSymbolicLink() ? "a symbolic link" : "a FIFO, device or socket";
            throw new SafeTensorsFormatException(path.getFileName() + ": not a regular file (" + kind + "), so not a safetensors file");
        }
        Set<OpenOption> options = new HashSet<>(List.of(links));
        options.add(StandardOpenOption.READ);
        return FileChannel.open(path, options);
    }

    /**
     * Reads and validates the header from an open file, so that the caller can read the data
     * through the same channel (the same file, even if the name is replaced meanwhile).
     *
     * @param name the file name, for messages
     */
    static SafeTensorsHeader read(FileChannel ch, String name) throws IOException {
        long size = ch.size();
        if (size < 8) throw new SafeTensorsFormatException(name + ": file is " + size + " bytes, too short for the 8-byte header length");
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0, name);
        long n = len.flip().getLong();
        if (n < 0 || n > size - 8) {
            throw new SafeTensorsFormatException(name + ": header length " + Long.toUnsignedString(n) + " exceeds the file size ("
                    + size + " bytes, so at most " + (size - 8) + "); the file is truncated or not a safetensors file");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new SafeTensorsFormatException(name + ": header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(ch, header, 8, name);
        return parse(name, header.array(), size - 8 - n);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String name) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) throw new SafeTensorsFormatException(name + ": file ended while reading the header (changed while reading?)");
            p += r;
        }
    }

    /**
     * Validates header bytes against a data section of {@code dataSize} bytes.
     *
     * @throws SafeTensorsFormatException naming {@code name} (and the tensor) when anything is wrong
     */
    static SafeTensorsHeader parse(String name, byte[] headerBytes, long dataSize) throws SafeTensorsFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsFormatException(name + ": header is not valid UTF-8");
        }
        if (!text.startsWith("{")) throw new SafeTensorsFormatException(name + ": header does not start with '{' (not a safetensors file?)");
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new SafeTensorsFormatException(name + ": header is not valid JSON: " + e.getMessage());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> obj = (Map<String, Object>) root;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new TreeMap<>();
        for (Map.Entry<String, Object> e : obj.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new SafeTensorsFormatException(name + ": __metadata__ is not a JSON object");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) {
                        throw new SafeTensorsFormatException(name + ": __metadata__ value of \"" + Excerpt.of(me.getKey()) + "\" is not a string");
                    }
                    metadata.put((String) me.getKey(), v);
                }
            } else {
                tensors.put(e.getKey(), entry(name, e.getKey(), e.getValue(), dataSize));
            }
        }
        checkCoverage(name, tensors, dataSize);
        return new SafeTensorsHeader(name, tensors, metadata, 8L + headerBytes.length, dataSize);
    }

    private static TensorInfo entry(String file, String key, Object value, long dataSize) throws SafeTensorsFormatException {
        String where = file + ": tensor '" + Excerpt.of(key) + "'";
        if (!(value instanceof Map<?, ?> m)) throw new SafeTensorsFormatException(where + " is not a JSON object");
        if (!(m.get("dtype") instanceof String dtype)) throw new SafeTensorsFormatException(where + " has no string \"dtype\"");
        int elem = TensorInfo.elementSize(dtype);
        if (elem < 0) throw new SafeTensorsFormatException(where + " has unknown dtype \"" + Excerpt.of(dtype) + "\"");
        if (!(m.get("shape") instanceof List<?> shapeList)) throw new SafeTensorsFormatException(where + " has no \"shape\" array");
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = integer(where, "shape[" + i + "]", shapeList.get(i));
            if (d > Integer.MAX_VALUE) throw new SafeTensorsFormatException(where + ": dimension " + d + " is larger than " + Integer.MAX_VALUE);
            shape[i] = (int) d;
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException ex) {
                throw new SafeTensorsFormatException(where + ": shape " + Excerpt.of(shapeList) + " has more elements than a long can count");
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2) {
            throw new SafeTensorsFormatException(where + " has no \"data_offsets\" array of two integers");
        }
        long begin = integer(where, "data_offsets[0]", off.get(0));
        long end = integer(where, "data_offsets[1]", off.get(1));
        if (begin > end) throw new SafeTensorsFormatException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        if (end > dataSize) {
            throw new SafeTensorsFormatException(where + ": data_offsets [" + begin + ", " + end + "] go past the end of the data section ("
                    + dataSize + " bytes); the file is truncated or damaged");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, elem);
        } catch (ArithmeticException ex) {
            throw new SafeTensorsFormatException(where + ": shape " + Excerpt.of(shapeList) + " of " + dtype + " needs more bytes than a long can count");
        }
        if (end - begin != expected) {
            throw new SafeTensorsFormatException(where + ": shape " + Excerpt.of(shapeList) + " of " + dtype + " needs " + expected
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(key, dtype, shape, begin, end);
    }

    private static long integer(String where, String field, Object v) throws SafeTensorsFormatException {
        if (v instanceof Long l && l >= 0) return l;
        if (v instanceof Long || (v instanceof BigInteger b && b.signum() < 0)) {
            throw new SafeTensorsFormatException(where + ": " + field + " is negative (" + Excerpt.of(v) + ")");
        }
        if (v instanceof BigInteger) throw new SafeTensorsFormatException(where + ": " + field + " is too large (" + Excerpt.of(v) + ")");
        throw new SafeTensorsFormatException(where + ": " + field + " is not a non-negative integer (" + Excerpt.of(v) + ")");
    }

    /** The entries, sorted by offset, must tile [0, dataSize) exactly. */
    private static void checkCoverage(String file, Map<String, TensorInfo> tensors, long dataSize) throws SafeTensorsFormatException {
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo prev = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < covered) {
                throw new SafeTensorsFormatException(file + ": tensor '" + Excerpt.of(t.name()) + "' at [" + t.begin() + ", " + t.end()
                        + ") overlaps tensor '" + Excerpt.of(prev.name()) + "' at [" + prev.begin() + ", " + prev.end() + ")");
            }
            if (t.begin() > covered) {
                throw new SafeTensorsFormatException(file + ": bytes [" + covered + ", " + t.begin() + ") before tensor '" + Excerpt.of(t.name())
                        + "' belong to no tensor (a hole in the data section)");
            }
            covered = t.end();
            prev = t;
        }
        if (covered != dataSize) {
            throw new SafeTensorsFormatException(file + ": the data section has " + dataSize + " bytes but the tensors cover only "
                    + covered + " (trailing bytes: damaged file?)");
        }
    }
}
