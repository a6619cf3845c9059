package dev.kiln.testing;

/**
 * Runs the garbage collector and gives the tensors' cleaner thread time to free what became
 * unreachable, so that {@link dev.kiln.tensor.Tensor#leakedCount()} counts every leak so far.
 * Best effort: a collection is a request and the cleaner runs asynchronously.
 */
public final class Garbage {
    private Garbage() {}

    /** Two collections with a short pause each, for the cleaner thread. */
    public static void collect() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
