package dev.kiln.cuda.ffi;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every checked call reaches its downcall handle with exactly the handle's type. Without the
 * libraries each handle is a same-typed thrower, so a call site whose Java types disagree with the
 * C signature would throw {@code WrongMethodTypeException} here instead of "not available".
 * Skipped where the libraries exist (fake handles must not reach real functions).
 */
class CallSiteTypesTest {
    private static final MemorySegment FAKE = MemorySegment.ofAddress(0x1000);

    private static void unavailable(Executable call) {
        CudaException e = assertThrows(CudaException.class, call);
        assertTrue(e.getMessage().contains("is not available"), e.getMessage());
    }

    @Test
    void driverCalls() {
        assumeTrue(NativeLibraries.get().lookup(NativeLibraries.Library.CUDA).isEmpty(), "libcuda.so.1 is present");
        Driver.Stream stream = new Driver.Stream(FAKE);
        unavailable(Driver::init);
        unavailable(Driver::driverVersion);
        unavailable(Driver::deviceCount);
        unavailable(() -> Driver.device(0));
        unavailable(() -> Driver.deviceName(0));
        unavailable(() -> Driver.attribute(0, Driver.ATTR_CC_MAJOR));
        unavailable(Driver::memInfo);
        unavailable(() -> Driver.tryMalloc(16));
        unavailable(() -> Driver.free(16));
        unavailable(() -> Driver.memsetD32(16, 0, 1, stream));
        unavailable(() -> Driver.memsetD8(16, (byte) 1, 1, stream));
        unavailable(() -> Driver.memsetD2D32(16, 8, 0, 1, 1, stream));
        unavailable(() -> Driver.copyDeviceToDevice(16, 32, 4, stream));
        unavailable(() -> Driver.Context.retainPrimary(0));
        unavailable(() -> new Driver.Context(0, FAKE).makeCurrent());
        unavailable(() -> new Driver.Context(0, FAKE).close());
        unavailable(Driver.Stream::create);
        unavailable(stream::synchronize);
        unavailable(stream::close);
        Driver.Event event = new Driver.Event(FAKE);
        unavailable(Driver.Event::create);
        unavailable(() -> event.record(stream));
        unavailable(event::isDone);
        unavailable(event::synchronize);
        unavailable(event::close);
        unavailable(() -> Driver.PinnedBuffer.allocate(64));
        try (Arena arena = Arena.ofConfined()) {
            Driver.PinnedBuffer pinned = new Driver.PinnedBuffer(arena.allocate(64));
            unavailable(() -> Driver.copyHostToDevice(16, pinned, 0, 8, stream));
            unavailable(() -> Driver.copyDeviceToHost(pinned, 0, 16, 8, stream));
            unavailable(pinned::close);
        }
        unavailable(() -> Driver.Module.load(new byte[] {1, 2, 3}));
        unavailable(() -> new Driver.Module(FAKE).function("kiln_fill_f32"));
        unavailable(() -> new Driver.Module(FAKE).close());
        unavailable(() -> new Driver.Function("k", FAKE).launch(1, 1, 1, 32, 1, 1, 0, stream, FAKE));
        assertTrue(Driver.errorName(2).contains("2"));
    }

