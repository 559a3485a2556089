#ifndef PTH_ISA_H
#define PTH_ISA_H

/// The instruction sets the C kernels are compiled for, each in its own translation unit with its
/// own target attributes (no compile flag decides what the binary needs): AVX-512 (F, DQ, BW, VL
/// with AVX2 and FMA), AVX2 + FMA, and the baseline the compiler targets by default (x86-64's SSE2,
/// or whatever another architecture guarantees).
typedef enum { pth_isa_baseline, pth_isa_avx2, pth_isa_avx512 } pth_isa;

/// Whether this CPU (and its operating system, which must save the wide registers) runs `isa` and
/// the binary carries kernels for it.
int pth_isa_supported(pth_isa isa);

/// The instruction set the kernels run with, chosen once, thread-safely, on first use: the widest the
/// CPU supports, or the one the environment variable `PTH_ISA` names (`avx512`, `avx2`, `baseline`).
/// A `PTH_ISA` that names no instruction set, or one this CPU cannot run, ends the process with a
/// one-line message on stderr and exit status 2: a benchmark asked for a path must not silently
/// measure another.
pth_isa pth_isa_active(void);

/// The name `PTH_ISA` takes for `isa`.
const char *pth_isa_name(pth_isa isa);

#endif
