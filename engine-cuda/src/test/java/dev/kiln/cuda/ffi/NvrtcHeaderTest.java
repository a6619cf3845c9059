package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every NVRTC binding's descriptor against its declaration in {@code nvrtc.h} (C types mapped the
 * way the x86-64/aarch64 Linux ABI passes them: pointers and {@code nvrtcProgram} = address,
 * {@code int} and {@code nvrtcResult} = 32-bit int, {@code size_t} = 64-bit). Skipped without the
 * header: looked for under {@code $CUDA_HOME}, {@code $CUDA_PATH}, {@code /usr/local/cuda*} and
 * beside each {@code $KILN_CUDA_LIBRARY_PATH} and {@code $LD_LIBRARY_PATH} folder ({@code ../include},
 * the pip wheels' layout).
 */
class NvrtcHeaderTest {

    @Test
    void everyDescriptorMatchesNvrtcH() throws IOException {
        Path header = header();
        assumeTrue(header != null, "nvrtc.h not found (CUDA_HOME, CUDA_PATH, /usr/local/cuda*/include, ../include of "
                + "KILN_CUDA_LIBRARY_PATH and LD_LIBRARY_PATH folders)");
        String text = Files.readString(header).replaceAll("/\\*.*?\\*/", " ");
        for (Map.Entry<String, FunctionDescriptor> e : Nvrtc.SIGNATURES.entrySet()) {
            Matcher m = Pattern.compile("([\\w\\s*]+?)\\b" + e.getKey() + "\\s*\\(([^)]*)\\)\\s*;", Pattern.DOTALL).matcher(text);
            assertNotNull(m.find() ? m : null, e.getKey() + " is not declared in " + header);
            List<MemoryLayout> args = new ArrayList<>();
            for (String param : m.group(2).split(",")) {
                if (!param.isBlank()) args.add(layout(param.strip().replaceFirst("\\w+$", "")));
            }
            FunctionDescriptor declared = FunctionDescriptor.of(layout(m.group(1).strip() + " "), args.toArray(MemoryLayout[]::new));
            assertEquals(declared, e.getValue(), e.getKey() + ": binding vs " + header + " (" + m.group().strip() + ")");
        }
    }

    @Test
    void cTypesMapAsTheAbiPassesThem() {
        assertEquals(ADDRESS, layout("const char * const *"));
        assertEquals(ADDRESS, layout("nvrtcProgram "));
        assertEquals(JAVA_INT, layout("nvrtcResult "));
        assertEquals(JAVA_INT, layout("int "));
        assertEquals(JAVA_LONG, layout("size_t "));
    }

    /** The layout of a C type (a declaration with its parameter name removed). */
    private static MemoryLayout layout(String type) {
        if (type.contains("*")) return ADDRESS;
        String t = type.replace("const", "").strip();
        return switch (t) {
            case "nvrtcProgram" -> ADDRESS;
            case "int", "nvrtcResult" -> JAVA_INT;
            case "size_t" -> JAVA_LONG;
            default -> throw new AssertionError("unmapped C type '" + t + "'");
        };
    }

    private static Path header() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String v : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = System.getenv(v);
            if (home != null && !home.isBlank()) dirs.add(Path.of(home, "include"));
        }
        for (String var : List.of("KILN_CUDA_LIBRARY_PATH", "LD_LIBRARY_PATH")) {
            String path = System.getenv(var);
            if (path == null) continue;
            for (String d : path.split(":")) if (!d.isBlank()) dirs.add(Path.of(d).resolveSibling("include"));
        }
        Path local = Path.of("/usr/local");
        if (Files.isDirectory(local)) {
            try (Stream<Path> s = Files.list(local)) {
                s.filter(p -> p.getFileName().toString().startsWith("cuda")).sorted().toList().reversed()
                        .forEach(p -> dirs.add(p.resolve("include")));
            }
        }
        return dirs.stream().map(d -> d.resolve("nvrtc.h")).filter(Files::isRegularFile).findFirst().orElse(null);
    }
}
