#ifndef PTH_MULTIVERSION_H
#define PTH_MULTIVERSION_H

// Marks a kernel to be compiled once per instruction set — x86-64-v4 (AVX-512), v3 (AVX2 + FMA)
// and the baseline — with the dynamic linker picking the best the CPU runs when the program loads
// (GCC/Clang function multiversioning). Elsewhere the kernel is compiled once, for the default CPU.
#if defined(__x86_64__) && defined(__linux__)
#define PTH_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PTH_MULTIVERSION
#endif

#endif
