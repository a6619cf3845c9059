package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mask ops run on the tensor's own device: a comparison is one {@link Backend#compare} (a
 * scalar operand one {@link Backend#fill} first), {@code to} one {@link Backend#cast}, where and
 * maskedFill one {@link Backend#where}, tril one {@link Backend#triangle}, and their gradients
 * stay on the device too: no copy to or from host memory anywhere.
 */
class MaskOnDeviceTest {
    private static List<String> compute(List<String> calls) {
        return calls.stream().filter(c -> !c.equals("allocate") && !c.equals("name") && !c.equals("device")).toList();
    }

    @Test
    void masksAndTheirGradientsNeverTouchHostMemory() {
        List<String> calls = new ArrayList<>();
        Backend b = HostOnlyBackend.create("recording", new Device("recording", 0), new ArrayList<>(), calls::add);
        try (var s = Kiln.scope()) {
            Tensor x = Tensor.fromArray(b, new float[] {1, -2, 3, -4, 5, -6}, 2, 3).requiresGrad(true);
            Tensor y = Tensor.fromArray(b, new float[] {0, 0, 9}, 3);
            calls.clear();
            Tensor lt = x.lt(y);
            assertEquals(List.of("compare"), compute(calls), "backend calls of lt");
            calls.clear();
            Tensor pos = x.gt(0f);
            assertEquals(List.of("fill", "compare"), compute(calls), "backend calls of gt with a scalar");
            calls.clear();
            Tensor idx = x.to(DType.INT64);
            assertEquals(List.of("cast"), compute(calls), "backend calls of to(INT64)");
            calls.clear();
            Tensor w = Functional.where(lt, x, y);
            Tensor f = w.maskedFill(pos, 0f);
            Tensor t = f.tril();
            assertEquals(List.of("where", "fill", "where", "triangle"), compute(calls), "backend calls of where, maskedFill, tril");
            Tensor both = lt.logicalAnd(pos);
            calls.clear();
            t.backward(Tensor.full(b, 1f, 2, 3));
            assertEquals(0, calls.stream().filter(c -> c.startsWith("copyToHost") || c.startsWith("copyFromHost")).count(),
                    "host copies in the gradients of tril, maskedFill and where: " + calls);
            assertArrayEquals(new boolean[] {false, true, true, true, false, true}, lt.toBooleanArray());
            assertArrayEquals(new long[] {1, -2, 3, -4, 5, -6}, idx.toLongArray());
            assertArrayEquals(new boolean[] {false, false, true, false, false, false}, both.toBooleanArray());
            // where picks x where x < y, else y; maskedFill zeroes x > 0; tril keeps (0,0), (1,0), (1,1).
            assertArrayEquals(new float[] {0, 0, 0, -4, 0, 0}, t.toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0}, x.grad().toFloatArray());
        }
    }
}
