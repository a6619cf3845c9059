package dev.kiln.cuda.driver;

import dev.kiln.cuda.CudaException;
import dev.kiln.cuda.ffi.RuntimeCompiler;
import dev.kiln.cuda.ffi.RuntimeCompiler.Output;
import dev.kiln.kernels.KernelSources;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles the kernels' shipped sources ({@link KernelSources}) with NVRTC for one GPU: a cubin
 * for its own architecture when this NVRTC knows it, else PTX for the newest architecture below it
 * that NVRTC knows (the driver JITs that PTX for the GPU). Results are cached by sources hash,
 * target, NVRTC version and options ({@link CompiledKernelCache}).
 */
public final class NvrtcKernels {
    /** The options besides the architecture: the language level nvcc builds the fatbin with. */
    static final List<String> OPTIONS = List.of("-std=c++17");

    /**
     * What to compile for.
     *
     * @param output cubin or PTX
     * @param arch   {@code major * 10 + minor}
     */
    public record Target(Output output, int arch) {
        /** {@code sm_XY} for a cubin, {@code compute_XY} for PTX. */
        public String name() {
            return (output == Output.CUBIN ? "sm_" : "compute_") + arch;
        }
    }

    private final RuntimeCompiler compiler;
    private final CompiledKernelCache cache;
    private final KernelSources sources;

    /** Compiles {@code sources} with {@code compiler}, caching in {@code cache}. */
    public NvrtcKernels(RuntimeCompiler compiler, CompiledKernelCache cache, KernelSources sources) {
        this.compiler = compiler;
        this.cache = cache;
        this.sources = sources;
    }

    /**
     * The target for a GPU of compute capability {@code deviceArch} ({@code major * 10 + minor})
     * given NVRTC's supported architectures.
     *
     * @throws CudaException if NVRTC supports nothing at or below the GPU's architecture
     */
    public static Target target(int deviceArch, List<Integer> supported) {
        if (supported.contains(deviceArch)) return new Target(Output.CUBIN, deviceArch);
        int best = -1;
        for (int a : supported) if (a <= deviceArch && a > best) best = a;
        if (best < 0) {
            throw new CudaException("NVRTC compiles for " + supported.stream().map(a -> "sm_" + a).toList()
                    + ", nothing at or below this GPU's sm_" + deviceArch + "; use an NVRTC of an older CUDA version");
        }
        return new Target(Output.PTX, best);
    }

    /**
     * The kernels for a GPU of compute capability {@code ccMajor.ccMinor}, from the cache or compiled now.
     *
     * @throws CudaException if NVRTC fails (with the options and the compile log)
     */
    public KernelModules.Image compile(int ccMajor, int ccMinor) {
        Target target = target(ccMajor * 10 + ccMinor, compiler.supportedArchs());
        String version = compiler.version().toString();
        CompiledKernelCache.Key key = new CompiledKernelCache.Key(sources.sha256(), target.name(), version, OPTIONS);
        String origin = "NVRTC " + version + " " + (target.output() == Output.CUBIN ? "cubin " : "PTX ") + target.name();
        var cached = cache.get(key);
        if (cached.isPresent()) return new KernelModules.Image(cached.get(), origin + " (cached)");
        List<String> options = new ArrayList<>(OPTIONS);
        options.add("--gpu-architecture=" + target.name());
        RuntimeCompiler.Compiled compiled = compiler.compile(sources.mainName(), sources.main(), sources.headers(), options,
                target.output());
        cache.put(key, compiled.image());
        return new KernelModules.Image(compiled.image(), origin);
    }
}
