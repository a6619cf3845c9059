package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.Module;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PyTorch parity fixtures under {@code src/test/resources/parity/} (written by the
 * {@code bench/peers/torch_*_fixtures.py} scripts): reading one onto a backend, and moving a PyTorch
 * state dict into a Kiln module the way a user would, through a safetensors file with PyTorch's
 * names, loaded strictly.
 */
public final class TorchFixtures {
    private TorchFixtures() {}

    /**
     * Reads fixture {@code name} (e.g. {@code "mha_self_masks.safetensors"}) onto {@code backend}.
     * The reader wants a file and the fixture may sit in a jar, so it is copied out first; the
     * copy is deleted once read.
     */
    public static TensorFile read(String name, Backend backend) {
        try (InputStream in = TorchFixtures.class.getResourceAsStream("/parity/" + name)) {
            assertNotNull(in, "fixture /parity/" + name + " is not on the test class path (bench/peers/torch_*_fixtures.py write them)");
            Path tmp = Files.createTempFile("kiln-parity-", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return SafeTensors.read(tmp, backend);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the fixture tensor as a float64 array for {@link Compare}} Fails when the fixture lacks it. */
    public static Nd nd(Tensor t) {
        assertNotNull(t, "tensor missing from the fixture");
        return Nd.of(t.toFloatArray(), t.shape());
    }

    /**
     * The fixture's {@code state.<name>} tensors (PyTorch's state dict) into {@code module}: first
     * the reverse direction (Kiln's state dict has exactly PyTorch's keys and shapes, so PyTorch can
     * load Kiln's), then PyTorch to Kiln through a safetensors file with PyTorch's names, strictly.
     */
    public static void loadTorchState(Map<String, Tensor> fixture, Module module, String where) {
        Map<String, Tensor> torchState = new TreeMap<>();
        fixture.forEach((k, v) -> { if (k.startsWith("state.")) torchState.put(k.substring("state.".length()), v); });
        Map<String, Tensor> kilnState = new TreeMap<>(module.stateDict());
        assertEquals(torchState.keySet(), kilnState.keySet(), where + ": state dict keys");
        for (String k : torchState.keySet()) assertArrayEquals(torchState.get(k).shape(), kilnState.get(k).shape(), where + ": " + k);
        try {
            Path state = Files.createTempFile("kiln-torch-state-", ".safetensors");
            try {
                SafeTensors.write(state, torchState, Map.of());
                SafeTensors.loadInto(state, module.stateDict(), true);
            } finally {
                Files.deleteIfExists(state);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each tensor's gradient against the fixture's {@code grad.<name>}: {@code inputs} maps a fixture
     * name (e.g. {@code "src"}) to the tensor whose gradient it holds; every parameter of
     * {@code module} is compared with {@code grad.state.<parameter name>}.
     */
    public static void assertGradients(Map<String, Tensor> fixture, Map<String, Tensor> inputs, Module module, String where,
                                       Tolerances.Tol tol) {
        Map<String, Tensor> all = new java.util.LinkedHashMap<>(inputs);
        module.namedParameters().forEach((k, p) -> all.put("state." + k, p));
        for (Map.Entry<String, Tensor> g : all.entrySet()) {
            Compare.assertClose(where + ": gradient of " + g.getKey(), nd(fixture.get("grad." + g.getKey())), g.getValue().grad(), tol);
        }
    }
}
