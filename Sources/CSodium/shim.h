#ifndef ZKINFER_CSODIUM_SHIM_H
#define ZKINFER_CSODIUM_SHIM_H
#include <sodium.h>
#endif
