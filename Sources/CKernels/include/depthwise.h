#ifndef PTH_DEPTHWISE_H
#define PTH_DEPTHWISE_H

#include "activations.h"
#include "isa.h"

/// A depthwise convolution's window: kernel, stride, padding and dilation (PyTorch's Conv2d
/// arguments, padding possibly asymmetric).
typedef struct {
    long kernel_height, kernel_width;
    long stride_height, stride_width;
    long pad_top, pad_bottom, pad_left, pad_right;
    long dilation_height, dilation_width;
} pth_depthwise_geometry;

/// Floats of scratch one `pth_depthwise` call needs for a `height × width` input.
long pth_depthwise_scratch_count(const pth_depthwise_geometry *geometry, long height, long width);

/// Channels `first_channel ..< end_channel` of one image's depthwise convolution (one filter per
/// channel, `weights` in PyTorch's `[channels, 1, kh, kw]` layout), each output channel times
/// `scale[c]` plus `bias[c]`, then `activation`. `input` and `output` are the image's NCHW planes.
/// Runs the copy for `isa` (`pth_isa_active()` in a network; tests try each), which the CPU must support.
void pth_depthwise(pth_isa isa, const float *input, long height, long width, const float *weights, const float *scale,
                   const float *bias, pth_activation_kind activation, const pth_depthwise_geometry *geometry,
                   long first_channel, long end_channel, long out_height, long out_width, float *output,
                   float *scratch);

#endif
