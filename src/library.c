/* library: dlopen, or with LIBRARY_STATIC defined, the statement that there is none (see
 * library.h): a static link must not even reference dlopen, which libc.a would then provide. */
#include "library.h"

#include <stdio.h>

#ifdef LIBRARY_STATIC

int library_loadable(void)
{
	return 0;
}

void *library_open(const char *soname, char *err, size_t errlen)
{
	if (err != NULL)
		snprintf(err, errlen, "cannot load %s: this program is statically linked", soname);
	return NULL;
}

void *library_symbol(void *lib, const char *name)
{
	(void)lib;
	(void)name;
	return NULL;
}

#else

#include <dlfcn.h>

int library_loadable(void)
{
	return 1;
}

void *library_open(const char *soname, char *err, size_t errlen)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL && err != NULL)
		snprintf(err, errlen, "cannot load %s: %s", soname, dlerror());
	return lib;
}

void *library_symbol(void *lib, const char *name)
{
	return lib != NULL ? dlsym(lib, name) : NULL;
}

#endif
