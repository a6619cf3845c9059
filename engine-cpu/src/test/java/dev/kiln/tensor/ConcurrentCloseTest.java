package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One thread computes with a tensor while another closes it and at once allocates a tensor of the
 * same size (which the CPU backend serves from its cache of freed memory) filled with another value.
 * The op must give the right answer or fail with a clear error, never read the newcomer's data.
 */
class ConcurrentCloseTest {
    private static final int N = 1 << 20;
    private static final int ROUNDS = 150;

    @Test
    void closingAnInputDuringAnOpNeverGivesWrongNumbers() throws Exception {
        Backend cpu = Kiln.backend("cpu");
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService closer = Executors.newSingleThreadExecutor();
        int right = 0, refused = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Tensor a = Tensor.full(cpu, 1f, N);
                Future<Tensor> other = closer.submit(() -> {
                    start.await();
                    a.close();
                    return Tensor.full(cpu, 7f, N); // may reuse a's memory once it is really freed
                });
                start.await();
                try (Tensor doubled = a.mul(2f)) {
                    float[] d = doubled.toFloatArray();
                    for (int i = 0; i < N; i++) {
                        if (d[i] != 2f) fail("round " + round + ": element " + i + " is " + d[i] + ", expected 2 (read freed memory)");
                    }
                    right++;
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage().contains("closed"), "a clear error: " + e.getMessage());
                    refused++;
                }
                other.get().close();
                a.close();
            }
        } finally {
            closer.shutdownNow();
        }
        assertEquals(ROUNDS, right + refused);
    }
}
