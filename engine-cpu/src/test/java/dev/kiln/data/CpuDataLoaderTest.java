package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Scope;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** DataLoader batches as CPU tensors. */
class CpuDataLoaderTest {
    @Test
    void batchesAreCpuTensorsMatchingTheHostBatches() {
        Backend cpu = Kiln.backend("cpu");
        int n = 37;
        byte[] px = new byte[n * 28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(px, i * 784, (i + 1) * 784, (byte) (i * 5));
            labels[i] = i % 10;
        }
        ImageDataset d = new ImageDataset(px, labels, 28, 28);
        DataLoader loader = DataLoader.builder(d).batchSize(8).shuffle(true).seed(11).normalize(Mnist.MEAN, Mnist.STD)
                .randomShift(2).backend(cpu).build();
        long before = cpu.bytesInUse();
        int seen = 0;
        try (Epoch<Batch> tensors = loader.epoch(4); Epoch<HostBatch> host = loader.hostEpoch(4)) {
            for (Batch b : tensors) {
                try (Scope scope = Scope.open(); b) {
                    HostBatch h = host.next();
                    assertArrayEquals(new int[] {h.size(), 1, 28, 28}, b.images().shape());
                    assertEquals(DType.INT32, b.labels().dtype());
                    assertArrayEquals(h.images(), b.images().toFloatArray());
                    assertArrayEquals(h.labels(), b.labels().toIntArray());
                    seen += b.size();
                }
            }
        }
        assertEquals(n, seen);
        assertEquals(before, cpu.bytesInUse(), "batches freed");
    }
}
