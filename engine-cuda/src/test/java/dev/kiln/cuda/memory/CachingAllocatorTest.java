package dev.kiln.cuda.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cuda.CudaMemoryStats;
import dev.kiln.cuda.CudaOutOfMemoryException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bucketing, reuse, OOM handling and counters against a fake device. */
class CachingAllocatorTest {

    /** A device with a byte budget; addresses count up. */
    static class FakeDevice implements DeviceMemory {
        final Map<Long, Long> live = new HashMap<>();
        long capacity, used, next = 0x1000, mallocs, syncs;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long tryAllocate(long bytes) {
            if (used + bytes > capacity) return 0;
            used += bytes;
            mallocs++;
            long a = next;
            next += bytes;
            live.put(a, bytes);
            return a;
        }

        @Override
        public void free(long address) {
            used -= live.remove(address);
        }

        @Override
        public long freeBytes() {
            return capacity - used;
        }

        @Override
        public void synchronize() {
            syncs++;
        }
    }

    @Test
    void bucketsRoundTo512BytesThenTo2MiB() {
        assertEquals(512, CachingAllocator.bucketSize(1));
        assertEquals(512, CachingAllocator.bucketSize(512));
        assertEquals(1024, CachingAllocator.bucketSize(513));
        assertEquals(1 << 20, CachingAllocator.bucketSize(1 << 20));
        assertEquals(2 << 20, CachingAllocator.bucketSize((1 << 20) + 1));
        assertEquals(4 << 20, CachingAllocator.bucketSize((2 << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.bucketSize(0));
    }

    @Test
    void freedBlocksAreReusedForTheSameBucketWithoutTheDevice() {
        FakeDevice dev = new FakeDevice(1 << 30);
        CachingAllocator a = new CachingAllocator(dev);
        long p = a.allocate(1000);
        a.free(p);
        assertEquals(p, a.allocate(900)); // same 1024-byte bucket
        long q = a.allocate(100);
        assertNotEquals(p, q);
        assertEquals(2, dev.mallocs);
        CudaMemoryStats s = a.stats();
        assertEquals(1024 + 512, s.allocatedBytes());
        assertEquals(0, s.cachedBytes());
        a.free(p);
        a.free(q);
        assertEquals(0, a.stats().allocatedBytes());
        assertEquals(1536, a.stats().cachedBytes());
        assertEquals(1536, a.stats().peakAllocatedBytes());
        assertEquals(0, a.allocate(0));
    }

    @Test
    void outOfMemoryReleasesTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice(4 << 20);
        CachingAllocator a = new CachingAllocator(dev);
        long big = a.allocate(3 << 20); // 4 MiB bucket fills the device
        a.free(big);
        long other = a.allocate(2 << 20); // different bucket: needs the cache released
        assertTrue(other != 0);
        assertEquals(1, a.stats().cacheReleases());
        assertEquals(1, dev.syncs);
        assertEquals(0, a.stats().cachedBytes());
    }

    @Test
    void outOfMemoryAfterReleaseNamesRequestedFreeAndCached() {
        FakeDevice dev = new FakeDevice(4 << 20);
        CachingAllocator a = new CachingAllocator(dev);
        a.allocate(3 << 20);
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(1 << 20));
        assertTrue(e.getMessage().contains("tried to allocate 1.00 MiB"), e.getMessage());
        assertTrue(e.getMessage().contains("device free 0 B"), e.getMessage());
        assertTrue(e.getMessage().contains("cached 0 B"), e.getMessage());
    }

    @Test
    void outOfMemoryWithACacheReleasesItRetriesOnceAndReportsWhatItReleased() {
        FakeDevice dev = new FakeDevice(6 << 20);
        CachingAllocator a = new CachingAllocator(dev);
        a.allocate(2 << 20);           // stays live
        a.free(a.allocate(1 << 20));   // 1 MiB cached
        long mallocsBefore = dev.mallocs;
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(5 << 20)); // 6 MiB bucket
        assertEquals(mallocsBefore, dev.mallocs, "no allocation succeeded");
        assertEquals(1, a.stats().cacheReleases(), "the cache was released once");
        assertEquals(1, dev.syncs, "the stream was synchronised before freeing cached blocks");
        assertEquals(5L << 20, e.requestedBytes());
        assertEquals(1L << 20, e.releasedBytes());
        assertEquals(4L << 20, e.freeBytes());
        assertEquals(2L << 20, e.stats().allocatedBytes());
        assertEquals(0, e.stats().cachedBytes());
        String m = e.getMessage();
        assertTrue(m.contains("tried to allocate 5.00 MiB (5242880 bytes)"), m);
        assertTrue(m.contains("device free 4.00 MiB"), m);
        assertTrue(m.contains("Kiln allocated 2.00 MiB, cached 0 B"), m);
        assertTrue(m.contains("released 1.00 MiB of cache and retried once"), m);
        assertEquals(2L << 20, a.stats().allocatedBytes(), "a failed request leaves the counters as they were");
    }

    @Test
    void freeingAnUnknownBlockIsAnError() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1 << 20));
        assertThrows(IllegalArgumentException.class, () -> a.free(0x42));
    }

    @Test
    void releaseAllReturnsEverythingToTheDevice() {
        FakeDevice dev = new FakeDevice(1 << 30);
        CachingAllocator a = new CachingAllocator(dev);
        a.free(a.allocate(10));
        a.allocate(5000);
        assertEquals(1, a.releaseAll());
        assertEquals(0, dev.used);
    }

    @Test
    void releaseAllFreesEveryBlockEvenWhenTheDeviceReportsAFault() {
        FakeDevice dev = new FakeDevice(1 << 30) {
            @Override
            public void synchronize() {
                throw new IllegalStateException("CUDA_ERROR_ILLEGAL_ADDRESS");
            }
        };
        CachingAllocator a = new CachingAllocator(dev);
        a.free(a.allocate(10));
        a.allocate(5000);
        a.allocate(700);
        IllegalStateException e = assertThrows(IllegalStateException.class, a::releaseAll);
        assertTrue(e.getMessage().contains("ILLEGAL_ADDRESS"), e.getMessage());
        assertEquals(0, dev.used, "every block, live or cached, went back to the device");
        assertEquals(0, a.stats().allocatedBytes());
        assertEquals(0, a.stats().cachedBytes());
        a.free(0x1000); // after shutdown, late frees are ignored
    }
}
