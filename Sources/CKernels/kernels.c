// The dispatch table's selection and the public entry points, which call the active instruction
// set's copy of each kernel.
#include "kernel_table.h"
#include "depthwise_geometry.h"

#include <string.h>

const pth_kernel_table *pth_kernels_for(pth_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case pth_isa_avx512: return &pth_kernels_avx512;
    case pth_isa_avx2: return &pth_kernels_avx2;
#else
    case pth_isa_avx512:
    case pth_isa_avx2:
#endif
    case pth_isa_baseline: return &pth_kernels_baseline;
    }
    return &pth_kernels_baseline;
}

const pth_kernel_table *pth_kernels(void) {
    return pth_kernels_for(pth_isa_active());
}

void pth_activation(pth_activation_kind kind, const float *input, float *output, long count, float scale, float bias) {
    pth_kernels()->activation(kind, input, output, count, scale, bias);
}

long pth_depthwise_scratch_count(const pth_depthwise_geometry *geometry, long height, long width) {
    return depthwise_scratch_count(geometry, height, width);
}

void pth_depthwise(const float *input, long height, long width, const float *weights, const float *scale,
                   const float *bias, pth_activation_kind activation, const pth_depthwise_geometry *geometry,
                   long first_channel, long end_channel, long out_height, long out_width, float *output,
                   float *scratch) {
    pth_kernels()->depthwise(input, height, width, weights, scale, bias, activation, geometry, first_channel,
                             end_channel, out_height, out_width, output, scratch);
}
