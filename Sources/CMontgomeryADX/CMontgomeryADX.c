// The target's only function is `static inline` in include/CMontgomeryADX.h; SwiftPM needs one source file per C target.
#include "CMontgomeryADX.h"
