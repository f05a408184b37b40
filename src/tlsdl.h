/* tlsdl: the GnuTLS functions the tls module uses, loaded with dlopen on first need (SPEC §7: a
 * session that never uses TLS must not pay for loading the library). Only tls.c, cert.c and
 * tlsdl.c include this header; nothing else in badsmtp sees GnuTLS. The headers are used for
 * types and constants only: the binary does not link libgnutls. */
#ifndef BADSMTP_TLSDL_H
#define BADSMTP_TLSDL_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* Every function we call, by its GnuTLS name. */
#define TLSDL_FUNCS(X) \
	X(gnutls_global_init) \
	X(gnutls_strerror) \
	X(gnutls_error_is_fatal) \
	X(gnutls_init) \
	X(gnutls_deinit) \
	X(gnutls_priority_init) \
	X(gnutls_priority_set) \
	X(gnutls_credentials_set) \
	X(gnutls_certificate_allocate_credentials) \
	X(gnutls_certificate_free_credentials) \
	X(gnutls_certificate_set_x509_key_mem) \
	X(gnutls_transport_set_ptr) \
	X(gnutls_transport_set_vec_push_function) \
	X(gnutls_transport_set_pull_function) \
	X(gnutls_transport_set_pull_timeout_function) \
	X(gnutls_handshake) \
	X(gnutls_handshake_set_timeout) \
	X(gnutls_handshake_set_post_client_hello_function) \
	X(gnutls_record_recv) \
	X(gnutls_record_send) \
	X(gnutls_record_check_pending) \
	X(gnutls_bye) \
	X(gnutls_alert_send) \
	X(gnutls_alert_send_appropriate) \
	X(gnutls_certificate_server_set_request) \
	X(gnutls_certificate_get_peers) \
	X(gnutls_x509_crt_get_dn) \
	X(gnutls_alert_get) \
	X(gnutls_alert_get_name) \
	X(gnutls_server_name_get) \
	X(gnutls_protocol_get_version) \
	X(gnutls_protocol_get_name) \
	X(gnutls_cipher_suite_get_name) \
	X(gnutls_kx_get) \
	X(gnutls_cipher_get) \
	X(gnutls_mac_get) \
	X(gnutls_x509_privkey_init) \
	X(gnutls_x509_privkey_deinit) \
	X(gnutls_x509_privkey_generate) \
	X(gnutls_x509_privkey_export_pkcs8) \
	X(gnutls_x509_privkey_import) \
	X(gnutls_x509_privkey_get_key_id) \
	X(gnutls_x509_crt_init) \
	X(gnutls_x509_crt_deinit) \
	X(gnutls_x509_crt_import) \
	X(gnutls_x509_crt_export) \
	X(gnutls_x509_crt_set_version) \
	X(gnutls_x509_crt_set_dn_by_oid) \
	X(gnutls_x509_crt_set_subject_alt_name) \
	X(gnutls_x509_crt_set_activation_time) \
	X(gnutls_x509_crt_set_expiration_time) \
	X(gnutls_x509_crt_set_serial) \
	X(gnutls_x509_crt_set_key_usage) \
	X(gnutls_x509_crt_set_key_purpose_oid) \
	X(gnutls_x509_crt_set_basic_constraints) \
	X(gnutls_x509_crt_set_key) \
	X(gnutls_x509_crt_get_key_id) \
	X(gnutls_x509_crt_set_subject_key_id) \
	X(gnutls_x509_crt_sign2) \
	X(gnutls_x509_crt_get_expiration_time) \
	X(gnutls_x509_crt_get_dn_by_oid) \
	X(gnutls_x509_crt_get_serial) \
	X(gnutls_x509_crt_get_activation_time) \
	X(gnutls_x509_crt_get_subject_key_id) \
	X(gnutls_x509_crt_get_authority_key_id) \
	X(gnutls_x509_crt_set_authority_key_id)

/* Newer than some GnuTLS we may meet (3.7.4): NULL when missing. */
#define TLSDL_OPTIONAL(X) \
	X(gnutls_ciphersuite_get)

struct tlsdl {
#define TLSDL_FIELD(f) __typeof__(f) *f;
	TLSDL_FUNCS(TLSDL_FIELD)
	TLSDL_OPTIONAL(TLSDL_FIELD)
#undef TLSDL_FIELD
};

extern struct tlsdl tlsdl;

/* dlopen("libgnutls.so.30") and resolve the table; later calls return at once. 0, or -1 with
 * a reason in err. */
int tlsdl_load(char *err, size_t errlen);
/* 1 once the library is in the process (tests: a plain session must never load it). */
int tlsdl_loaded(void);

#endif
