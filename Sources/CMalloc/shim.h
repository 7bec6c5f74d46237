// glibc's malloc statistics and trimming (mallinfo2, malloc_trim): Swift's Glibc module leaves
// <malloc.h> out.
#include <malloc.h>
