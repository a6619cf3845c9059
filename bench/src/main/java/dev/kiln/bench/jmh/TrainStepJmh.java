package dev.kiln.bench.jmh;

import dev.kiln.Kiln;
import dev.kiln.autograd.GradMode;
import dev.kiln.bench.SeedCnn;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The whole seed-CNN training step (forward, backward, Adam) and the inference forward pass on the CPU backend; images/s = batch x ops/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainStepJmh {
    @Param({"64", "128", "256"})
    public int batch;

    private SeedCnn model;
    private Tensor images, labels;

    @Setup(Level.Trial)
    public void setUp() {
        Backend cpu = Kiln.backend("cpu");
        Generator g = new Generator(42);
        float[] x = new float[batch * 28 * 28];
        g.fillUniform(x, 0f, 1f);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = g.nextInt(10);
        model = new SeedCnn(cpu, 1);
        images = Tensor.fromArray(cpu, x, batch, 1, 28, 28).unscope();
        labels = Tensor.fromInts(cpu, y, batch).unscope();
    }

    @Benchmark
    public float trainStep() {
        try (var s = Kiln.scope()) {
            return model.trainStep(images, labels, 1e-3f).item();
        }
    }

    @Benchmark
    public float inference() {
        try (var s = Kiln.scope(); GradMode.Restore off = GradMode.disable()) {
            return model.forward(images).sum().item();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        images.close();
        labels.close();
    }
}
