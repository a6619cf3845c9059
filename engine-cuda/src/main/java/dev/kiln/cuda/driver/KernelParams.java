package dev.kiln.cuda.driver;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Builds the {@code void** kernelParams} array of {@code cuLaunchKernel}: element i points at a
 * host copy of argument i, typed as {@link KernelLauncher#launch} documents ({@code Long} 8 bytes,
 * {@code Integer} and {@code Float} 4, a {@code MemorySegment} its bytes, 16-byte aligned). The
 * driver copies the values at launch, so the arena may close right after.
 */
public final class KernelParams {
    private KernelParams() {}

    /**
     * The parameter array, allocated in {@code arena}.
     *
     * @throws IllegalArgumentException for an argument of another type (named with its position)
     */
    public static MemorySegment pack(Arena arena, String kernel, Object... args) {
        MemorySegment array = arena.allocate(ADDRESS, Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            MemorySegment slot = switch (args[i]) {
                case Long v -> arena.allocateFrom(JAVA_LONG, v);
                case Integer v -> arena.allocateFrom(JAVA_INT, v);
                case Float v -> arena.allocateFrom(JAVA_FLOAT, v);
                case MemorySegment s -> {
                    MemorySegment copy = arena.allocate(Math.max(1, s.byteSize()), 16);
                    MemorySegment.copy(s, 0, copy, 0, s.byteSize());
                    yield copy;
                }
                case null -> throw new IllegalArgumentException(kernel + ": argument " + i + " is null");
                default -> throw new IllegalArgumentException(kernel + ": argument " + i + " has unsupported type "
                        + args[i].getClass().getName() + " (use Long, Integer, Float or MemorySegment)");
            };
            array.setAtIndex(ADDRESS, i, slot);
        }
        return array;
    }
}
