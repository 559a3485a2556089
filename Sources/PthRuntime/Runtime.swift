import PthGraph

/// Turns a frozen `Graph` into an execution plan of kernels over planned buffers.
public enum Runtime {}
