// Debian's zlib (zlib1g-dev): deflate/inflate for gzip-framed pprof files.
#include <zlib.h>
