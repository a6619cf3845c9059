package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.Kiln;
import dev.kiln.io.TensorFile;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kiln's indexing ops against PyTorch 1.13: {@code parity/torch_index.safetensors}, written by
 * {@code bench/peers/torch_index_fixtures.py}, holds inputs, outputs, a projection {@code r} and
 * the gradients of {@code sum(out * r)} for index_select, gather (an index longer along the dim and
 * narrower elsewhere), scatter_add, embedding with padding_idx and one_hot, with duplicate int64
 * indices. Compared at float32 tolerances (summation order may differ from PyTorch's).
 */
public interface IndexParityChecks extends BackendUnderTest {

    @Test
    default void indexingMatchesPyTorch() throws IOException {
        try (var s = Kiln.scope(); TensorFile f = TorchFixtures.read("torch_index.safetensors", backend())) {
            Map<String, Tensor> t = f.tensors();
            Tensor x = t.get("index_select.x").requiresGrad(true);
            same(t, "index_select", x.indexSelect(1, t.get("index_select.index")), "x", x);

            Tensor g = t.get("gather.x").requiresGrad(true);
            same(t, "gather", g.gather(1, t.get("gather.index")), "x", g);

            Tensor self = t.get("scatter_add.self").requiresGrad(true), src = t.get("scatter_add.src").requiresGrad(true);
            same(t, "scatter_add", self.scatterAdd(0, t.get("scatter_add.index"), src), "self", self, "src", src);

            Tensor w = t.get("embedding.weight").requiresGrad(true);
            same(t, "embedding", Functional.embedding(t.get("embedding.index"), w, 0), "weight", w);

            assertArrayEquals(t.get("one_hot.out").toLongArray(), t.get("one_hot.index").oneHot(-1).toLongArray(), "one_hot");
        }
    }

    /** Output against {@code <c>.out}; then backward of {@code sum(out * r)} and each named input's gradient against {@code <c>.grad_<name>}. */
    private static void same(Map<String, Tensor> t, String c, Tensor out, Object... namedInputs) {
        Compare.assertClose(c + " output", TorchFixtures.nd(t.get(c + ".out")), out, Tolerances.PARITY_FP32);
        out.backward(t.get(c + ".r"));
        for (int i = 0; i < namedInputs.length; i += 2) {
            String name = (String) namedInputs[i];
            Compare.assertClose(c + " gradient of " + name, TorchFixtures.nd(t.get(c + ".grad_" + name)), ((Tensor) namedInputs[i + 1]).grad(),
                    Tolerances.PARITY_GRADIENT_FP32);
        }
    }
}
