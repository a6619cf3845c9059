/**
 * Kiln's CUDA kernels: the fatbin and the CUDA sources as resources, and the Java names of their
 * entry points. Internal to the CUDA backend, so its one package is exported to that module only.
 */
@SuppressWarnings("module") // dev.kiln.cuda is built after this module, so javac cannot see it here
module dev.kiln.kernels {
    exports dev.kiln.kernels to dev.kiln.cuda;
}
