/// Numeric kernels over raw Float32 buffers (convolution, GEMM via OpenBLAS, pooling,
/// activations). Kernels know nothing about graphs.
public enum Kernels {}
