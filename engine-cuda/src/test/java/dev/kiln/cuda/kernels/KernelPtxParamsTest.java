package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.kernels.Fatbin;
import dev.kiln.kernels.KernelNames;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every launch's arguments against the parameter list the compiler emitted, read from the PTX
 * inside the built {@code kiln.fatbin} (independent of the CUDA sources the other signature test
 * parses): count, and per parameter the byte size and kind ({@code .f32} = Float, 32-bit integer =
 * Integer, 64-bit = Long, {@code .b8 [N]} = a struct of N bytes). A mismatch here is a kernel
 * that would read garbage on the GPU. Skipped when the kernels module was built without nvcc.
 */
class KernelPtxParamsTest {
    /** One PTX kernel parameter: its state-space type ("u32", "f32", "u64", "b8", ...) and size in bytes. */
    record PtxParam(String type, long bytes) {}

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(kiln_\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\b.*?_param_\\d+(?:\\[(\\d+)])?");

    /** The {@code .entry} parameter lists of the PTX text embedded in {@code fatbin}. */
    static Map<String, List<PtxParam>> entries(byte[] fatbin) {
        String text = new String(fatbin, StandardCharsets.ISO_8859_1);
        Map<String, List<PtxParam>> out = new HashMap<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) {
            List<PtxParam> params = new ArrayList<>();
            for (String decl : m.group(2).split(",")) {
                if (decl.isBlank()) continue;
                Matcher p = PARAM.matcher(decl.trim());
                if (!p.find()) throw new IllegalStateException("unparsed PTX parameter of " + m.group(1) + ": " + decl.trim());
                params.add(new PtxParam(p.group(1), size(p.group(1), p.group(2))));
            }
            out.putIfAbsent(m.group(1), params);
        }
        return out;
    }

    private static long size(String type, String count) {
        long scalar = switch (type) {
            case "b8", "u8", "s8" -> 1;
            case "b16", "u16", "s16", "f16" -> 2;
            case "b32", "u32", "s32", "f32" -> 4;
            case "b64", "u64", "s64", "f64" -> 8;
            default -> throw new IllegalStateException("unknown PTX type ." + type);
        };
        return count == null ? scalar : scalar * Long.parseLong(count);
    }

    @Test
    void parserReadsScalarsPointersAndStructs() {
        String ptx = ".visible .entry kiln_x(\n.param .u32 kiln_x_param_0,\n.param .u64 .ptr .align 1 kiln_x_param_1,\n"
                + ".param .f32 kiln_x_param_2,\n.param .align 8 .b8 kiln_x_param_3[200]\n)\n{";
        assertEquals(List.of(new PtxParam("u32", 4), new PtxParam("u64", 8), new PtxParam("f32", 4), new PtxParam("b8", 200)),
                entries(ptx.getBytes(StandardCharsets.ISO_8859_1)).get("kiln_x"));
    }

    @Test
    void everyLaunchMatchesTheCompiledParameterList() {
        byte[] fatbin = Fatbin.load().orElse(null);
        assumeTrue(fatbin != null, "kiln.fatbin not built (no nvcc): nothing compiled to compare with");
        Map<String, List<PtxParam>> ptx = entries(fatbin);
        assertEquals(new TreeSet<>(KernelNames.ALL), new TreeSet<>(ptx.keySet()), "PTX entries in kiln.fatbin vs KernelNames.ALL");
        RecordingLauncher rec = new RecordingLauncher();
        EveryKernel.launch(new KernelOps(rec));
        for (RecordingLauncher.Launch l : rec.launches) {
            List<PtxParam> params = ptx.get(l.kernel());
            assertNotNull(params, l.kernel());
            assertEquals(params.size(), l.args().size(), l.kernel() + ": argument count vs compiled parameters " + params);
            for (int i = 0; i < params.size(); i++) {
                PtxParam p = params.get(i);
                Object a = l.args().get(i);
                String where = l.kernel() + " parameter " + i + " (." + p.type() + ", " + p.bytes() + " bytes) got " + a.getClass().getSimpleName();
                switch (a) {
                    case Long ignored -> assertTrue(p.bytes() == 8 && !p.type().startsWith("f"), where);
                    case Integer ignored -> assertTrue(p.bytes() == 4 && !p.type().startsWith("f"), where);
                    case Float ignored -> assertEquals("f32", p.type(), where);
                    case MemorySegment s -> assertTrue(p.type().equals("b8") && p.bytes() == s.byteSize(), where + " of " + s.byteSize() + " bytes");
                    default -> throw new AssertionError(where);
                }
            }
        }
    }
}
