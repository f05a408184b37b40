/* library: the one place shared libraries are loaded (GnuTLS, libsystemd), always on first need.
 * It is compiled twice. The statically linked badsmtp-session gets library-static.o, which loads
 * nothing (a static glibc program cannot load libraries built against the shared libc), and
 * handoff.h moves a session that needs a library into the dynamically linked twin, whose
 * library.o calls dlopen. */
#ifndef BADSMTP_LIBRARY_H
#define BADSMTP_LIBRARY_H

#include <stddef.h>

/* 1 when this process can load shared libraries. */
int library_loadable(void);

/* dlopen(soname) with RTLD_NOW | RTLD_LOCAL; NULL with a reason in err (err may be NULL). */
void *library_open(const char *soname, char *err, size_t errlen);

/* The address of name in lib (NULL: none), or NULL. */
void *library_symbol(void *lib, const char *name);

#endif
