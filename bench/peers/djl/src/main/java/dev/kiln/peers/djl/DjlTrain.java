package dev.kiln.peers.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed CNN on libtorch through DJL: the peer of {@code ./kiln bench train|infer|cold} and of
 * {@code bench/peers/torch_train.py}, same model, initialisation, optimizer, data and timing.
 *
 * <p>Model: Conv 3x3 32 ReLU, MaxPool 2, Conv 3x3 64 ReLU, MaxPool 2, Conv 3x3 64 ReLU, Flatten,
 * Linear 576-64 ReLU, Linear 64-10, as a DJL {@link SequentialBlock}. Weights and biases are drawn
 * from PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (set per layer with an
 * {@link Initializer}; DJL's own default would be Xavier weights and zero biases). Adam lr 1e-3,
 * betas 0.9/0.999, eps 1e-8 ({@link Optimizer#adam()}, DJL's fused libtorch update), mean softmax
 * cross-entropy over sparse labels ({@link Loss#softmaxCrossEntropyLoss()}). The batch is random
 * data created once as NDArrays.
 *
 * <p>The training step is the lowest-overhead loop a DJL user writes without {@code EasyTrain}
 * (which adds per-batch listener and split bookkeeping): {@link Trainer#forward},
 * {@code Loss.evaluate}, {@link GradientCollector#backward}, {@link Trainer#step}. Each step's
 * intermediates live in a sub-manager closed at the end of the step (the input is
 * {@code tempAttach}ed to it), so memory stays flat. Inference calls the block's forward with
 * {@code training=false} outside any gradient collector, where DJL keeps libtorch's grad mode off.
 *
 * <p>Options: {@code --mode train|infer}, {@code --batch 64,128}, {@code --warmup 3},
 * {@code --steps 10}, {@code --repeats 5}, {@code --threads 2} (libtorch intra-op threads, set
 * through {@code ai.djl.pytorch.num_threads} before the engine loads; inter-op threads 1),
 * {@code --timeline} (no warm-up: one JSON line with every step's end time from the first step's
 * start, and the time from JVM start to the first step; {@code --steps} is then the whole run),
 * {@code --init FILE} (start from the parameters and batch {@code ./kiln bench cold --init-out FILE}
 * wrote, safetensors: the parity check that both sides compute the same losses).
 * Output: one JSON line per batch size, shaped like {@code torch_train.py}'s.
 */
public final class DjlTrain {
    private DjlTrain() {}

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) {
        Options o = Options.parse(args);
        // Must precede the first Engine call: PtEngine reads them once when libtorch loads.
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(o.threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(1);
        for (int batch : o.batches) {
            System.out.println(o.timeline ? timeline(engine, o, batch) : blocks(engine, o, batch));
            System.out.flush();
        }
    }

    /** The timed-block run: warm-up steps, then {@code repeats} blocks of {@code steps} steps, images/s each. */
    private static String blocks(Engine engine, Options o, int batch) {
        try (Run run = new Run(o.mode, batch, o.init)) {
            for (int i = 0; i < o.warmup; i++) run.step(false);
            List<String> ips = new ArrayList<>();
            float loss = Float.NaN;
            for (int r = 0; r < o.repeats; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < o.steps; i++) loss = run.step(i == o.steps - 1);
                double seconds = (System.nanoTime() - t0) / 1e9;
                ips.add(String.format(Locale.ROOT, "%.1f", batch * o.steps / seconds));
            }
            return head(engine, o, batch) + String.format(Locale.ROOT, ", \"warmup\": %d, \"images_per_s\": [%s], \"%s\": %.5f}",
                    o.warmup, String.join(", ", ips), o.mode.equals("train") ? "last_loss" : "last_logits_sum", loss);
        }
    }

    /**
     * The cold run: from the first step, each step's end in ns after the first step's start; also
     * the wall-clock instant of that start (epoch us, for a parent that noted the launch time) and
     * the time since the JVM started.
     */
    private static String timeline(Engine engine, Options o, int batch) {
        try (Run run = new Run(o.mode, batch, o.init)) {
            long[] ends = new long[o.steps];
            float first = Float.NaN, last = Float.NaN;
            java.time.Instant startWall = java.time.Instant.now();
            long t0 = System.nanoTime();
            for (int i = 0; i < o.steps; i++) {
                float v = run.step(i == 0 || i == o.steps - 1);
                ends[i] = System.nanoTime() - t0;
                if (i == 0) first = v;
                last = v;
            }
            long jvmStartMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
            long startUs = startWall.getEpochSecond() * 1_000_000L + startWall.getNano() / 1000;
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < ends.length; i++) s.append(i == 0 ? "" : ",").append(ends[i]);
            return head(engine, o, batch) + String.format(Locale.ROOT,
                    ", \"timeline\": true, \"jvm_start_to_first_step_ms\": %.1f, \"first_step_epoch_us\": %d, \"step_end_ns\": [%s], \"first_loss\": %.5f, \"last_loss\": %.5f}",
                    startUs / 1000.0 - jvmStartMs, startUs, s, first, last);
        }
    }

    private static String head(Engine engine, Options o, int batch) {
        return String.format(Locale.ROOT,
                "{\"bench\": \"%s\", \"framework\": \"djl\", \"engine\": \"libtorch %s (DJL %s)\", \"torch\": \"%s\", \"backend\": \"cpu\", "
                        + "\"threads\": %d, \"interop_threads\": %d, \"os_threads\": %d, \"batch\": %d, \"steps\": %d",
                o.mode, engine.getVersion(), Engine.getDjlVersion(), engine.getVersion(), ai.djl.pytorch.jni.JniUtils.getNumThreads(),
                ai.djl.pytorch.jni.JniUtils.getNumInteropThreads(), osThreads(), batch, o.steps);
    }

    /** Threads of this process as the kernel sees them (JVM threads plus libtorch's OpenMP pool), -1 off Linux. */
    private static int osThreads() {
        String[] tasks = new java.io.File("/proc/self/task").list();
        return tasks == null ? -1 : tasks.length;
    }

    /** One model, its trainer and one batch of random data; {@link #step} runs one training or inference step. */
    private static final class Run implements AutoCloseable {
        private final boolean train;
        private final Model model;
        private final Trainer trainer;
        private final NDManager manager;
        private NDArray x;
        private NDArray y;
        private final ParameterStore inferStore;

        Run(String mode, int batch, String init) {
            train = mode.equals("train");
            model = Model.newInstance("seed-cnn", "PyTorch");
            model.setBlock(seedCnn());
            manager = model.getNDManager();
            x = manager.randomUniform(0f, 1f, new Shape(batch, 1, 28, 28));
            y = manager.randomInteger(0, 10, new Shape(batch), DataType.INT64);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).optBeta1(0.9f).optBeta2(0.999f).optEpsilon(1e-8f).build());
            trainer = model.newTrainer(config);
            trainer.initialize(new Shape(batch, 1, 28, 28));
            inferStore = new ParameterStore(manager, false);
            if (init != null) load(init);
        }

        /** Replaces the initial parameters (in layer order, weight before bias) and the batch with a file's. */
        private void load(String file) {
            NDList saved;
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
                saved = NDList.decode(manager, in);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("DjlTrain --init: cannot read " + file, e);
            }
            String[] names = {"0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias", "9.weight", "9.bias", "11.weight", "11.bias"};
            List<Parameter> params = model.getBlock().getParameters().values();
            if (params.size() != names.length) throw new IllegalStateException("DjlTrain --init: expected 10 parameters, the block has " + params.size());
            for (int i = 0; i < names.length; i++) {
                NDArray a = saved.get(names[i]);
                NDArray p = params.get(i).getArray();
                if (a == null || !a.getShape().equals(p.getShape())) {
                    throw new IllegalArgumentException("DjlTrain --init: expected " + names[i] + " of shape " + p.getShape() + " in " + file + ", found "
                            + (a == null ? "none" : a.getShape()));
                }
                p.set(a.toFloatArray());
            }
            NDArray xs = saved.get("x"), ys = saved.get("y");
            if (xs == null || ys == null || !xs.getShape().equals(x.getShape())) {
                throw new IllegalArgumentException("DjlTrain --init: expected the batch x " + x.getShape() + " and y in " + file);
            }
            x = xs;
            y = ys.toType(DataType.INT64, false);
        }

        /**
         * One step; with {@code report}, returns the loss (train) or the sum of the logits (infer), read
         * back from libtorch, otherwise NaN (as Kiln's side, which reads only the first and last step's).
         */
        float step(boolean report) {
            try (NDManager scope = manager.newSubManager()) {
                x.tempAttach(scope);
                y.tempAttach(scope);
                if (!train) {
                    NDArray logits = model.getBlock().forward(inferStore, new NDList(x), false).singletonOrThrow();
                    return report ? logits.sum().getFloat() : Float.NaN;
                }
                NDArray loss;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList logits = trainer.forward(new NDList(x));
                    loss = trainer.getLoss().evaluate(new NDList(y), logits);
                    gc.backward(loss);
                }
                trainer.step();
                return report ? loss.getFloat() : Float.NaN;
            }
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    /** The seed CNN as a DJL block, each layer initialised as PyTorch's default would. */
    static Block seedCnn() {
        Shape k3 = new Shape(3, 3), p2 = new Shape(2, 2);
        return new SequentialBlock()
                .add(torchInit(Conv2d.builder().setKernelShape(k3).setFilters(32).build(), 9))
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(p2, p2))
                .add(torchInit(Conv2d.builder().setKernelShape(k3).setFilters(64).build(), 32 * 9))
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(p2, p2))
                .add(torchInit(Conv2d.builder().setKernelShape(k3).setFilters(64).build(), 64 * 9))
                .add(Activation.reluBlock())
                .add(Blocks.batchFlattenBlock())
                .add(torchInit(Linear.builder().setUnits(64).build(), 576))
                .add(Activation.reluBlock())
                .add(torchInit(Linear.builder().setUnits(10).build(), 64));
    }

    /** PyTorch's default for Conv2d and Linear: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    private static Block torchInit(Block layer, int fanIn) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        Initializer uniform = (m, shape, type) -> m.randomUniform(-bound, bound, shape, type);
        layer.setInitializer(uniform, Parameter.Type.WEIGHT);
        layer.setInitializer(uniform, Parameter.Type.BIAS);
        return layer;
    }

    /** The command line. */
    private record Options(String mode, int[] batches, int warmup, int steps, int repeats, int threads, boolean timeline, String init) {
        static Options parse(String[] args) {
            String mode = "train", batch = "64,128", init = null;
            int warmup = 3, steps = 10, repeats = 5, threads = 2;
            boolean timeline = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--timeline")) {
                    timeline = true;
                    continue;
                }
                if (i + 1 >= args.length) throw new IllegalArgumentException("DjlTrain: option " + a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--mode" -> mode = v;
                    case "--batch" -> batch = v;
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    case "--steps" -> steps = Integer.parseInt(v);
                    case "--repeats" -> repeats = Integer.parseInt(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--init" -> init = v;
                    default -> throw new IllegalArgumentException("DjlTrain: unknown option " + a
                            + " (expected --mode train|infer, --batch, --warmup, --steps, --repeats, --threads, --timeline, --init FILE)");
                }
            }
            if (!mode.equals("train") && !mode.equals("infer")) throw new IllegalArgumentException("DjlTrain: --mode must be train or infer, got " + mode);
            int[] batches = java.util.Arrays.stream(batch.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            return new Options(mode, batches, warmup, steps, repeats, threads, timeline, init);
        }
    }
}
