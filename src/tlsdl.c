/* tlsdl: loads libgnutls (library.h) and resolves the functions listed in tlsdl.h. It does no
 * TLS itself. Loading happens at most once per process, and only when a session asks for TLS
 * (STARTTLS, implicit TLS) or a --tls-cert/--tls-key pair has to be verified. */
#include "tlsdl.h"

#include "library.h"

#include <stdio.h>

#define TLSDL_LIBRARY "libgnutls.so.30"

struct tlsdl tlsdl;

static int load_state;   /* 0 not tried, 1 loaded, -1 failed */
static char load_error[256];

int tlsdl_load(char *err, size_t errlen)
{
	void *lib;

	if (load_state == 0) {
		lib = library_open(TLSDL_LIBRARY, load_error, sizeof load_error);
		load_state = -1;
		if (lib != NULL) {
			const char *missing = NULL;

#define TLSDL_RESOLVE(f) \
			if ((*(void **)&tlsdl.f = library_symbol(lib, #f)) == NULL && missing == NULL) \
				missing = #f;
			TLSDL_FUNCS(TLSDL_RESOLVE)
#undef TLSDL_RESOLVE
#define TLSDL_RESOLVE_OPTIONAL(f) *(void **)&tlsdl.f = library_symbol(lib, #f);
			TLSDL_OPTIONAL(TLSDL_RESOLVE_OPTIONAL)
#undef TLSDL_RESOLVE_OPTIONAL
			if (missing != NULL)
				snprintf(load_error, sizeof load_error, "%s lacks %s", TLSDL_LIBRARY,
				         missing);
			else if (tlsdl.gnutls_global_init() < 0)
				snprintf(load_error, sizeof load_error, "gnutls_global_init failed");
			else
				load_state = 1;
		}
	}
	if (load_state < 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", load_error);
	return load_state > 0 ? 0 : -1;
}

int tlsdl_loaded(void)
{
	return load_state > 0;
}
