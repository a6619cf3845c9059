package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;

/**
 * Raw downcalls into NVRTC ({@code libnvrtc.so.13} or {@code .12}; signatures of CUDA 12/13
 * {@code nvrtc.h}, identical in both). Each method returns the {@code nvrtcResult} except
 * {@link #nvrtcGetErrorString}; {@link RuntimeCompiler} checks it. {@code nvrtcProgram} is a
 * pointer, {@code size_t} a {@code long}. Unlike the other raw classes the handles belong to an
 * instance: which NVRTC is opened depends on the driver's version, known only at run time, and
 * the few calls per process do not need constant handles.
 */
final class Nvrtc {
    /** Every bound function's C signature as a descriptor ({@code NvrtcHeaderTest} checks them against {@code nvrtc.h}). */
    static final Map<String, FunctionDescriptor> SIGNATURES = Map.ofEntries(
            Map.entry("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
            Map.entry("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcGetNumSupportedArchs", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
            Map.entry("nvrtcGetSupportedArchs", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
            Map.entry("nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
            Map.entry("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
            Map.entry("nvrtcGetPTXSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcGetPTX", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
            Map.entry("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));

    private final MethodHandle getErrorString, version, getNumSupportedArchs, getSupportedArchs, createProgram,
            destroyProgram, compileProgram, getPtxSize, getPtx, getCubinSize, getCubin, getProgramLogSize, getProgramLog;

    /** Handles into {@code lookup}; when it is empty every call throws "not available". */
    Nvrtc(Optional<SymbolLookup> lookup) {
        Downcalls d = new Downcalls(NativeLibraries.Library.NVRTC, lookup);
        getErrorString = bind(d, "nvrtcGetErrorString");
        version = bind(d, "nvrtcVersion");
        getNumSupportedArchs = bind(d, "nvrtcGetNumSupportedArchs");
        getSupportedArchs = bind(d, "nvrtcGetSupportedArchs");
        createProgram = bind(d, "nvrtcCreateProgram");
        destroyProgram = bind(d, "nvrtcDestroyProgram");
        compileProgram = bind(d, "nvrtcCompileProgram");
        getPtxSize = bind(d, "nvrtcGetPTXSize");
        getPtx = bind(d, "nvrtcGetPTX");
        getCubinSize = bind(d, "nvrtcGetCUBINSize");
        getCubin = bind(d, "nvrtcGetCUBIN");
        getProgramLogSize = bind(d, "nvrtcGetProgramLogSize");
        getProgramLog = bind(d, "nvrtcGetProgramLog");
    }

    /** The handle of {@code name} with its descriptor from {@link #SIGNATURES}. */
    private static MethodHandle bind(Downcalls d, String name) {
        return d.handle(name, SIGNATURES.get(name));
    }

    /** {@code int f(void *a)}: the common shape of the one-pointer calls. */
    private static int call(MethodHandle f, MemorySegment a) {
        try {
            return (int) f.invokeExact(a);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code int f(void *a, void *b)}: the common shape of the program queries. */
    private static int call(MethodHandle f, MemorySegment a, MemorySegment b) {
        try {
            return (int) f.invokeExact(a, b);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code const char *nvrtcGetErrorString(nvrtcResult result)}. */
    MemorySegment nvrtcGetErrorString(int result) {
        try { return (MemorySegment) getErrorString.invokeExact(result); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** {@code nvrtcVersion(int *major, int *minor)}. */
    int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        return call(version, major, minor);
    }

    /** {@code nvrtcGetNumSupportedArchs(int *numArchs)}. */
    int nvrtcGetNumSupportedArchs(MemorySegment numArchs) {
        return call(getNumSupportedArchs, numArchs);
    }

    /** {@code nvrtcGetSupportedArchs(int *supportedArchs)}. */
    int nvrtcGetSupportedArchs(MemorySegment supportedArchs) {
        return call(getSupportedArchs, supportedArchs);
    }

    /**
     * {@code nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders,
     * const char * const *headers, const char * const *includeNames)}.
     */
    int nvrtcCreateProgram(MemorySegment prog, MemorySegment src, MemorySegment name, int numHeaders, MemorySegment headers,
                           MemorySegment includeNames) {
        try {
            return (int) createProgram.invokeExact(prog, src, name, numHeaders, headers, includeNames);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code nvrtcDestroyProgram(nvrtcProgram *prog)}. */
    int nvrtcDestroyProgram(MemorySegment prog) {
        return call(destroyProgram, prog);
    }

    /** {@code nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options)}. */
    int nvrtcCompileProgram(MemorySegment prog, int numOptions, MemorySegment options) {
        try { return (int) compileProgram.invokeExact(prog, numOptions, options); } catch (Throwable t) { throw Downcalls.rethrow(t); }
    }

    /** {@code nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet)} (the size includes the trailing NUL). */
    int nvrtcGetPTXSize(MemorySegment prog, MemorySegment size) {
        return call(getPtxSize, prog, size);
    }

    /** {@code nvrtcGetPTX(nvrtcProgram prog, char *ptx)}. */
    int nvrtcGetPTX(MemorySegment prog, MemorySegment ptx) {
        return call(getPtx, prog, ptx);
    }

    /** {@code nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet)}. */
    int nvrtcGetCUBINSize(MemorySegment prog, MemorySegment size) {
        return call(getCubinSize, prog, size);
    }

    /** {@code nvrtcGetCUBIN(nvrtcProgram prog, char *cubin)}. */
    int nvrtcGetCUBIN(MemorySegment prog, MemorySegment cubin) {
        return call(getCubin, prog, cubin);
    }

    /** {@code nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet)}. */
    int nvrtcGetProgramLogSize(MemorySegment prog, MemorySegment size) {
        return call(getProgramLogSize, prog, size);
    }

    /** {@code nvrtcGetProgramLog(nvrtcProgram prog, char *log)}. */
    int nvrtcGetProgramLog(MemorySegment prog, MemorySegment log) {
        return call(getProgramLog, prog, log);
    }
}
