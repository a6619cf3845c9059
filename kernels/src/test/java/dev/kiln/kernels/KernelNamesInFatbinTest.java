package dev.kiln.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The built fatbin holds every kernel of {@link KernelNames}, SASS for sm_90 and PTX for newer GPUs. */
class KernelNamesInFatbinTest {
    private static final int FATBIN_MAGIC = 0xBA55ED50;
    private static final int KIND_PTX = 1, KIND_ELF = 2;

    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (kiln_\\w+)\\(");

    private static byte[] fatbin;

    private static void requireFatbin() {
        if (fatbin == null) fatbin = Fatbin.load().orElse(null);
        assumeTrue(fatbin != null, "kiln.fatbin is not on the classpath: the kernels module was built without nvcc "
                + "(see the 'kernels: nvcc not found' line of the build); install the CUDA toolkit to test it");
    }

    @Test
    void namesAreDistinct() {
        assertEquals(KernelNames.ALL.size(), new HashSet<>(KernelNames.ALL).size());
    }

    @Test
    void namesMatchTheCudaSources() throws IOException {
        Path dir = Path.of("src/main/cuda");
        assumeTrue(Files.isDirectory(dir), "CUDA sources not found at " + dir.toAbsolutePath());
        Set<String> declared = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                Matcher m = KERNEL.matcher(Files.readString(f));
                while (m.find()) declared.add(m.group(1));
            }
        }
        assertEquals(declared, new TreeSet<>(KernelNames.ALL), "extern \"C\" kernels in src/main/cuda vs KernelNames.ALL");
    }

    @Test
    void everyKernelNameIsAnElfSymbol() {
        requireFatbin();
        List<String> missing = new ArrayList<>();
        for (String name : KernelNames.ALL) {
            // ELF string tables separate names by NUL, so this cannot match a longer name's prefix.
            if (indexOf(fatbin, ("\0" + name + "\0").getBytes(StandardCharsets.US_ASCII)) < 0) missing.add(name);
        }
        assertTrue(missing.isEmpty(), "kernels missing from kiln.fatbin: " + missing);
    }

    @Test
    void holdsSm90SassAndPtx() {
        requireFatbin();
        Set<String> entries = entries(fatbin);
        assertTrue(entries.contains("elf sm_90"), "no sm_90 SASS in kiln.fatbin; entries: " + entries);
        assertTrue(entries.stream().anyMatch(e -> e.startsWith("ptx ")), "no PTX in kiln.fatbin; entries: " + entries);
        assertTrue(indexOf(fatbin, ".entry kiln_".getBytes(StandardCharsets.US_ASCII)) >= 0, "PTX text is not readable (compressed?)");
    }

    /** Entries of the fatbin container as "elf sm_NN" / "ptx sm_NN" (header: magic, version, header size, size). */
    private static Set<String> entries(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(FATBIN_MAGIC, b.getInt(0), "not a fatbin (bad magic)");
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long end = headerSize + b.getLong(8);
        Set<String> out = new HashSet<>();
        for (long off = headerSize; off < end; ) {
            int o = (int) off;
            int kind = Short.toUnsignedInt(b.getShort(o));
            int entryHeader = b.getInt(o + 4);
            long size = b.getLong(o + 8);
            int arch = b.getInt(o + 28);
            out.add((kind == KIND_ELF ? "elf" : kind == KIND_PTX ? "ptx" : "kind" + kind) + " sm_" + arch);
            off += entryHeader + size;
        }
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
