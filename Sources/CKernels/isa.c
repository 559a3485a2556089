// Instruction-set detection and the one process-wide choice the dispatching entry points follow.
#include "isa.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pth_isa_name(pth_isa isa) {
    switch (isa) {
    case pth_isa_avx512: return "avx512";
    case pth_isa_avx2: return "avx2";
    case pth_isa_baseline: return "baseline";
    }
    return "unknown";
}

int pth_isa_supported(pth_isa isa) {
    switch (isa) {
    case pth_isa_baseline: return 1;
#if defined(__x86_64__)
    // `__builtin_cpu_supports` also checks that the OS saves the registers (XCR0 via XGETBV).
    case pth_isa_avx2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case pth_isa_avx512:
        return pth_isa_supported(pth_isa_avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#else
    case pth_isa_avx2:
    case pth_isa_avx512:
        return 0;
#endif
    }
    return 0;
}

static pth_isa chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose(void) {
    const char *forced = getenv("PTH_ISA");
    if (forced == NULL || forced[0] == 0) {
        chosen = pth_isa_supported(pth_isa_avx512) ? pth_isa_avx512
               : pth_isa_supported(pth_isa_avx2) ? pth_isa_avx2 : pth_isa_baseline;
        return;
    }
    const pth_isa all[] = {pth_isa_avx512, pth_isa_avx2, pth_isa_baseline};
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(forced, pth_isa_name(all[i])) != 0) continue;
        if (!pth_isa_supported(all[i])) {
            fprintf(stderr, "PTH_ISA=%s: this CPU cannot run %s kernels\n", forced, forced);
            exit(2);
        }
        chosen = all[i];
        return;
    }
    fprintf(stderr, "PTH_ISA=%s: unknown instruction set (use avx512, avx2 or baseline)\n", forced);
    exit(2);
}

pth_isa pth_isa_active(void) {
    pthread_once(&chosen_once, choose);
    return chosen;
}