    /** Raw and checked NVRTC calls against handles of an NVRTC that was not found (never real functions). */
    @Test
    void nvrtcCalls() {
        Nvrtc raw = new Nvrtc(java.util.Optional.empty());
        unavailable(() -> raw.nvrtcVersion(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetNumSupportedArchs(FAKE));
        unavailable(() -> raw.nvrtcGetSupportedArchs(FAKE));
        unavailable(() -> raw.nvrtcCreateProgram(FAKE, FAKE, FAKE, 0, MemorySegment.NULL, MemorySegment.NULL));
        unavailable(() -> raw.nvrtcDestroyProgram(FAKE));
        unavailable(() -> raw.nvrtcCompileProgram(FAKE, 0, MemorySegment.NULL));
        unavailable(() -> raw.nvrtcGetPTXSize(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetPTX(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetCUBINSize(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetCUBIN(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetProgramLogSize(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetProgramLog(FAKE, FAKE));
        unavailable(() -> raw.nvrtcGetErrorString(6));
        RuntimeCompiler checked = new RuntimeCompiler(raw, "none");
        unavailable(checked::version);
        unavailable(checked::supportedArchs);
        unavailable(() -> checked.compile("k.cu", "", java.util.Map.of("h.cuh", ""), java.util.List.of("-arch=sm_90"),
                RuntimeCompiler.Output.CUBIN));
        assertTrue(checked.statusName(6).contains("6"));
    }

    @Test
    void cublasCalls() {
        assumeTrue(NativeLibraries.get().lookup(NativeLibraries.Library.CUBLAS).isEmpty(), "cuBLAS is present");
        Blas.Handle h = new Blas.Handle(FAKE);
        unavailable(Blas.Handle::create);
        unavailable(() -> h.setStream(new Driver.Stream(FAKE)));
        unavailable(() -> h.setMathMode(Blas.MATH_DEFAULT));
        unavailable(h::version);
        unavailable(() -> h.sgemm(Blas.OP_N, Blas.OP_T, 2, 3, 4, 1f, 16, 2, 0, 32, 4, 0, 0f, 48, 2, 0, 1, "test"));
        unavailable(() -> h.sgemm(Blas.OP_N, Blas.OP_T, 2, 3, 4, 1f, 16, 2, 8, 32, 4, 12, 0f, 48, 2, 6, 3, "test"));
        unavailable(h::close);
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Blas.statusName(7), "the name from the table when cuBLAS cannot describe it");
    }

    @Test
    void cudnnCalls() {
        assumeTrue(NativeLibraries.get().lookup(NativeLibraries.Library.CUDNN).isEmpty(), "cuDNN is present");
        unavailable(Dnn::version);
        unavailable(Dnn.Handle::create);
        unavailable(() -> Dnn.TensorDesc.of(1, 2, 3, 4));
        unavailable(() -> Dnn.FilterDesc.of(1, 2, 3, 4));
        unavailable(() -> Dnn.ConvDesc.of(1, 1, 1, 1, 1, 1, 1, Dnn.FMA_MATH));
        unavailable(() -> Dnn.PoolDesc.of(Dnn.POOLING_MAX_DETERMINISTIC, 2, 2, 0, 0, 2, 2));
        Dnn.TensorDesc t = new Dnn.TensorDesc(FAKE);
        Dnn.FilterDesc f = new Dnn.FilterDesc(FAKE);
        Dnn.ConvDesc c = new Dnn.ConvDesc(FAKE);
        Dnn.PoolDesc p = new Dnn.PoolDesc(FAKE);
        Dnn.Handle h = new Dnn.Handle(FAKE);
        unavailable(() -> Dnn.TensorDesc.batchNormOf(t));
        unavailable(() -> c.setMathType(Dnn.FMA_MATH));
        unavailable(() -> h.setStream(new Driver.Stream(FAKE)));
        DnnCalls d = h.calls();
        unavailable(() -> d.forwardAlgorithms(t, f, c, t, "x"));
        unavailable(() -> d.backwardDataAlgorithms(f, t, c, t, "x"));
        unavailable(() -> d.backwardFilterAlgorithms(t, t, c, f, "x"));
        unavailable(() -> d.findForwardAlgorithms(t, f, c, t, "x"));
        unavailable(() -> d.findBackwardDataAlgorithms(f, t, c, t, "x"));
        unavailable(() -> d.findBackwardFilterAlgorithms(t, t, c, f, "x"));
        unavailable(() -> d.forwardWorkspace(t, f, c, t, 0, "x"));
        unavailable(() -> d.backwardDataWorkspace(f, t, c, t, 0, "x"));
        unavailable(() -> d.backwardFilterWorkspace(t, t, c, f, 0, "x"));
        unavailable(() -> d.convolutionForward(t, 16, f, 32, c, 0, 0, 0, t, 48, "x"));
        unavailable(() -> d.convolutionBackwardData(f, 16, t, 32, c, 0, 0, 0, t, 48, "x"));
        unavailable(() -> d.convolutionBackwardFilter(t, 16, t, 32, c, 0, 0, 0, f, 48, "x"));
        unavailable(() -> d.convolutionBackwardBias(t, 16, t, 32, "x"));
        unavailable(() -> d.addTensor(t, 16, t, 32, "x"));
        unavailable(() -> d.poolingForward(p, t, 16, t, 32, "x"));
        unavailable(() -> d.poolingBackward(p, t, 16, 24, t, 32, 40, "x"));
        unavailable(() -> d.softmaxForward(Dnn.SOFTMAX_LOG, t, 16, 32, "x"));
        unavailable(() -> d.softmaxBackward(Dnn.SOFTMAX_ACCURATE, t, 16, 24, 32, "x"));
        unavailable(() -> d.batchNormForwardTraining(t, 16, 24, t, 32, 40, 0.1, 0, 0, 1e-5, 48, 56, "x"));
        unavailable(() -> d.batchNormForwardInference(t, 16, 24, t, 32, 40, 48, 56, 1e-5, "x"));
        unavailable(() -> d.batchNormBackward(t, 16, 24, 32, t, 40, 48, 56, 1e-5, 64, 72, "x"));
        unavailable(t::close);
        unavailable(f::close);
        unavailable(c::close);
        unavailable(p::close);
        unavailable(h::close);
        assertTrue(Dnn.statusName(3).contains("3"));
    }
}
