#ifndef PTH_ACTIVATIONS_H
#define PTH_ACTIVATIONS_H

/// The elementwise functions of `ActivationFunction`, in the order of its cases.
typedef enum {
    pth_identity, pth_relu, pth_relu6, pth_silu, pth_sigmoid, pth_hardswish, pth_hardsigmoid
} pth_activation_kind;

/// Writes f(scale·x + bias) (one fused multiply-add, then the function) for each of the `count`
/// floats x at `input` to `output`, which may be `input` itself (in place) or a buffer that does
/// not overlap it. Every element gets the same arithmetic whatever its position, so a value does
/// not depend on how a tensor was cut into calls.
void pth_activation(pth_activation_kind kind, const float *input, float *output, long count, float scale, float bias);

/// `output = f(scale·input + bias + residual)` for `count` floats: the multiply-add, then the
/// residual added (rounded once, as a separate add), then the function as `pth_activation` applies
/// it. `input` may be `output`; `residual` must not overlap `output`.
void pth_activation_residual(pth_activation_kind kind, const float *input, const float *residual, float *output, long count,
                             float scale, float bias);

#endif
