#ifndef GFMD_CZLIB_SHIM_H
#define GFMD_CZLIB_SHIM_H
#include <zlib.h>
#endif
