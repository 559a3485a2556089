// Every kernel compiled for AVX-512 (F, DQ, BW, VL) with AVX2 and FMA: x86-64-v4. Only the dispatch
// table reaches this code, and only on a CPU that runs it (`pth_isa_supported`).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,f16c,bmi,bmi2"))), apply_to = function)
// 8 rows × 32 columns: 16 of the 32 zmm registers accumulate, 2 hold B, 1 the broadcast of A.
#define GEMM_LANES 16
#define GEMM_MR 8
#define GEMM_FMA 1
#define DEPTHWISE_WIDE 1
#define KERNEL_TABLE pth_kernels_avx512
#include "kernels_template.h"
#pragma clang attribute pop
#endif
