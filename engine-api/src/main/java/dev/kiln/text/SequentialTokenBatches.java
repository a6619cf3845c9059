package dev.kiln.text;

import dev.kiln.data.Batch;
import dev.kiln.spi.Backend;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Evaluation batches: the stream cut into non-overlapping windows in order (window k starts at
 * token k * T and covers T inputs plus the next token as the last target), grouped B at a time;
 * the last batch holds the windows left over and may be smaller. The tail shorter than a whole
 * window is not used. Every iteration yields the same batches, so validation losses of different
 * runs and steps are comparable; {@code maxBatches} caps the work per evaluation (the first ones are
 * used). Fields as {@link TokenBatches}: {@value TokenBatches#TOKENS} and the target
 * {@value TokenBatches#TARGETS}, both INT64 [B, T]. The caller owns and closes each batch.
 */
public final class SequentialTokenBatches implements Iterable<Batch> {
    private final Backend backend;
    private final int[] stream;
    private final int batchSize;
    private final int context;
    private final int batches;

    /**
     * Every window of {@code stream}, in order.
     *
     * @param backend where the batch tensors are allocated
     * @param stream the token ids (not copied: do not change it afterwards)
     * @param batchSize B, at least 1
     * @param context T, at least 1
     * @throws IllegalArgumentException if B or T is below 1, or the stream is shorter than T + 1 tokens
     */
    public SequentialTokenBatches(Backend backend, int[] stream, int batchSize, int context) {
        this(backend, stream, batchSize, context, Integer.MAX_VALUE);
    }

    /**
     * The first {@code maxBatches} batches of windows of {@code stream}, in order.
     *
     * @param backend where the batch tensors are allocated
     * @param stream the token ids (not copied: do not change it afterwards)
     * @param batchSize B, at least 1
     * @param context T, at least 1
     * @param maxBatches the most batches to yield, at least 1
     * @throws IllegalArgumentException if B, T or {@code maxBatches} is below 1, or the stream is shorter than T + 1 tokens
     */
    public SequentialTokenBatches(Backend backend, int[] stream, int batchSize, int context, int maxBatches) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.stream = Objects.requireNonNull(stream, "stream");
        TokenBatches.requireShape("SequentialTokenBatches", stream, batchSize, context);
        if (maxBatches < 1) throw new IllegalArgumentException("SequentialTokenBatches: maxBatches must be at least 1, got " + maxBatches);
        this.batchSize = batchSize;
        this.context = context;
        this.batches = Math.min(maxBatches, Math.ceilDiv(windows(), batchSize));
    }

    /** {@return the number of whole windows in the stream: floor((n - 1) / T)} */
    public int windows() {
        return (stream.length - 1) / context;
    }

    /** {@return the number of batches an iteration yields} */
    public int size() {
        return batches;
    }

    /** {@return the batches in order, each new (the caller closes it)} */
    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("SequentialTokenBatches: all " + batches + " batches were returned");
                int first = next * batchSize, b = Math.min(batchSize, windows() - first);
                int[] starts = new int[b];
                for (int i = 0; i < b; i++) starts[i] = (first + i) * context;
                next++;
                return TokenBatches.windows(backend, stream, starts, context);
            }
        };
    }
}
