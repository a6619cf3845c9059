package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checked NVRTC calls: compiles CUDA C++ held in memory (a translation unit and the headers it
 * includes by name) to a cubin or PTX image for {@code cuModuleLoadData}. Every non-zero
 * {@code nvrtcResult} becomes a {@link CudaException} naming the call, the status
 * ({@code nvrtcGetErrorString}) and, for a failed compilation, the options and the compile log.
 */
public final class RuntimeCompiler {
    /** {@code NVRTC_ERROR_COMPILATION}. */
    public static final int ERROR_COMPILATION = 6;
    /** Longest compile log kept in an exception message. */
    static final int MAX_LOG_CHARS = 8000;

    /** What a compilation yields: a cubin ({@code -arch=sm_XY}) or PTX ({@code -arch=compute_XY}). */
    public enum Output {
        /** Machine code for exactly one architecture; needs no JIT in the driver. */
        CUBIN,
        /** PTX, compiled by the driver's JIT at module load (its ISA version must not exceed the driver's). */
        PTX
    }

    /** NVRTC's version, e.g. 13.0. */
    public record Version(int major, int minor) {
        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /**
     * A compiled image.
     *
     * @param image  the cubin, or the PTX text with its trailing NUL
     * @param output which of the two
     * @param log    the compiler's log (warnings), empty when it had nothing to say
     */
    public record Compiled(byte[] image, Output output, String log) {}

    private final Nvrtc nvrtc;
    private final String loadedFrom;

    RuntimeCompiler(Nvrtc nvrtc, String loadedFrom) {
        this.nvrtc = nvrtc;
        this.loadedFrom = loadedFrom;
    }

    /**
     * NVRTC as {@code libs} opens it for a driver supporting CUDA {@code driverVersion}.
     *
     * @throws CudaException naming every soname and path tried, and the fix, when none opens
     */
    public static RuntimeCompiler open(NativeLibraries libs, int driverVersion) {
        Optional<SymbolLookup> lookup = libs.nvrtc(driverVersion);
        if (lookup.isEmpty()) {
            throw new CudaException("NVRTC (" + String.join(" or ", NativeLibraries.Library.NVRTC.sonamesFor(driverVersion))
                    + ") not found (tried " + String.join(", ", libs.attempts(NativeLibraries.Library.NVRTC).stream()
                    .map(Object::toString).toList()) + "); install the CUDA toolkit or the nvidia-cuda-nvrtc wheel and add "
                    + "its lib directory to LD_LIBRARY_PATH (or set KILN_CUDA_LIBRARY_PATH)");
        }
        return new RuntimeCompiler(new Nvrtc(lookup), libs.loadedFrom(NativeLibraries.Library.NVRTC).orElse("libnvrtc"));
    }

    /** The soname or path NVRTC was opened from. */
    public String loadedFrom() {
        return loadedFrom;
    }

