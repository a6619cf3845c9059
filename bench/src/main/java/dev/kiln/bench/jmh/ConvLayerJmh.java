package dev.kiln.bench.jmh;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
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

/**
 * Each seed-CNN convolution at batch 64, forward (with bias), input gradient and weight
 * gradient, plus the two max-pool layers forward and backward, on the CPU backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvLayerJmh {
    /** conv1: 1->32 on 28x28; conv2: 32->64 on 13x13; conv3: 64->64 on 5x5 (3x3 kernels, no padding). */
    @Param({"conv1", "conv2", "conv3"})
    public String layer;

    private Backend cpu;
    private Conv2dSpec spec;
    private Pool2dSpec pool;
    private Storage x, w, bias, y, gy, gx, gw, px, py, pgy, pgx;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = Kiln.backend("cpu");
        int n = 64;
        spec = switch (layer) {
            case "conv1" -> new Conv2dSpec(n, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1);
            case "conv2" -> new Conv2dSpec(n, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1);
            default -> new Conv2dSpec(n, 64, 5, 5, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        };
        long xn = (long) n * spec.c() * spec.h() * spec.w(), yn = (long) n * spec.outC() * spec.outH() * spec.outW();
        x = Fixtures.random(cpu, xn);
        w = Fixtures.random(cpu, (long) spec.outC() * spec.c() * 9);
        bias = Fixtures.random(cpu, spec.outC());
        y = cpu.allocate(DType.FLOAT32, yn);
        gy = Fixtures.random(cpu, yn);
        gx = cpu.allocate(DType.FLOAT32, xn);
        gw = cpu.allocate(DType.FLOAT32, w.numel());
        // The max pool that follows conv1 and conv2 (2x2, stride 2) on this layer's output.
        pool = new Pool2dSpec(n, spec.outC(), spec.outH(), spec.outW(), 2, 2, 2, 2, 0, 0, 1, 1, false, false);
        px = Fixtures.random(cpu, yn);
        py = cpu.allocate(DType.FLOAT32, (long) n * spec.outC() * pool.outH() * pool.outW());
        pgy = Fixtures.random(cpu, py.numel());
        pgx = cpu.allocate(DType.FLOAT32, yn);
        cpu.maxPool2d(pool, px, py);
    }

    @Benchmark
    public void forward() {
        cpu.conv2d(spec, x, w, bias, y);
    }

    @Benchmark
    public void backwardData() {
        cpu.conv2dBackwardData(spec, gy, w, gx);
    }

    @Benchmark
    public void backwardWeight() {
        cpu.conv2dBackwardWeight(spec, x, gy, gw);
    }

    @Benchmark
    public void maxPoolForward() {
        cpu.maxPool2d(pool, px, py);
    }

    @Benchmark
    public void maxPoolBackward() {
        cpu.maxPool2dBackward(pool, px, py, pgy, pgx);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Storage s : new Storage[] {x, w, bias, y, gy, gx, gw, px, py, pgy, pgx}) s.close();
    }
}
