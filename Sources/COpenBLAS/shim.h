#include <cblas.h>

/// Part of OpenBLAS's threaded builds, not of its API: ends the worker threads the library started
/// when it was loaded (OpenBLAS itself calls it around `fork`). Weak, because the serial build has
/// no threads and no such function.
int blas_thread_shutdown_(void) __attribute__((weak));

/// Stops OpenBLAS's own worker threads if this build has them. Called once OpenBLAS is set to one
/// thread: its idle workers would otherwise spin (yielding) for about 2^28 cycles after the library
/// loads, taking one of the cores away from whatever the program does first.
static inline void pth_openblas_stop_threads(void) {
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}
