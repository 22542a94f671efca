/* version.h - render's version, shared by render and render-mpi. */
#ifndef RD_VERSION_H
#define RD_VERSION_H
#define RD_VERSION "0.1.0"
#endif
