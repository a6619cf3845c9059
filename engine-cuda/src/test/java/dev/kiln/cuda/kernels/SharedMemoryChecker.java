package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/**
 * One block's dynamic shared memory ({@code extern __shared__ float[]}) for a kernel transcribed
 * into Java, checking what a block of real threads would get wrong: between two barriers
 * ({@link #sync}), an element written by one thread and read or written by another is a race; a
 * read of an element not written since the block (or its work item, {@link #poison}) began reads
 * garbage; an index past the launch's shared bytes is out of bounds. The transcription runs each
 * phase between barriers thread by thread; with no race, that order gives what any order gives.
 */
final class SharedMemoryChecker {
    private static final int NONE = -1, MANY = -2;

    private final float[] v;
    private final int[] writer, reader;
    private final boolean[] written;
    private final String kernel;

    /** Shared memory of {@code bytes} (the launch's dynamic shared memory size) for {@code kernel}. */
    SharedMemoryChecker(String kernel, int bytes) {
        this.kernel = kernel;
        int n = bytes / Float.BYTES;
        v = new float[n];
        writer = new int[n];
        reader = new int[n];
        written = new boolean[n];
        sync();
    }

    float get(int thread, int at) {
        check(at);
        if (!written[at]) fail(kernel + ": thread " + thread + " reads shared[" + at + "] before anything was written there");
        if (writer[at] != NONE && writer[at] != thread) {
            fail(kernel + ": thread " + thread + " reads shared[" + at + "] written by thread " + writer[at] + " without a barrier between");
        }
        reader[at] = reader[at] == NONE || reader[at] == thread ? thread : MANY;
        return v[at];
    }

    void set(int thread, int at, float value) {
        check(at);
        if (writer[at] != NONE && writer[at] != thread) {
            fail(kernel + ": threads " + writer[at] + " and " + thread + " both write shared[" + at + "] without a barrier between");
        }
        if (reader[at] != NONE && reader[at] != thread) {
            fail(kernel + ": thread " + thread + " writes shared[" + at + "] that another thread read since the last barrier");
        }
        writer[at] = thread;
        written[at] = true;
        v[at] = value;
    }

    /** {@code __syncthreads()}: accesses before it are ordered before accesses after it. */
    void sync() {
        Arrays.fill(writer, NONE);
        Arrays.fill(reader, NONE);
    }

    /** A new work item begins: what earlier items left behind counts as garbage. */
    void poison() {
        Arrays.fill(written, false);
        Arrays.fill(v, Float.NaN);
    }

    private void check(int at) {
        if (at < 0 || at >= v.length) {
            fail(kernel + ": shared[" + at + "] is outside the " + v.length * Float.BYTES + " bytes of shared memory the launch requested");
        }
    }
}
