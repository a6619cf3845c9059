package dev.kiln.text;

import dev.kiln.data.Batch;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Language-model training batches: {@link #get()} draws {@code batchSize} windows of
 * {@code context + 1} consecutive tokens at random from a token stream and returns a {@link Batch}
 * with the input {@value #TOKENS} INT64 [B, T] (each window's first T tokens) and the target
 * {@value #TARGETS} INT64 [B, T] (the same window shifted by one: position t holds the token that
 * follows input position t), as {@code F.cross_entropy(logits.view(-1, V), targets.view(-1))}
 * expects. Window starts are uniform over every position where a whole window fits.
 *
 * <p>The starts come from the {@link Generator} passed in and from nothing else, so a trainer that
 * saves and restores that generator's position (e.g. with {@code Trainer.Builder.randomStream})
 * resumes with exactly the batches an uninterrupted run would have drawn. The caller owns each
 * batch: close it (or let an enclosing {@code Scope} free its tensors). Not thread-safe, like the
 * generator. {@link SequentialTokenBatches} covers a validation stream in order instead.
 */
public final class TokenBatches implements Supplier<Batch> {
    /** The name of the input field. */
    public static final String TOKENS = "tokens";
    /** The name of the target field. */
    public static final String TARGETS = "targets";

    private final Backend backend;
    private final int[] stream;
    private final int batchSize;
    private final int context;
    private final Generator generator;

    /**
     * Random windows over {@code stream}.
     *
     * @param backend where the batch tensors are allocated
     * @param stream the token ids, e.g. from {@link Tokenizer#encodeDocuments} (not copied: do not change it afterwards)
     * @param batchSize B, at least 1
     * @param context T, the tokens per input row, at least 1
     * @param generator the random stream the window starts are drawn from
     * @throws IllegalArgumentException if B or T is below 1, or the stream is shorter than T + 1 tokens
     */
    public TokenBatches(Backend backend, int[] stream, int batchSize, int context, Generator generator) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.generator = Objects.requireNonNull(generator, "generator");
        requireShape("TokenBatches", stream, batchSize, context);
        this.batchSize = batchSize;
        this.context = context;
    }

    /**
     * Checks B, T and the stream's length.
     *
     * @param who the class, for the message
     * @param stream the token stream
     * @param batchSize B
     * @param context T
     * @throws IllegalArgumentException if B or T is below 1, or the stream is shorter than T + 1 tokens
     */
    static void requireShape(String who, int[] stream, int batchSize, int context) {
        if (batchSize < 1) throw new IllegalArgumentException(who + ": batchSize must be at least 1, got " + batchSize);
        if (context < 1) throw new IllegalArgumentException(who + ": context must be at least 1, got " + context);
        if (stream.length < context + 1L) {
            throw new IllegalArgumentException(who + ": the token stream has " + stream.length + " tokens; context " + context
                    + " needs at least " + (context + 1L) + " (T inputs plus the next token as the last target)");
        }
    }

    /** {@return a new batch of B random windows (draws B numbers from the generator)} */
    @Override
    public Batch get() {
        int[] starts = new int[batchSize];
        int positions = stream.length - context; // starts 0 .. n - T - 1: the window's last target is token n - 1
        for (int i = 0; i < batchSize; i++) starts[i] = generator.nextInt(positions);
        return windows(backend, stream, starts, context);
    }

    /** {@return B, the windows per batch} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return T, the tokens per input row} */
    public int context() {
        return context;
    }

    /**
     * The batch of the windows starting at {@code starts}: row i of {@value #TOKENS} is
     * {@code stream[starts[i] .. starts[i] + T)} and row i of {@value #TARGETS} is
     * {@code stream[starts[i] + 1 .. starts[i] + T]}.
     *
     * @param backend where the tensors are allocated
     * @param stream the token ids
     * @param starts each window's first position, with {@code start + T < stream.length}
     * @param context T
     * @return the batch, inputs INT64 [starts.length, T] and targets INT64 [starts.length, T]
     * @throws IllegalArgumentException if a window does not fit the stream
     */
    public static Batch windows(Backend backend, int[] stream, int[] starts, int context) {
        long[] in = new long[Math.multiplyExact(starts.length, context)], out = new long[in.length];
        for (int i = 0; i < starts.length; i++) {
            int s = starts[i];
            if (s < 0 || (long) s + context >= stream.length) {
                throw new IllegalArgumentException("TokenBatches: window " + i + " starts at " + s + "; with context " + context
                        + " it needs positions up to " + ((long) s + context) + " of a stream of " + stream.length + " tokens");
            }
            for (int t = 0; t < context; t++) {
                in[i * context + t] = stream[s + t];
                out[i * context + t] = stream[s + t + 1];
            }
        }
        Map<String, Tensor> fields = new LinkedHashMap<>();
        Tensor x = Tensor.fromLongs(backend, in, starts.length, context);
        try {
            fields.put(TOKENS, x);
            fields.put(TARGETS, Tensor.fromLongs(backend, out, starts.length, context));
            return new Batch(fields, TARGETS);
        } catch (RuntimeException e) {
            for (Tensor t : fields.values()) t.close();
            throw e;
        }
    }
}
