// Every kernel compiled for the compiler's default target (x86-64's SSE2, or what another
// architecture guarantees): the path any CPU runs. Its vectors are GCC/Clang generic vectors,
// lowered to whatever the target has; multiply and add stay separate (no FMA is assumed).
// 4 rows × 8 columns: 8 of x86-64's 16 xmm registers accumulate, leaving room for the products.
#define GEMM_LANES 4
#define GEMM_MR 4
#define GEMM_FMA 0
#define DEPTHWISE_WIDE 0
#define KERNEL_TABLE pth_kernels_baseline
#include "kernels_template.h"
