package dev.kiln.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CUDA sources shipped in the jar for the NVRTC fallback: present, identical to
 * {@code src/main/cuda}, complete (every file reached from {@code kiln.cu}, every kernel the backend
 * launches defined) and free of standard headers under NVRTC, which has no include path.
 */
class KernelSourcesTest {
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (kiln_\\w+)\\(");

    private static KernelSources shipped() {
        Optional<KernelSources> s = KernelSources.load();
        assertTrue(s.isPresent(), KernelSources.RESOURCE_DIR + KernelSources.MAIN + " is not on the classpath (kernels/pom.xml resources)");
        return s.get();
    }

    private static Map<String, String> texts(KernelSources s) {
        Map<String, String> all = new TreeMap<>(s.headers());
        all.put(s.mainName(), s.main());
        return all;
    }

    @Test
    void shippedSourcesAreExactlyTheFilesOfSrcMainCuda() throws IOException {
        Path dir = Path.of("src/main/cuda");
        assumeTrue(Files.isDirectory(dir), "CUDA sources not found at " + dir.toAbsolutePath());
        Map<String, String> onDisk = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).toList()) {
                onDisk.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        Map<String, String> shipped = texts(shipped());
        assertEquals(onDisk.keySet(), shipped.keySet(), "files reached from kiln.cu in the jar vs src/main/cuda");
        for (String name : onDisk.keySet()) assertEquals(onDisk.get(name), shipped.get(name), name + " differs from src/main/cuda");
    }

    @Test
    void everyKernelTheBackendLaunchesIsDefinedInTheShippedSources() {
        Set<String> defined = new TreeSet<>();
        for (String text : texts(shipped()).values()) {
            Matcher m = KERNEL.matcher(text);
            while (m.find()) defined.add(m.group(1));
        }
        List<String> missing = KernelNames.ALL.stream().filter(n -> !defined.contains(n)).toList();
        assertTrue(missing.isEmpty(), "kernels of KernelNames.ALL not defined in the shipped sources: " + missing
                + " (defined: " + defined + ")");
    }

    @Test
    void noStandardHeaderIsIncludedUnderNvrtc() {
        List<String> active = new ArrayList<>();
        for (Map.Entry<String, String> f : texts(shipped()).entrySet()) {
            for (String line : angleIncludesSeenByNvrtc(f.getValue())) active.add(f.getKey() + ": " + line);
        }
        assertTrue(active.isEmpty(), "#include <...> lines NVRTC would see (it has no include path; guard them with "
                + "#ifndef __CUDACC_RTC__): " + active);
    }

    @Test
    void guardTrackerSeesOnlyUnguardedAngleIncludes() {
        String text = "#include <a>\n#ifdef __CUDACC_RTC__\n#include <b>\n#else\n#include <c>\n#endif\n"
                + "#ifndef __CUDACC_RTC__\n#include <d>\n#endif\n#if FOO\n#include <e>\n#endif\n";
        assertEquals(List.of("#include <a>", "#include <b>", "#include <e>"), angleIncludesSeenByNvrtc(text));
    }

    @Test
    void includesResolveTransitivelyOnceEach() {
        Map<String, String> files = Map.of("kiln.cu", "#include \"a.cu\"\n#include \"b.cu\"\n",
                "a.cu", "#pragma once\n#include \"common.cuh\"\n", "b.cu", "  # include \"common.cuh\"\n#include <cstdint>\n",
                "common.cuh", "#pragma once\n");
        KernelSources s = KernelSources.read(n -> Optional.ofNullable(files.get(n))).orElseThrow();
        assertEquals(List.of("a.cu", "b.cu", "common.cuh"), List.copyOf(s.headers().keySet()));
        assertEquals(files.get("kiln.cu"), s.main());
    }

    @Test
    void aMissingIncludeIsNamedWithItsIncluder() {
        Map<String, String> files = Map.of("kiln.cu", "#include \"a.cu\"\n", "a.cu", "#include \"gone.cuh\"\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelSources.read(n -> Optional.ofNullable(files.get(n))));
        assertTrue(e.getMessage().contains("a.cu includes \"gone.cuh\""), e.getMessage());
        assertTrue(KernelSources.read(n -> Optional.empty()).isEmpty());
    }

    @Test
    void hashChangesWithAnyFileAndNotOtherwise() {
        KernelSources a = new KernelSources("kiln.cu", "x", Map.of("h.cuh", "y"));
        assertEquals(a.sha256(), new KernelSources("kiln.cu", "x", Map.of("h.cuh", "y")).sha256());
        assertNotEquals(a.sha256(), new KernelSources("kiln.cu", "x", Map.of("h.cuh", "z")).sha256());
        assertNotEquals(a.sha256(), new KernelSources("kiln.cu", "xy", Map.of("h.cuh", "")).sha256());
        assertEquals(64, a.sha256().length());
    }

    /**
     * The {@code #include <...>} lines outside every branch that NVRTC skips: {@code #ifdef
     * __CUDACC_RTC__} ... {@code #else} and {@code #ifndef __CUDACC_RTC__}; other conditions count as
     * taken (the check errs on the side of reporting).
     */
    private static List<String> angleIncludesSeenByNvrtc(String text) {
        Deque<Boolean> taken = new ArrayDeque<>(); // per open #if: is this branch compiled by NVRTC (null: unknown)
        Deque<Boolean> known = new ArrayDeque<>();
        List<String> seen = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip().replaceFirst("^#\\s+", "#");
            if (line.startsWith("#ifdef __CUDACC_RTC__")) { taken.push(true); known.push(true); }
            else if (line.startsWith("#ifndef __CUDACC_RTC__")) { taken.push(false); known.push(true); }
            else if (line.startsWith("#if")) { taken.push(true); known.push(false); }
            else if (line.startsWith("#else") && !taken.isEmpty()) { if (known.peek()) taken.push(!taken.pop()); }
            else if (line.startsWith("#endif") && !taken.isEmpty()) { taken.pop(); known.pop(); }
            else if (line.startsWith("#include <") && !taken.contains(false)) seen.add(line);
        }
        return seen;
    }
}
