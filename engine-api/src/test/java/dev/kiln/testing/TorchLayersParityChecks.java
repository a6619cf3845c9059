package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.LoadResult;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.Conv1d;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Module;
import dev.kiln.nn.RMSNorm;
import dev.kiln.nn.SinusoidalPositionalEncoding;
import dev.kiln.ops.Conv1dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.PaddingMode;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parity with PyTorch 1.13: {@code parity/torch_layers.safetensors}, written by
 * {@code bench/peers/torch_layers_fixtures.py}, holds inputs, parameters, outputs and the
 * gradients of {@code sum(y * r)} of nn.LayerNorm, RMS norm (its formula), nn.Conv1d and the
 * tutorial's sinusoidal table. Each layer is built here with Kiln's parameter names, loaded from
 * the file by those names (so a renamed parameter fails), run forward and backward, and compared
 * at float32 tolerances.
 */
public interface TorchLayersParityChecks extends BackendUnderTest {

    @Test
    default void layerNormMatchesPyTorch() {
        check("layer_norm", LayerNorm.builder(8).backend(backend()).build());
        check("layer_norm_2d", LayerNorm.builder(3, 4).eps(1e-3f).backend(backend()).build());
    }

    @Test
    default void rmsNormMatchesPyTorchsFormula() {
        check("rms_norm", new RMSNorm(new int[] {8}, Functional.RMS_NORM_EPS, true, backend()));
    }

    @Test
    default void conv1dMatchesPyTorch() {
        Generator g = new Generator(1);
        Conv1dOptions d = Conv1dOptions.defaults();
        check("conv1d_same", new Conv1d(4, 6, 3, d.paddingSame().dilation(2).groups(2), true, g, backend()));
        check("conv1d_circular", new Conv1d(3, 4, 4, d.stride(2).padding(2).paddingMode(PaddingMode.CIRCULAR), true, g, backend()));
        check("conv1d_no_bias", new Conv1d(2, 3, 3, d.padding(1), false, g, backend()));
    }

    @Test
    default void sinusoidalTableMatchesPyTorchsTutorial() {
        try (var s = Kiln.scope(); TensorFile f = fixture();
             SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(6, 16, true, backend())) {
            Tensor expected = f.tensors().get("sinusoidal.pe");
            Compare.assertClose("sinusoidal pe", Nd.of(expected.toFloatArray(), expected.shape()), pe.namedBuffers().get("pe"),
                    Tolerances.PARITY_FP32);
        }
    }

    /** Loads {@code module}'s parameters from {@code prefix.<name>}, runs it on {@code prefix.x} and compares y and every gradient. */
    private void check(String prefix, Module module) {
        try (module; var s = Kiln.scope(); TensorFile f = fixture()) {
            Map<String, Tensor> target = new LinkedHashMap<>();
            module.namedParameters().forEach((name, t) -> target.put(prefix + "." + name, t));
            LoadResult loaded = SafeTensors.loadInto(file(), target, false);
            assertTrue(loaded.missing().isEmpty() && loaded.mismatched().isEmpty(), prefix + ": parameters vs PyTorch's " + loaded);
            Map<String, Tensor> ref = f.tensors();
            Tensor x = copy(ref.get(prefix + ".x")).requiresGrad(true);
            Tensor y = module.forward(x);
            Compare.assertClose(prefix + " output", nd(ref.get(prefix + ".y")), y, Tolerances.PARITY_FP32);
            y.mul(copy(ref.get(prefix + ".r"))).sum().backward();
            Compare.assertClose(prefix + " input gradient", nd(ref.get(prefix + ".grad.x")), x.grad(), Tolerances.PARITY_GRADIENT_FP32);
            int grads = 0;
            for (var e : module.namedParameters().entrySet()) {
                Tensor expected = ref.get(prefix + ".grad." + e.getKey());
                assertNotNull(expected, prefix + ": no PyTorch gradient for " + e.getKey());
                Compare.assertClose(prefix + " gradient of " + e.getKey(), nd(expected), e.getValue().grad(), Tolerances.PARITY_GRADIENT_FP32);
                grads++;
            }
            assertEquals(module.namedParameters().size(), grads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tensor copy(Tensor fromFile) {
        return tensor(fromFile.toFloatArray(), fromFile.shape());
    }

    private static Nd nd(Tensor t) {
        return Nd.of(t.toFloatArray(), t.shape());
    }

    private TensorFile fixture() {
        try {
            return SafeTensors.read(file(), backend());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture as a file (the reader wants a path; from a test jar it is a stream), copied once per JVM. */
    private static Path file() throws IOException {
        synchronized (TorchLayersParityChecks.class) {
            Path p = Path.of(System.getProperty("java.io.tmpdir"), "kiln-torch-layers-" + ProcessHandle.current().pid() + ".safetensors");
            if (!Files.exists(p)) {
                try (InputStream in = TorchLayersParityChecks.class.getResourceAsStream("/parity/torch_layers.safetensors")) {
                    assertNotNull(in, "parity/torch_layers.safetensors is not on the test class path");
                    Path tmp = Files.createTempFile(p.getParent(), "kiln-torch-layers", ".tmp");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                p.toFile().deleteOnExit();
            }
            return p;
        }
    }
}
