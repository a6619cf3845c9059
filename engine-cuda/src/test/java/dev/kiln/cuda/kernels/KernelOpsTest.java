package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.PadSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.SgdSpec;
import dev.kiln.spi.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every {@link KernelOps} method against a recording launcher: names, launch shapes, argument types and packing. */
class KernelOpsTest {
    private final RecordingLauncher rec = new RecordingLauncher();
    private final KernelOps ops = new KernelOps(rec);

    /** Calls every method so that every kernel is launched at least once. */
    private void callEverything() {
        EveryKernel.launch(ops);
    }

    @Test
    void everyKernelIsLaunchedWithASaneConfiguration() {
        callEverything();
        Set<String> launched = new TreeSet<>();
        for (RecordingLauncher.Launch l : rec.launches) {
            assertTrue(KernelNames.ALL.contains(l.kernel()), l.kernel() + " is not in KernelNames.ALL");
            assertTrue(l.gridX() >= 1 && l.gridX() <= KernelOps.MAX_GRID, l.kernel() + " grid " + l.gridX());
            assertEquals(1, l.gridY(), l.kernel());
            assertEquals(1, l.gridZ(), l.kernel());
            assertTrue(l.blockX() >= 32 && l.blockX() <= 1024 && l.blockX() % 32 == 0, l.kernel() + " block " + l.blockX());
            assertEquals(1, l.blockY() * l.blockZ(), l.kernel());
            launched.add(l.kernel());
        }
        assertEquals(new TreeSet<>(KernelNames.ALL), launched, "kernels launched by callEverything()");
    }

    @Test
    void argumentsMatchTheCudaSignatures() {
        Path dir = KernelSignatures.sourceDir();
        assumeTrue(dir != null, "kernels/src/main/cuda not found next to engine-cuda; signature check needs the source tree");
        Map<String, List<KernelSignatures.Param>> sigs = KernelSignatures.read(dir);
        assertEquals(new TreeSet<>(KernelNames.ALL), new TreeSet<>(sigs.keySet()), "kernels in the CUDA sources vs KernelNames.ALL");
        callEverything();
        for (RecordingLauncher.Launch l : rec.launches) {
            List<KernelSignatures.Param> params = sigs.get(l.kernel());
            assertEquals(params.size(), l.args().size(), l.kernel() + " argument count; signature " + params);
            for (int i = 0; i < params.size(); i++) {
                KernelSignatures.Param p = params.get(i);
                Object a = l.args().get(i);
                assertTrue(p.type().isInstance(a), l.kernel() + " argument " + i + " (" + p.declaration() + ") got "
                        + (a == null ? "null" : a.getClass().getSimpleName()));
                if (a instanceof MemorySegment s) assertEquals(p.structBytes(), s.byteSize(), l.kernel() + " struct " + p.declaration());
            }
        }
    }

