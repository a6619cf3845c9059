package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * indexSelect, gather, embedding, scatterAdd and oneHot, forward and backward, are device-local
 * backend calls (indexGather, indexScatterAdd, oneHot, fill, copy): no copy to or from host memory.
 */
class IndexOnDeviceTest {
    private static final Set<String> BOOKKEEPING = Set.of("allocate", "name", "device");

    @Test
    void indexingAndItsGradientsNeverTouchHostMemory() {
        List<String> calls = new ArrayList<>();
        Backend b = HostOnlyBackend.create("recording", new Device("recording", 0), new ArrayList<>(), calls::add);
        try (var s = Kiln.scope()) {
            Tensor x = Tensor.fromArray(b, new float[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
            Tensor w = Tensor.fromArray(b, new float[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
            Tensor rows = Tensor.fromLongs(b, new long[] {2, 0, 2}, 3);
            Tensor cols = Tensor.fromInts(b, new int[] {1, 1, 0}, 3, 1);
            Tensor ones = Tensor.full(b, 1f, 3, 2);
            Tensor pairs = Tensor.fromLongs(b, new long[] {2, 0, 0, 0, 2, 1}, 3, 2);
            calls.clear();
            Tensor sel = x.indexSelect(0, rows);
            assertEquals(List.of("indexGather"), seen(calls), "backend calls of indexSelect");
            calls.clear();
            sel.backward(ones);
            assertEquals(List.of("fill", "indexScatterAdd", "copy"), seen(calls), "backend calls of its backward (copy: the leaf's grad)");
            assertArrayEquals(new float[] {1, 1, 0, 0, 2, 2}, x.grad().toFloatArray());
            calls.clear();
            Tensor g = x.gather(1, cols);
            Tensor e = Functional.embedding(rows, w, 0);
            Tensor sa = x.scatterAdd(0, pairs, ones);
            Tensor oh = rows.oneHot(3);
            assertEquals(List.of("indexGather", "indexGather", "copy", "indexScatterAdd", "oneHot"), seen(calls),
                    "backend calls of gather, embedding, scatterAdd and oneHot");
            assertArrayEquals(new float[] {2, 4, 5}, g.toFloatArray());
            assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6}, e.toFloatArray());
            assertArrayEquals(new float[] {2, 4, 3, 5, 7, 6}, sa.toFloatArray());
            assertArrayEquals(new long[] {0, 0, 1, 1, 0, 0, 0, 0, 1}, oh.toLongArray());
            calls.clear();
            e.backward(Tensor.full(b, 1f, 3, 2));
            assertEquals(0, calls.stream().filter(c -> c.startsWith("copyToHost") || c.startsWith("copyFromHost")).count(),
                    "host copies in the embedding gradient: " + calls);
            assertArrayEquals(new float[] {0, 0, 0, 0, 2, 2}, w.grad().toFloatArray(), "padding row 0 gets nothing");
        }
    }

    private static List<String> seen(List<String> calls) {
        return calls.stream().filter(c -> !BOOKKEEPING.contains(c)).toList();
    }
}
