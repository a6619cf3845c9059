package dev.kiln.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuBackend;
import dev.kiln.spi.Backend;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Batched matmul, max, topk and logsumexp, forward and backward, run on the tensor's backend
 * without a copy to or from host memory (every SPI call recorded through a proxy around a real CPU
 * backend), and {@code [B, T, D] @ [D, E]} is one GEMM of {@code B*T} rows in each direction.
 */
class SelectionOnDeviceTest {
    private final List<String> calls = new ArrayList<>();
    private final List<MatmulSpec> gemms = new ArrayList<>();

    /** Storage of the recording backend: the CPU's storage, reporting the proxy as its backend (tensors call through it). */
    private record Wrapped(Storage inner, Backend owner) implements Storage {
        @Override public Backend backend() { return owner; }
        @Override public DType dtype() { return inner.dtype(); }
        @Override public long numel() { return inner.numel(); }
        @Override public boolean isClosed() { return inner.isClosed(); }
        @Override public void close() { inner.close(); }
    }

    private Backend recording(CpuBackend cpu) {
        Backend[] self = new Backend[1];
        self[0] = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (p, m, args) -> {
            calls.add(m.getName());
            if (m.getName().equals("matmul")) gemms.add((MatmulSpec) args[0]);
            Object[] plain = args == null ? null : args.clone();
            for (int i = 0; plain != null && i < plain.length; i++) if (plain[i] instanceof Wrapped w) plain[i] = w.inner();
            try {
                Object r = m.invoke(cpu, plain);
                return r instanceof Storage st ? new Wrapped(st, self[0]) : r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return self[0];
    }

    @Test
    void forwardAndBackwardStayOnTheDevice() {
        try (CpuBackend cpu = new CpuBackend(2); var s = Kiln.scope()) {
            Backend b = recording(cpu);
            Tensor q = Tensor.full(b, 0.5f, 2, 3, 4, 5).requiresGrad(true);
            Tensor k = Tensor.full(b, 0.25f, 2, 3, 5, 4).requiresGrad(true);
            calls.clear();
            Tensor scores = q.matmul(k);
            Tensor loss = scores.max(-1, false).values().sum().add(scores.topk(2, 1, true, true).values().sum())
                    .add(scores.logsumexp(-1, true).sum()).add(scores.reshape(6, 4, 4).bmm(scores.reshape(6, 4, 4)).sum());
            loss.backward();
            assertFalse(calls.stream().anyMatch(c -> c.startsWith("copyToHost") || c.startsWith("copyFromHost")),
                    "host copies: " + calls);
            for (String op : List.of("matmul", "argReduce", "topk", "topkBackward")) assertTrue(calls.contains(op), op + " not called: " + calls);
            assertArrayEquals(new int[] {2, 3, 4, 5}, q.grad().shape());
        }
    }

    @Test
    void sharedRightOperandIsOneTallGemm() {
        try (CpuBackend cpu = new CpuBackend(2); var s = Kiln.scope()) {
            Backend b = recording(cpu);
            Tensor x = Tensor.full(b, 1f, 4, 7, 3).requiresGrad(true);
            Tensor w = Tensor.full(b, 2f, 3, 5).requiresGrad(true);
            gemms.clear();
            Tensor y = x.matmul(w);
            assertEquals(List.of(MatmulSpec.of(28, 5, 3, false, false)), gemms, "forward");
            gemms.clear();
            y.sum().backward();
            assertEquals(2, gemms.size(), "one GEMM per gradient: " + gemms);
            assertTrue(gemms.stream().allMatch(g -> g.batch() == 1), "no batched GEMM and no batch sum: " + gemms);
            assertArrayEquals(new float[] {10, 10, 10}, java.util.Arrays.copyOf(x.grad().toFloatArray(), 3));
            assertEquals(28f, w.grad().toFloatArray()[0]);
        }
    }
}
