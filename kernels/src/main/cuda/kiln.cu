// The single translation unit compiled into kiln.fatbin: one nvcc run, one module to load.
#include "elementwise.cu"
#include "reduce.cu"
#include "pad.cu"
#include "pool.cu"
#include "softmax.cu"
#include "loss.cu"
#include "random.cu"
#include "optim.cu"
