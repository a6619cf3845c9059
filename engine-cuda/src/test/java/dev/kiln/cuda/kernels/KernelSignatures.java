package dev.kiln.cuda.kernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parameter lists of the {@code extern "C"} kernels, read from the CUDA sources of the
 * kernels module and mapped to the Java types {@link dev.kiln.cuda.driver.KernelLauncher} expects:
 * pointers and 64-bit integers = Long, int32_t = Integer, float = Float, a by-value struct = a
 * MemorySegment of the struct's size.
 */
final class KernelSignatures {
    /** One parameter: the Java class and, for structs, the byte size (else 0). */
    record Param(String declaration, Class<?> type, long structBytes) {}

    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (kiln_\\w+)\\(([^)]*)\\)");

    private KernelSignatures() {}

    /** The sources directory seen from the engine-cuda module (Maven runs tests there), or null if absent. */
    static Path sourceDir() {
        Path dir = Path.of(System.getProperty("user.dir")).resolve("../kernels/src/main/cuda").normalize();
        return Files.isDirectory(dir) ? dir : null;
    }

    static Map<String, List<Param>> read(Path dir) {
        Map<String, List<Param>> out = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                Matcher m = KERNEL.matcher(Files.readString(f));
                while (m.find()) {
                    List<Param> params = new ArrayList<>();
                    for (String p : m.group(2).split(",")) params.add(param(p.replaceAll("\\s+", " ").trim()));
                    out.put(m.group(1), params);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Param param(String decl) {
        if (decl.contains("*")) return new Param(decl, Long.class, 0);
        String type = decl.substring(0, decl.lastIndexOf(' '));
        return switch (type) {
            case "int64_t", "uint64_t" -> new Param(decl, Long.class, 0);
            case "int32_t" -> new Param(decl, Integer.class, 0);
            case "float" -> new Param(decl, Float.class, 0);
            case "KilnBroadcast" -> new Param(decl, MemorySegment.class, KernelArgs.BROADCAST_BYTES);
            case "KilnStridedCopy" -> new Param(decl, MemorySegment.class, KernelArgs.STRIDED_COPY_BYTES);
            case "KilnReduce" -> new Param(decl, MemorySegment.class, KernelArgs.REDUCE_BYTES);
            case "KilnWhere" -> new Param(decl, MemorySegment.class, KernelArgs.WHERE_BYTES);
            default -> throw new IllegalStateException("unmapped kernel parameter type: " + decl);
        };
    }
}
