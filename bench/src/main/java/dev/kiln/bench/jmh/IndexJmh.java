package dev.kiln.bench.jmh;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.spi.IndexSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedding of a sequence batch on the CPU backend (batch 64, sequence 128: 8,192 tokens
 * into a [10,000, 256] table): the lookup (indexGather) and the weight gradient (indexScatterAdd
 * into zeros), the primitives under {@code embedding} and its backward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class IndexJmh {
    private static final int VOCAB = 10_000, DIM = 256, TOKENS = 64 * 128;

    private Backend cpu;
    private IndexSpec spec;
    private Storage weight, index, out, grad, gw;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = Kiln.backend("cpu");
        spec = new IndexSpec("embedding", 0, 1, VOCAB, TOKENS, DIM, true, 0);
        weight = Fixtures.random(cpu, (long) VOCAB * DIM);
        grad = Fixtures.random(cpu, (long) TOKENS * DIM);
        out = cpu.allocate(DType.FLOAT32, (long) TOKENS * DIM);
        gw = cpu.allocate(DType.FLOAT32, (long) VOCAB * DIM);
        index = cpu.allocate(DType.INT64, TOKENS);
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_LONG, TOKENS);
            for (int i = 0; i < TOKENS; i++) host.setAtIndex(ValueLayout.JAVA_LONG, i, r.nextInt(VOCAB));
            cpu.copyFromHost(host, index);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Storage s : new Storage[] {weight, index, out, grad, gw}) s.close();
    }

    @Benchmark
    public void lookup() {
        cpu.indexGather(spec, weight, index, out);
    }

    @Benchmark
    public void weightGradient() {
        cpu.fill(gw, 0f);
        cpu.indexScatterAdd(spec, grad, index, gw);
    }
}
