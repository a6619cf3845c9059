package dev.kiln.cuda.driver;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The void** array handed to cuLaunchKernel. */
class KernelParamsTest {

    @Test
    @SuppressWarnings("restricted")
    void eachSlotPointsAtTheArgumentValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment struct = MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            MemorySegment params = KernelParams.pack(arena, "k", 0x1234_5678_9abcL, 42, 1.5f, struct);
            assertEquals(4 * ADDRESS.byteSize(), params.byteSize());
            assertEquals(0x1234_5678_9abcL, params.getAtIndex(ADDRESS, 0).reinterpret(8).get(JAVA_LONG, 0));
            assertEquals(42, params.getAtIndex(ADDRESS, 1).reinterpret(4).get(JAVA_INT, 0));
            assertEquals(1.5f, params.getAtIndex(ADDRESS, 2).reinterpret(4).get(JAVA_FLOAT, 0));
            MemorySegment s = params.getAtIndex(ADDRESS, 3);
            assertEquals(0, s.address() % 16);
            assertArrayEquals(struct.toArray(JAVA_BYTE), s.reinterpret(12).toArray(JAVA_BYTE));
        }
    }

    @Test
    void unsupportedArgumentIsNamed() {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(IllegalArgumentException.class, () -> KernelParams.pack(arena, "kiln_x", 1L, 2.0));
            assertTrue(e.getMessage().contains("kiln_x: argument 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> KernelParams.pack(arena, "kiln_x", (Object) null));
        }
    }
}
