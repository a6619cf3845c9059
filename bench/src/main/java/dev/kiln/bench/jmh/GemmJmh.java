package dev.kiln.bench.jmh;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.spi.MatmulSpec;
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
 * SGEMM through the CPU backend's {@code matmul}: square sizes and the seed CNN's conv-shaped
 * products at batch 64 ({@code shape} = m x n x k). GFLOP/s = 2 m n k x ops/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmJmh {
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048", "32x43264x9", "64x7744x288", "64x576x576", "64x64x576"})
    public String shape;

    private Backend cpu;
    private Storage a, b, c;
    private MatmulSpec spec;

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        int m = Integer.parseInt(d[0]), n = Integer.parseInt(d[1]), k = Integer.parseInt(d[2]);
        cpu = Kiln.backend("cpu");
        spec = MatmulSpec.of(m, n, k, false, false);
        a = Fixtures.random(cpu, (long) m * k);
        b = Fixtures.random(cpu, (long) k * n);
        c = cpu.allocate(DType.FLOAT32, (long) m * n);
    }

    @Benchmark
    public void sgemm() {
        cpu.matmul(spec, a, b, c);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        c.close();
    }
}