    /** {@code nvrtcVersion}. */
    public Version version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT), minor = arena.allocate(JAVA_INT);
            check("nvrtcVersion", nvrtc.nvrtcVersion(major, minor), null);
            return new Version(major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0));
        }
    }

    /** The architectures this NVRTC compiles for, as {@code major * 10 + minor} (e.g. 75, 80, ..., 120), ascending. */
    public List<Integer> supportedArchs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            check("nvrtcGetNumSupportedArchs", nvrtc.nvrtcGetNumSupportedArchs(count), null);
            int n = count.get(JAVA_INT, 0);
            MemorySegment archs = arena.allocate(JAVA_INT, Math.max(1, n));
            check("nvrtcGetSupportedArchs", nvrtc.nvrtcGetSupportedArchs(archs), n + " architectures");
            List<Integer> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(archs.getAtIndex(JAVA_INT, i));
            return out.stream().sorted().toList();
        }
    }

    /**
     * Compiles translation unit {@code name} with {@code options}; {@code headers} maps each name
     * the sources {@code #include "..."} to its text.
     *
     * @throws CudaException for any failed call; a failed compilation names the options and carries
     *                       the compile log
     */
    public Compiled compile(String name, String source, Map<String, String> headers, List<String> options, Output output) {
        String what = name + " with " + String.join(" ", options);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment texts = arena.allocate(ADDRESS, Math.max(1, headers.size()));
            MemorySegment names = arena.allocate(ADDRESS, Math.max(1, headers.size()));
            int i = 0;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                texts.setAtIndex(ADDRESS, i, arena.allocateFrom(h.getValue()));
                names.setAtIndex(ADDRESS, i++, arena.allocateFrom(h.getKey()));
            }
            MemorySegment opts = arena.allocate(ADDRESS, Math.max(1, options.size()));
            for (int j = 0; j < options.size(); j++) opts.setAtIndex(ADDRESS, j, arena.allocateFrom(options.get(j)));

            MemorySegment progPtr = arena.allocate(ADDRESS);
            check("nvrtcCreateProgram", nvrtc.nvrtcCreateProgram(progPtr, arena.allocateFrom(source), arena.allocateFrom(name),
                    headers.size(), headers.isEmpty() ? MemorySegment.NULL : texts, headers.isEmpty() ? MemorySegment.NULL : names),
                    name + " and " + headers.size() + " headers");
            MemorySegment prog = progPtr.get(ADDRESS, 0);
            Compiled compiled = null;
            try {
                int status = nvrtc.nvrtcCompileProgram(prog, options.size(), options.isEmpty() ? MemorySegment.NULL : opts);
                String log = log(prog, arena);
                if (status != 0) {
                    throw new CudaException("nvrtcCompileProgram", status, statusName(status), what + "; compile log:\n"
                            + (log.length() > MAX_LOG_CHARS ? log.substring(0, MAX_LOG_CHARS) + "\n[log cut at " + MAX_LOG_CHARS
                            + " characters]" : log));
                }
                byte[] image = output == Output.CUBIN
                        ? read(prog, arena, "nvrtcGetCUBINSize", nvrtc::nvrtcGetCUBINSize, "nvrtcGetCUBIN", nvrtc::nvrtcGetCUBIN, what)
                        : read(prog, arena, "nvrtcGetPTXSize", nvrtc::nvrtcGetPTXSize, "nvrtcGetPTX", nvrtc::nvrtcGetPTX, what);
                compiled = new Compiled(image, output, log);
            } finally {
                int destroyed = nvrtc.nvrtcDestroyProgram(progPtr);
                if (destroyed != 0 && compiled != null) check("nvrtcDestroyProgram", destroyed, name);
            }
            return compiled;
        }
    }

    private interface Call {
        int apply(MemorySegment prog, MemorySegment out);
    }

    private byte[] read(MemorySegment prog, Arena arena, String sizeCall, Call size, String getCall, Call get, String what) {
        MemorySegment n = arena.allocate(JAVA_LONG);
        check(sizeCall, size.apply(prog, n), what);
        long bytes = n.get(JAVA_LONG, 0);
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new CudaException(sizeCall + " returned " + bytes + " bytes for " + what
                    + " (a compute_XY architecture yields PTX only, sm_XY a cubin)");
        }
        MemorySegment buffer = arena.allocate(bytes);
        check(getCall, get.apply(prog, buffer), what);
        return buffer.toArray(JAVA_BYTE);
    }

    /** The program's log, or a note saying why it could not be read. */
    private String log(MemorySegment prog, Arena arena) {
        MemorySegment n = arena.allocate(JAVA_LONG);
        int status = nvrtc.nvrtcGetProgramLogSize(prog, n);
        if (status != 0) return "(nvrtcGetProgramLogSize failed: " + statusName(status) + ")";
        long bytes = n.get(JAVA_LONG, 0);
        if (bytes <= 1) return "";
        MemorySegment buffer = arena.allocate(bytes);
        status = nvrtc.nvrtcGetProgramLog(prog, buffer);
        if (status != 0) return "(nvrtcGetProgramLog failed: " + statusName(status) + ")";
        return new String(buffer.toArray(JAVA_BYTE), 0, (int) bytes - 1, StandardCharsets.UTF_8).strip();
    }

    private void check(String function, int status, String context) {
        if (status != 0) throw new CudaException(function, status, statusName(status), context);
    }

    /** {@code nvrtcGetErrorString} (e.g. {@code NVRTC_ERROR_COMPILATION}), or a generic name. */
    public String statusName(int status) {
        try {
            String s = Driver.cString(nvrtc.nvrtcGetErrorString(status));
            return s.isEmpty() ? "nvrtcResult " + status : s;
        } catch (RuntimeException e) {
            return "nvrtcResult " + status;
        }
    }
}
