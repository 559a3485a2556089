// Every kernel compiled for AVX2 and FMA: x86-64-v3. Only the dispatch table reaches this code, and
// only on a CPU that runs it (`pth_isa_supported`).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,bmi,bmi2"))), apply_to = function)
// 6 rows × 16 columns: 12 of the 16 ymm registers accumulate, 2 hold B, 1 the broadcast of A.
#define GEMM_LANES 8
#define GEMM_MR 6
#define GEMM_FMA 1
#define DEPTHWISE_WIDE 0
#define KERNEL_TABLE pth_kernels_avx2
#include "kernels_template.h"
#pragma clang attribute pop
#endif
