// Every kernel compiled for the compiler's default target (x86-64's SSE2, or what another
// architecture guarantees): the path any CPU runs. Its vectors are GCC/Clang generic vectors,
// lowered to whatever the target has.
#define KERNEL_TABLE pth_kernels_baseline
#include "kernels_template.h"
