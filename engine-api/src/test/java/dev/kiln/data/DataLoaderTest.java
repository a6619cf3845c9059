package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** n images of 2x3 pixels; image i has every pixel equal to i / 255 and label i % 10. */
    static ImageDataset numbered(int n) {
        byte[] px = new byte[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(px, i * 6, i * 6 + 6, (byte) i);
            labels[i] = i % 10;
        }
        return new ImageDataset(px, labels, 2, 3);
    }

    /** Sample index of each element of each batch (pixel value * 255). */
    static List<Integer> order(DataLoader loader, int epoch) {
        List<Integer> seen = new ArrayList<>();
        try (Epoch<HostBatch> e = loader.hostEpoch(epoch)) {
            for (HostBatch b : e) {
                for (int j = 0; j < b.size(); j++) {
                    int idx = Math.round(b.images()[j * 6] * 255);
                    assertEquals(idx % 10, b.labels()[j], "label follows its image");
                    seen.add(idx);
                }
            }
        }
        return seen;
    }

    @Test
    void eachEpochCoversTheDatasetOnceInBatches() {
        DataLoader loader = DataLoader.builder(numbered(10)).batchSize(4).shuffle(true).seed(3).build();
        assertEquals(3, loader.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        try (Epoch<HostBatch> e = loader.hostEpoch(0)) {
            for (HostBatch b : e) {
                sizes.add(b.size());
                assertArrayEquals(new int[] {b.size(), 1, 2, 3}, b.shape());
            }
        }
        assertEquals(List.of(4, 4, 2), sizes);
        List<Integer> seen = order(loader, 0);
        List<Integer> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), sorted);
    }

    @Test
    void withoutShuffleTheOrderIsTheDatasetOrder() {
        DataLoader loader = DataLoader.builder(numbered(5)).batchSize(2).build();
        assertEquals(List.of(0, 1, 2, 3, 4), order(loader, 0));
        assertEquals(List.of(0, 1, 2, 3, 4), order(loader, 7));
    }

    @Test
    void shufflingIsSeededAndDiffersPerEpoch() {
        ImageDataset d = numbered(50);
        DataLoader a = DataLoader.builder(d).batchSize(8).shuffle(true).seed(42).build();
        DataLoader b = DataLoader.builder(d).batchSize(8).shuffle(true).seed(42).prefetch(0).build();
        DataLoader c = DataLoader.builder(d).batchSize(8).shuffle(true).seed(43).build();
        assertEquals(order(a, 0), order(b, 0), "same seed, same order, with or without prefetching");
        assertEquals(order(a, 1), order(b, 1));
        assertNotEquals(order(a, 0), order(a, 1), "a new order every epoch");
        assertNotEquals(order(a, 0), order(c, 0), "another seed, another order");
        assertNotEquals(order(a, 1), order(c, 0), "seed+1 at epoch 0 is not seed at epoch 1");
    }

    @Test
    void dropLastDropsTheSmallBatch() {
        DataLoader loader = DataLoader.builder(numbered(10)).batchSize(4).dropLast(true).build();
        assertEquals(2, loader.batchesPerEpoch());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), order(loader, 0));
    }

    @Test
    void aBatchLargerThanTheDataIsOneBatchEvenAtIntMax() {
        // (size + batch - 1) / batch overflowed to 0 batches for batch sizes near Integer.MAX_VALUE
        for (int batch : new int[] {11, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            DataLoader loader = DataLoader.builder(numbered(10)).batchSize(batch).build();
            assertEquals(1, loader.batchesPerEpoch(), "batch size " + batch);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), order(loader, 0));
        }
        assertEquals(0, DataLoader.builder(numbered(10)).batchSize(Integer.MAX_VALUE).dropLast(true).build().batchesPerEpoch());
    }

    @Test
    void normalisesEveryElement() {
        DataLoader loader = DataLoader.builder(numbered(3)).batchSize(3).normalize(0.5f, 0.25f).build();
        try (Epoch<HostBatch> e = loader.hostEpoch(0)) {
            float[] x = e.next().images();
            for (int i = 0; i < 3; i++) assertEquals((i / 255f - 0.5f) / 0.25f, x[i * 6], 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(numbered(1)).normalize(0f, 0f));
    }

    @Test
    void shiftMovesPixelsWithZeroFill() {
        float[] img = new float[12]; // [1, 3, 4]
        for (int i = 0; i < 12; i++) img[i] = i + 1;
        float[] scratch = new float[12];
        Shifts.shift(img, 0, new int[] {1, 3, 4}, 1, -2, scratch); // one row down, two columns left
        assertArrayEquals(new float[] {0, 0, 0, 0, 3, 4, 0, 0, 7, 8, 0, 0}, img);
        float[] two = {1, 2, 3, 4, 5, 6, 7, 8};            // [2, 2, 2]: both planes move alike
        Shifts.shift(two, 0, new int[] {2, 2, 2}, 0, 1, new float[8]);
        assertArrayEquals(new float[] {0, 1, 0, 3, 0, 5, 0, 7}, two);
        float[] gone = {1, 2, 3, 4};
        Shifts.shift(gone, 0, new int[] {2, 2}, 0, 5, new float[4]);
        assertArrayEquals(new float[4], gone);
    }

    @Test
    void randomShiftsKeepShapeAndStayWithinRange() {
        // One bright pixel in the centre of a 7x7 image: after a shift of at most 2 it is still
        // there exactly once, at most 2 rows/cols away; the shifts are seeded and vary.
        int n = 40;
        byte[] px = new byte[n * 49];
        for (int i = 0; i < n; i++) px[i * 49 + 24] = (byte) 255;
        ImageDataset d = new ImageDataset(px, new int[n], 7, 7);
        DataLoader loader = DataLoader.builder(d).batchSize(n).randomShift(2).seed(9).build();
        List<Integer> positions = new ArrayList<>();
        try (Epoch<HostBatch> e = loader.hostEpoch(0)) {
            HostBatch b = e.next();
            assertArrayEquals(new int[] {n, 1, 7, 7}, b.shape());
            for (int i = 0; i < n; i++) {
                int found = -1, count = 0;
                for (int p = 0; p < 49; p++) {
                    if (b.images()[i * 49 + p] == 1f) { found = p; count++; }
                    else assertEquals(0f, b.images()[i * 49 + p]);
                }
                assertEquals(1, count);
                assertTrue(Math.abs(found / 7 - 3) <= 2 && Math.abs(found % 7 - 3) <= 2, "moved at most 2: " + found);
                positions.add(found);
            }
        }
        assertTrue(positions.stream().distinct().count() > 5, "shifts vary: " + positions);
        List<Integer> again = new ArrayList<>();
        try (Epoch<HostBatch> e = DataLoader.builder(d).batchSize(n).randomShift(2).seed(9).prefetch(0).build().hostEpoch(0)) {
            HostBatch b = e.next();
            for (int i = 0; i < n; i++) for (int p = 0; p < 49; p++) if (b.images()[i * 49 + p] == 1f) again.add(p);
        }
        assertEquals(positions, again, "seeded");
    }

    @Test
    void prefetchThreadEndsOnClose() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(100)).batchSize(1).prefetch(2).build();
        Epoch<HostBatch> e = loader.hostEpoch(0);
        e.next();
        assertTrue(e.workerAlive(), "worker is blocked on the full queue");
        e.close();
        assertFalse(e.workerAlive());
        assertFalse(e.hasNext());

        Epoch<HostBatch> other = loader.hostEpoch(1);
        other.next();
        loader.close();
        assertFalse(other.workerAlive(), "closing the loader stops its epochs");
        assertThrows(IllegalStateException.class, () -> loader.hostEpoch(2));
    }

    @Test
    void closingFromAnotherThreadReleasesAWaitingConsumer() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        Dataset slow = new Dataset() {
            public int size() { return 4; }
            public int[] sampleShape() { return new int[] {1}; }
            public int label(int i) { return 0; }
            public void copySample(int i, float[] dst, int off) {
                reading.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
        DataLoader loader = DataLoader.builder(slow).batchSize(1).build();
        Epoch<HostBatch> e = loader.hostEpoch(0);
        Thread closer = new Thread(() -> {
            try {
                reading.await();
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                return;
            }
            loader.close();
        });
        closer.start();
        RuntimeException ex = assertThrows(RuntimeException.class, e::next);
        assertTrue(ex instanceof java.util.NoSuchElementException || ex instanceof IllegalStateException, ex.toString());
        closer.join();
        assertFalse(e.workerAlive());
    }

    @Test
    void prefetchThreadEndsWhenTheEpochIsExhausted() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(5)).batchSize(2).build();
        Epoch<HostBatch> e = loader.hostEpoch(0);
        while (e.hasNext()) e.next();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (e.workerAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertFalse(e.workerAlive());
    }

    /** A dataset whose sample {@code bad} cannot be read. */
    private static Dataset failingAt(int bad, CountDownLatch reached) {
        ImageDataset base = numbered(10);
        return new Dataset() {
            public int size() { return base.size(); }
            public int[] sampleShape() { return base.sampleShape(); }
            public int label(int i) { return base.label(i); }
            public void copySample(int i, float[] dst, int off) {
                if (i == bad) {
                    reached.countDown();
                    throw new IllegalArgumentException("disk on fire at sample " + i);
                }
                base.copySample(i, dst, off);
            }
        };
    }

    @Test
    void workerExceptionSurfacesInTheConsumer() {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = DataLoader.builder(failingAt(5, new CountDownLatch(1))).batchSize(2).prefetch(prefetch).build();
            Epoch<HostBatch> e = loader.hostEpoch(0);
            e.next();
            e.next();
            IllegalStateException ex = assertThrows(IllegalStateException.class, e::next);
            assertTrue(ex.getMessage().contains("batch 2 of epoch 0 failed"), ex.getMessage());
            assertInstanceOf(IllegalArgumentException.class, ex.getCause());
            assertEquals("disk on fire at sample 5", ex.getCause().getMessage());
            assertFalse(e.hasNext());
            assertFalse(e.workerAlive());
        }
    }

    @Test
    void epochIsIterableOnce() {
        DataLoader loader = DataLoader.builder(numbered(3)).build();
        try (Epoch<HostBatch> e = loader.hostEpoch(0)) {
            assertSame(e, e.iterator());
            assertThrows(IllegalStateException.class, e::iterator);
        }
    }

    @Test
    void subsetsAndLabelFilters() {
        ImageDataset d = numbered(20);
        Dataset high = d.filterByLabel(l -> l >= 5, l -> l - 5);
        assertEquals(10, high.size());
        for (int i = 0; i < high.size(); i++) assertTrue(high.label(i) >= 0 && high.label(i) < 5);
        float[] x = new float[6];
        high.copySample(0, x, 0);
        assertEquals(5 / 255f, x[0]);
        Dataset sub = d.subset(new int[] {3, 1});
        assertEquals(3, sub.label(0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {20}));
        Dataset few = d.samplePerClass(1, 7);
        assertEquals(10, few.size());
        assertEquals(few.size(), java.util.stream.IntStream.range(0, few.size()).map(few::label).distinct().count());
    }

    @Test
    void eachBatchIsFreedByTheEpochWhenTheNextIsRequested() {
        Backend backend = HostOnlyBackend.create();
        DataLoader loader = DataLoader.builder(numbered(5)).batchSize(2).backend(backend).build();
        Batch first, second;
        Tensor kept;
        try (Scope scope = Scope.open(); Epoch<Batch> e = loader.epoch(0)) {
            first = e.next();
            assertArrayEquals(new int[] {2, 1, 2, 3}, first.images().shape());
            assertEquals(DType.INT32, first.labels().dtype());
            assertArrayEquals(new int[] {0, 1}, first.labels().toIntArray());
            assertEquals(1 / 255f, first.images().toFloatArray()[6]);
            assertEquals(0, scope.size(), "the epoch owns the batch, not the scope");
            kept = first.images().copy().unscope();
            second = e.next();
            assertTrue(first.images().isClosed() && first.labels().isClosed(), "freed when the next batch was requested");
            assertFalse(second.images().isClosed());
            e.next();
            assertTrue(second.images().isClosed());
            assertFalse(e.hasNext());
            assertEquals(kept.numel() * 4, backend.bytesInUse(), "the last batch is freed once hasNext() says false; the copy lives on");
        }
        assertEquals(1 / 255f, kept.toFloatArray()[6]);
        kept.close();
        assertEquals(0, backend.bytesInUse());
    }

    @Test
    void closingTheEpochFreesTheCurrentBatch() {
        Backend backend = HostOnlyBackend.create();
        DataLoader loader = DataLoader.builder(numbered(9)).batchSize(2).backend(backend).build();
        Batch b;
        try (Epoch<Batch> e = loader.epoch(0)) {
            b = e.next();
        }
        assertTrue(b.images().isClosed() && b.labels().isClosed());
        assertEquals(0, backend.bytesInUse());
    }

    /** The loop of the DataLoader javadoc, with the batches created before each step's scope opens. */
    @Test
    void theDocumentedLoopFreesEveryBatch() {
        Backend backend = HostOnlyBackend.create();
        DataLoader loader = DataLoader.builder(numbered(600)).batchSize(2).backend(backend).build();
        long leakedBefore = Tensor.leakedCount();
        long batchBytes = (2 * 6 + 2) * 4;
        int steps = 0;
        for (Batch b : loader.epoch(0)) {
            try (Scope s = Scope.open()) {
                assertEquals(2, b.images().toFloatArray().length / 6);
                assertEquals(batchBytes, backend.bytesInUse(), "only the current batch is alive at step " + steps);
                steps++;
            }
        }
        assertEquals(300, steps);
        assertEquals(0, backend.bytesInUse(), "every batch freed, none left for the garbage collector");
        System.gc();
        assertEquals(leakedBefore, Tensor.leakedCount(), "no batch freed by the garbage-collection safety net");
    }

    /**
     * A close from another thread while the consumer is still converting a batch (after next()'s
     * closed check, before the batch is recorded as current) must still free that batch.
     */
    @Test
    void aCloseDuringTheConversionOfABatchStillFreesIt() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(6)).batchSize(2).prefetch(0).build();
        List<Object> released = new ArrayList<>();
        var epoch = new java.util.concurrent.atomic.AtomicReference<Epoch<Object>>();
        epoch.set(new Epoch<>(loader, 0, loader.new EpochPlan(0), hb -> {
            Thread closer = Thread.ofPlatform().start(() -> epoch.get().close());
            try {
                closer.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return "batch";
        }, released::add, 0));
        Object b = epoch.get().next();
        assertEquals(List.of(b), released, "the batch converted while the epoch closed is freed, not left to the cleaner");
        assertFalse(epoch.get().hasNext());
    }
}
