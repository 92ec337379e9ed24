#ifndef RESEQ_CLIBPQ_SHIM_H
#define RESEQ_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
