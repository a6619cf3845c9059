/**
 * Kiln's engine API: tensors, autograd, ops, layers, optimizers, data, checkpoints, the training
 * loop, and the SPI that backends implement.
 *
 * <p>Backends are separate modules found with {@link java.util.ServiceLoader}: add
 * {@code dev.kiln.cpu} (artifact {@code engine-cpu}) and, for NVIDIA GPUs, {@code dev.kiln.cuda}
 * ({@code engine-cuda}). On the module path the launcher binds them as service providers; on the
 * class path their {@code META-INF/services} entries do the same.
 */
module dev.kiln {
    exports dev.kiln;
    exports dev.kiln.tensor;
    exports dev.kiln.autograd;
    exports dev.kiln.nn;
    exports dev.kiln.ops;
    exports dev.kiln.optim;
    exports dev.kiln.optim.schedule;
    exports dev.kiln.data;
    exports dev.kiln.io;
    exports dev.kiln.train;
    // For backend authors: what a backend implements and how it is discovered.
    exports dev.kiln.spi;
    exports dev.kiln.nn.lora;
    exports dev.kiln.text;
    exports dev.kiln.nn.gpt;

    uses dev.kiln.spi.BackendProvider;
}
