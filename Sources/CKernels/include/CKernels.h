// The C kernels, each compiled for AVX-512, AVX2 + FMA and the baseline in one binary, the copy run
// chosen at run time from the CPU (isa.h).
#include "activations.h"
#include "depthwise.h"
#include "gemm.h"
#include "isa.h"
#include "winograd.h"
