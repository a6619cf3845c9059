package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The worker pool: every task runs once, nested and concurrent regions run, failures reach the caller. */
class CpuThreadPoolTest {
    @Test
    void everyTaskRunsExactlyOnceOverManyRegions() {
        try (CpuThreadPool pool = new CpuThreadPool(3)) {
            for (int round = 0; round < 200; round++) {
                int tasks = 1 + round % 17;
                AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
                pool.parallelFor(tasks, hits::incrementAndGet);
                for (int t = 0; t < tasks; t++) assertEquals(1, hits.get(t), "round " + round + ", task " + t);
            }
        }
    }

    @Test
    void nestedRegionsRunInlineAndComplete() {
        try (CpuThreadPool pool = new CpuThreadPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(6 * 5);
            pool.parallelFor(6, outer -> {
                assertTrue(pool.inRegion(), "outer task sees the region");
                pool.parallelFor(5, inner -> hits.incrementAndGet(outer * 5 + inner));
            });
            for (int i = 0; i < 30; i++) assertEquals(1, hits.get(i), "nested task " + i);
        }
    }

    @Test
    void concurrentCallersBothComplete() throws InterruptedException {
        try (CpuThreadPool pool = new CpuThreadPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(2 * 1000);
            Thread[] callers = new Thread[2];
            for (int c = 0; c < 2; c++) {
                int base = c * 1000;
                callers[c] = new Thread(() -> {
                    for (int r = 0; r < 100; r++) {
                        int from = base + r * 10;
                        pool.parallelFor(10, t -> hits.incrementAndGet(from + t));
                    }
                });
                callers[c].start();
            }
            for (Thread t : callers) t.join();
            for (int i = 0; i < 2000; i++) assertEquals(1, hits.get(i), "task " + i);
        }
    }

    @Test
    void aTaskFailureIsRethrownToTheCaller() {
        try (CpuThreadPool pool = new CpuThreadPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(8, t -> {
                if (t == 5) throw new IllegalStateException("task 5 failed");
            }));
            assertEquals("task 5 failed", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            pool.parallelFor(4, hits::incrementAndGet);
            for (int t = 0; t < 4; t++) assertEquals(1, hits.get(t), "the pool still works after a failure");
        }
    }
}
