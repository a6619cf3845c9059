package dev.kiln.cuda.ffi;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * Builds the downcall handles of one library. A symbol that is absent (library not found, or
 * an older version without it) gets a handle of the same type that throws a {@link CudaException}
 * naming it, so the raw classes' static initialisers never fail.
 */
final class Downcalls {
    private final NativeLibraries.Library library;
    private final Optional<SymbolLookup> lookup;

    Downcalls(NativeLibraries.Library library) {
        this(library, NativeLibraries.get().lookup(library));
    }

    Downcalls(NativeLibraries.Library library, Optional<SymbolLookup> lookup) {
        this.library = library;
        this.lookup = lookup;
    }

    /** A handle for {@code name} returning {@code result} (null for void) and taking {@code args}. */
    MethodHandle handle(String name, MemoryLayout result, MemoryLayout... args) {
        return handle(name, result == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(result, args));
    }

    /** A handle for {@code name} with descriptor {@code fd}. */
    @SuppressWarnings("restricted") // the binding layer; IllegalCallerException becomes a failing handle
    MethodHandle handle(String name, FunctionDescriptor fd) {
        Optional<MemorySegment> symbol = lookup.flatMap(l -> l.find(name));
        if (symbol.isEmpty()) return missing(name, fd);
        try {
            return Linker.nativeLinker().downcallHandle(symbol.get(), fd);
        } catch (IllegalCallerException e) {
            return failing(fd.toMethodType(), new CudaException(name + ": " + NativeLibraries.nativeAccessFix()));
        }
    }

    private MethodHandle missing(String name, FunctionDescriptor fd) {
        String where = lookup.isEmpty() ? library.sonames().getFirst() + " was not loaded" : "the loaded " + library.sonames().getFirst()
                + " does not export it";
        return failing(fd.toMethodType(), new CudaException(name + " is not available: " + where));
    }

    private static MethodHandle failing(MethodType type, CudaException error) {
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), CudaException.class);
        thrower = MethodHandles.insertArguments(thrower, 0, error);
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }

    /** Rethrows what {@code invokeExact} threw: unchecked as is, anything else wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new CudaException("native call failed: " + t);
    }
}
