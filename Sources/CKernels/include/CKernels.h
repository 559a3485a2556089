// The kernels compiled for several instruction sets (x86-64-v4 with AVX-512, v3 with AVX2 + FMA,
// and the baseline), the best picked for the CPU when the program loads: see activations.c.
#include "activations.h"
#include "depthwise.h"