    @Test
    void emptyWorkLaunchesNothing() {
        ops.fill(1, 0, false, 0f);
        ops.unary(UnaryOp.RELU, 0f, 1, 2, 0);
        ops.binary(BinaryOp.ADD, Broadcast.of("add", new int[] {0, 3}, new int[] {0, 3}), 1, 2, 3);
        ops.sum(new ReduceSpec(new int[] {0, 4}, new int[] {1}), 1, 2);
        ops.stridedCopy(new dev.kiln.spi.PermuteSpec(new int[] {3, 0, 2}, new int[] {2, 0, 1}).copySpec(), 1, 2);
        ops.dropoutMask(1, 0, 0.5f, 1, 0);
        ops.adamStep(new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 1), new long[] {1}, new long[] {2}, new long[] {3},
                new long[] {4}, new long[] {0});
        assertEquals(List.of(), rec.launches);
        assertEquals(List.of(), rec.uploads);
    }

    @Test
    void gridsCoverTheWorkAndAreCapped() {
        assertEquals(1, KernelOps.gridFor(1));
        assertEquals(1, KernelOps.gridFor(256));
        assertEquals(2, KernelOps.gridFor(257));
        assertEquals(KernelOps.MAX_GRID, KernelOps.gridFor(10_000_000_000L));
        ops.argmax(1000, 5, 1, 2);  // a warp per row: 32000 threads
        assertEquals(125, rec.last().gridX());
        ops.dropoutMask(7, 3, 0.5f, 1, 6);  // elements 3..8 use counters 0, 1, 2
        assertEquals(1, rec.last().gridX());
        assertEquals(List.of(1L, 6L, 7L, 3L, 0.5f), rec.last().args());
    }

    @Test
    void adamUploadsOneTensorAndChunkTable() {
        AdamSpec spec = new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false, 2);
        long[] sizes = {5, 2L * KernelOps.OPTIM_CHUNK + 1};
        ops.adamStep(spec, new long[] {11, 12}, new long[] {21, 22}, new long[] {31, 32}, new long[] {41, 42}, sizes);
        assertEquals(1, rec.uploads.size());
        long[] table = longs(rec.uploads.getFirst());
        long[] expected = {
            11, 21, 31, 41, 5,
            12, 22, 32, 42, sizes[1],
            0, 0,
            1, 0, 1, KernelOps.OPTIM_CHUNK, 1, 2L * KernelOps.OPTIM_CHUNK};
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(table));
        RecordingLauncher.Launch l = rec.last();
        long base = RecordingLauncher.uploadAddress(0);
        assertEquals(List.of(base, base + 80L, 4L, KernelOps.OPTIM_CHUNK, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0,
                (float) (1 - Math.pow(0.9f, 2)), (float) (1 - Math.pow(0.999f, 2))), l.args());
        assertEquals(4, l.gridX());
    }

    @Test
    void sgdWithoutMomentumPassesNullBuffers() {
        ops.sgdStep(new SgdSpec(0.1f, 0f, 0f, 1e-4f, false, true), new long[] {11, 12}, new long[] {21, 22}, new long[0],
                new long[] {3, 4});
        assertEquals("[11, 21, 0, 3, 12, 22, 0, 4, 0, 0, 1, 0]", java.util.Arrays.toString(longs(rec.uploads.getFirst())));
        long base = RecordingLauncher.uploadAddress(0);
        assertEquals(List.of(base, base + 64L, 2L, KernelOps.OPTIM_CHUNK, 0.1f, 0f, 0f, 1e-4f, 0, 1), rec.last().args());
    }

    @Test
    void invalidArgumentsAreRejectedWithTheirReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> ops.sgdStep(new SgdSpec(0.1f, 0.9f, 0f, 0f, false, true),
                new long[] {1}, new long[] {2}, new long[0], new long[] {3}));
        assertTrue(e.getMessage().contains("momentum buffer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ops.adamStep(new AdamSpec(1, 0.9f, 0.9f, 1e-8f, 0, false, 1),
                new long[] {1, 2}, new long[] {1}, new long[] {1}, new long[] {1}, new long[] {1}));
        assertTrue(e.getMessage().startsWith("adam:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ops.avgPool2d(new Pool2dSpec(1, 1, 8, 8, 2, 2, 2, 2, 0, 0, 2, 2, false, true), 1, 2));
        assertTrue(e.getMessage().contains("dilation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ops.dropoutMask(1, -4, 0.5f, 1, 10));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
        assertEquals(List.of(), rec.launches);
    }

    @Test
    void crossEntropyAndPoolPassSpecFields() {
        ops.crossEntropy(new CrossEntropySpec(3, 7, 0.2f), 10, 20, 30, 40, 50, 60);
        assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L, 3, 7, 1, 0.2f, -100L, 0), rec.last().args());
        ops.crossEntropyBackward(new CrossEntropySpec(2, 5, 3, 0f, 7, dev.kiln.tensor.DType.INT64), 1, 2, 3, 4);
        assertEquals(List.of(1L, 2L, 3L, 4L, 6, 5, 3, 0f, 7L, 1), rec.last().args());
        ops.maxPool2d(new Pool2dSpec(2, 3, 10, 11, 3, 2, 2, 1, 1, 1, 2, 1, false, false), 1, 2);
        assertEquals(List.of(1L, 2L, 6L, 10, 11, 4, 12, 3, 2, 2, 1, 1, 1, 2, 1), rec.last().args());
        ops.pad2d(new PadSpec(1, 2, 4, 5, 1, 2, 3, 4, PadSpec.Mode.ZEROS), 1, 2);
        assertEquals(List.of(1L, 2L, 2L, 4, 5, 1, 3, 7, 12, 0), rec.last().args());
    }

    private static long[] longs(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[bytes.length / 8];
        for (int i = 0; i < out.length; i++) out[i] = b.getLong(8 * i);
        return out;
    }
}
