#include "CCodecShims.h"
#include <stdlib.h>

void CCodecShims_free(void *pointer) { free(pointer); }
