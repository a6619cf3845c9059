package dev.kiln.bench.jmh;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Activation kernels forward and backward on the CPU backend over the transformer benchmark's
 * feed-forward activation ({@code [64 * 128, 1024]}, inputs uniform in [-1, 1), so signs are random):
 * exact GELU, its tanh form and ReLU. Time per call; divide by {@link #NUMEL} for time per element.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ActivationJmh {
    /** Elements per call: 8,388,608. */
    public static final long NUMEL = 64L * 128 * 1024;

    /** The activation. */
    @Param({"GELU", "GELU_TANH", "RELU"})
    public String op;

    private Backend cpu;
    private UnaryOp unary;
    private Storage x, y, gy, gx;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = Kiln.backend("cpu");
        unary = UnaryOp.valueOf(op);
        x = Fixtures.random(cpu, NUMEL);
        gy = Fixtures.random(cpu, NUMEL);
        y = cpu.allocate(DType.FLOAT32, NUMEL);
        gx = cpu.allocate(DType.FLOAT32, NUMEL);
        cpu.unary(unary, 0f, x, y);
    }

    @Benchmark
    public void forward() {
        cpu.unary(unary, 0f, x, y);
    }

    @Benchmark
    public void backward() {
        cpu.unaryBackward(unary, 0f, x, y, gy, gx);
    }
}
