package aggregate

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// pftls_release_memory gives the C heap's free memory back to the system.
// glibc keeps what SQLite freed in per-thread arenas, out of reach of the
// allocations of other threads (cgo calls run on whichever thread is
// free): after an ingest about 19 MB of RSS. Other C libraries: nothing.
static void pftls_release_memory(void) {
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
*/
import "C"

// releaseCMemory gives the memory SQLite freed back to the system (see
// pftls_release_memory).
func releaseCMemory() { C.pftls_release_memory() }
