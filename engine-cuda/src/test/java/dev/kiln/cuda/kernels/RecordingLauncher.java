package dev.kiln.cuda.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.kiln.cuda.driver.KernelLauncher;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A {@link KernelLauncher} that runs nothing and records every launch and upload (copying the bytes). */
final class RecordingLauncher implements KernelLauncher {
    /** One recorded launch; struct arguments are copied, as the real launcher copies them at launch. */
    record Launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int shared, List<Object> args) {}

    /** Fake device address of the k-th upload. */
    static long uploadAddress(int k) {
        return 0x7f00_0000_0000L + 0x100_0000L * k;
    }

    final List<Launch> launches = new ArrayList<>();
    final List<byte[]> uploads = new ArrayList<>();

    @Override
    public void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes, Object... args) {
        List<Object> copy = new ArrayList<>();
        for (Object a : args) copy.add(a instanceof MemorySegment s ? MemorySegment.ofArray(s.toArray(JAVA_BYTE)) : a);
        launches.add(new Launch(kernel, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes, copy));
    }

    @Override
    public long uploadTemporary(MemorySegment host) {
        uploads.add(host.toArray(JAVA_BYTE));
        return uploadAddress(uploads.size() - 1);
    }

    Launch last() {
        return launches.getLast();
    }
}
