package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.Kiln;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * INT64 and BOOL tensors: values survive the trip to the device and back bit for bit (extremes
 * included), the backend's fill writes PyTorch's values, and reading with the wrong accessor
 * names both dtypes.
 */
public interface DTypeChecks extends BackendUnderTest {

    @Test
    default void int64RoundTripsExtremes() {
        try (var s = Kiln.scope()) {
            long[] data = {Long.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE + 1L, Long.MAX_VALUE};
            Tensor t = Tensor.fromLongs(backend(), data, 2, 3);
            assertEquals(DType.INT64, t.dtype());
            assertArrayEquals(data, t.toLongArray());
            assertEquals(7f, Tensor.fromLongs(backend(), new long[] {7}).item());
        }
    }

    @Test
    default void boolRoundTrips() {
        try (var s = Kiln.scope()) {
            boolean[] data = {true, false, false, true, true};
            Tensor t = Tensor.fromBooleans(backend(), data, 5);
            assertEquals(DType.BOOL, t.dtype());
            assertArrayEquals(data, t.toBooleanArray());
            assertEquals(1f, Tensor.fromBooleans(backend(), new boolean[] {true}, 1, 1).item());
            assertEquals(0, Tensor.fromBooleans(backend(), new boolean[0], 0).toBooleanArray().length);
        }
    }

    @Test
    default void fillWritesInt64AndBool() {
        long[] values = {0, -1, 5_000_000_000L, -3};
        for (long v : values) {
            try (Storage st = backend().allocate(DType.INT64, 5); Arena arena = Arena.ofConfined()) {
                backend().fill(st, (float) v);
                MemorySegment host = arena.allocate(40, 8);
                backend().copyToHost(st, host);
                for (int i = 0; i < 5; i++) assertEquals(v, host.getAtIndex(ValueLayout.JAVA_LONG, i), "INT64 fill " + v + " at " + i);
            }
        }
        for (float v : new float[] {0f, 1f, 2.5f}) {
            try (Storage st = backend().allocate(DType.BOOL, 7); Arena arena = Arena.ofConfined()) {
                backend().fill(st, v);
                MemorySegment host = arena.allocate(7);
                backend().copyToHost(st, host);
                for (int i = 0; i < 7; i++) assertEquals(v != 0f ? 1 : 0, host.get(ValueLayout.JAVA_BYTE, i), "BOOL fill " + v + " at " + i);
            }
        }
    }

    @Test
    default void wrongAccessorNamesBothDTypes() {
        try (var s = Kiln.scope()) {
            Tensor t = Tensor.fromLongs(backend(), new long[] {1, 2}, 2);
            var e = assertThrows(IllegalStateException.class, t::toIntArray);
            assertEquals("toIntArray: tensor has dtype INT64, expected INT32", e.getMessage());
            var f = assertThrows(IllegalStateException.class, () -> Tensor.fromBooleans(backend(), new boolean[] {true}, 1).toLongArray());
            assertEquals("toLongArray: tensor has dtype BOOL, expected INT64", f.getMessage());
            var g = assertThrows(IllegalArgumentException.class, () -> Tensor.fromLongs(backend(), new long[] {1, 2, 3}, 2));
            assertEquals("fromLongs: shape [2] needs 2 elements, got 3", g.getMessage());
        }
    }
}
