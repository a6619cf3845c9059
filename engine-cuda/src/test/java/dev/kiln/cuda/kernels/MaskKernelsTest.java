package dev.kiln.cuda.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.spi.TriangleSpec;
import dev.kiln.spi.WhereSpec;
import dev.kiln.tensor.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The host side of masks.cu and the 1- and 8-byte strided copies: the packed {@code KilnWhere} map
 * replayed with the kernel's index arithmetic against naive broadcasting, the C enums against the
 * Java enums whose ordinals KernelOps passes, the kernel chosen per element width, and the
 * triangle kernel's index arithmetic against {@link TriangleSpec#keeps}.
 */
class MaskKernelsTest {

    @Test
    void whereMapMatchesNaiveIndexing() {
        int[][][] cases = {
            {{3, 4}, {3, 4}, {3, 4}}, {{3, 1}, {1, 4}, {4}}, {{2, 1, 4}, {3, 1}, {}}, {{}, {2, 3}, {2, 3}}, {{5}, {2, 1}, {3, 2, 5}},
            {{2, 1, 3, 1, 2, 1, 3, 1, 2}, {1}, {2, 1, 3, 1, 2}},
        };
        for (int[][] c : cases) {
            WhereSpec spec = WhereSpec.of("where", c[0], c[1], c[2]);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = KernelArgs.where(arena, spec);
                assertEquals(KernelArgs.WHERE_BYTES, s.byteSize());
                int rank = s.get(JAVA_INT, 0);
                long[] shape = longs(s, 8, rank), cs = longs(s, 72, rank), as = longs(s, 136, rank), bs = longs(s, 200, rank);
                int[] out = spec.outShape();
                for (long i = 0; i < spec.numel(); i++) {
                    int[] j = unravel(i, out);
                    String where = "element " + i + " of where" + Arrays.deepToString(c);
                    assertEquals(naive(j, c[0]), offset(i, shape, cs), "cond " + where);
                    assertEquals(naive(j, c[1]), offset(i, shape, as), "a " + where);
                    assertEquals(naive(j, c[2]), offset(i, shape, bs), "b " + where);
                }
            }
        }
    }

    @Test
    void opAndDTypeCodesMatchTheJavaOrdinals() throws IOException {
        Path dir = KernelSignatures.sourceDir();
        assumeTrue(dir != null, "kernels/src/main/cuda not found next to engine-cuda");
        String src = Files.readString(dir.resolve("masks.cu"));
        assertEquals(Arrays.stream(CompareOp.values()).map(Enum::name).toList(), cEnum(src, "KilnCompare", "C_"));
        assertEquals(Arrays.stream(DType.values()).map(Enum::name).toList(), cEnum(src, "KilnDType", "D_"));
    }

    @Test
    void kernelsAreChosenByElementWidth() {
        RecordingLauncher rec = new RecordingLauncher();
        KernelOps ops = new KernelOps(rec);
        StridedCopySpec copy = StridedCopySpec.gather(new int[] {2, 3}, 0, new long[] {3, 1});
        WhereSpec where = WhereSpec.of("where", new int[] {2}, new int[] {2}, new int[] {2});
        TriangleSpec tri = new TriangleSpec(1, 2, 2, 0, false);
        for (int w : new int[] {1, 4, 8}) {
            ops.stridedCopy(copy, w, 1, 2);
            ops.where(where, w, 1, 2, 3, 4);
            ops.triangle(tri, w, 1, 2);
        }
        for (DType t : DType.values()) ops.compare(CompareOp.GE, t, dev.kiln.spi.Broadcast.of("ge", new int[] {2}, new int[] {1}), 1, 2, 3);
        assertEquals(List.of(
                KernelNames.STRIDED_COPY_B8, KernelNames.WHERE_B8, KernelNames.TRIANGLE_B8,
                KernelNames.STRIDED_COPY_B32, KernelNames.WHERE_B32, KernelNames.TRIANGLE_B32,
                KernelNames.STRIDED_COPY_B64, KernelNames.WHERE_B64, KernelNames.TRIANGLE_B64,
                KernelNames.COMPARE_F32, KernelNames.COMPARE_I32, KernelNames.COMPARE_I64, KernelNames.COMPARE_B8),
                rec.launches.stream().map(RecordingLauncher.Launch::kernel).toList());
        assertThrows(IllegalArgumentException.class, () -> ops.where(where, 2, 1, 2, 3, 4));
        ops.cast(DType.BOOL, DType.INT64, 1, 2, 0);
        assertEquals(13, rec.launches.size(), "no launch for an empty cast");
    }

    /** masks.cu kiln_triangle: t = i / cols, j = i - t * cols, r = t % rows; keep by j - r against the diagonal. */
    @Test
    void triangleIndexArithmeticMatchesTheSpec() {
        for (long diagonal : new long[] {-4, -1, 0, 2, 7}) {
            for (boolean upper : new boolean[] {false, true}) {
                TriangleSpec spec = new TriangleSpec(2, 3, 5, diagonal, upper);
                for (long i = 0; i < spec.numel(); i++) {
                    long t = i / 5, j = i - t * 5, r = t % 3, d = j - r;
                    boolean kernel = upper ? d >= diagonal : d <= diagonal;
                    long row = (i / 5) % 3, col = i % 5;
                    assertEquals(spec.keeps(row, col), kernel, "element " + i + " diagonal " + diagonal + " upper " + upper);
                }
            }
        }
    }

    private static List<String> cEnum(String source, String name, String prefix) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)}").matcher(source);
        if (!m.find()) throw new AssertionError("enum " + name + " not found in masks.cu");
        return Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : "(no " + prefix + " prefix) " + s).toList();
    }

    private static int[] unravel(long i, int[] shape) {
        int[] j = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            j[d] = (int) (i % shape[d]);
            i /= shape[d];
        }
        return j;
    }

    /** Row-major offset into an operand of {@code shape}, right-aligned, reading index 0 along its size-1 dimensions. */
    private static long naive(int[] j, int[] shape) {
        long off = 0;
        int lead = j.length - shape.length;
        for (int d = 0; d < shape.length; d++) off = off * shape[d] + (shape[d] == 1 ? 0 : j[d + lead]);
        return off;
    }

    /** The kernels' offset: peel indices from the innermost coalesced dimension; the outermost takes the rest. */
    private static long offset(long lin, long[] shape, long[] stride) {
        long off = 0;
        for (int d = shape.length - 1; d > 0; d--) {
            long q = lin / shape[d];
            off += (lin - q * shape[d]) * stride[d];
            lin = q;
        }
        return shape.length > 0 ? off + lin * stride[0] : off;
    }

    private static long[] longs(MemorySegment s, long offset, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) out[i] = s.get(JAVA_LONG, offset + 8L * i);
        return out;
    }
}
