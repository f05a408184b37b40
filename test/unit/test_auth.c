/* test_auth: every mechanism's exchange (good and bad user, with and without initial response,
 * malformed, cancelled), the exact challenges, strict base64, mechanism lookup and lists.
 * Expected base64 was computed with Python. */
#include "auth.h"
#include "tap.h"

#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>

#define HOST   "badsmtp.test"
#define UNIQ   "sess_0123456789ab"
#define NOW    1700000000LL
#define HEX32  "0123456789abcdef0123456789abcdef"

/* the CRAM challenge for UNIQ, NOW, HOST: base64 of <sess_0123456789ab.1700000000@badsmtp.test> */
#define CRAM_CHAL "PHNlc3NfMDEyMzQ1Njc4OWFiLjE3MDAwMDAwMDBAYmFkc210cC50ZXN0Pg=="
#define XOAUTH2_ERR \
	"eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="

enum { CH = AUTH_CHALLENGE, OK = AUTH_OK, FAIL = AUTH_FAILED, CANC = AUTH_CANCELLED,
       BAD = AUTH_MALFORMED, UNAV = AUTH_UNAVAILABLE, END = -1 };

static const char *step_name(int s)
{
	static const char *const names[] = { "CHALLENGE", "OK", "FAILED", "CANCELLED", "MALFORMED",
	                                     "UNAVAILABLE" };
	return s >= 0 && s <= AUTH_UNAVAILABLE ? names[s] : "END";
}

/* One exchange: AUTH mech [ir], then client lines; want[0] is auth_begin's step and want[i] the
 * step after lines[i-1]; out[i] the challenge expected with a CH step (NULL: ""). */
struct exchange {
	const char *name;
	int mech;
	const char *ir;           /* NULL: no initial response */
	const char *lines[4];
	int want[5];              /* ends at END */
	const char *out[5];
	const char *user;         /* auth_username at the end */
};

static const struct exchange exchanges[] = {
	/* PLAIN */
	{ "PLAIN ir good", AUTH_PLAIN, "AGdvb2RhdXRoAHB3", {0}, { OK, END }, {0}, "goodauth" },
	{ "PLAIN ir authzid", AUTH_PLAIN, "YWRtaW4AZ29vZGF1dGgAcHc=", {0}, { OK, END }, {0}, "goodauth" },
	{ "PLAIN ir bad", AUTH_PLAIN, "AGJhZGF1dGgAcHc=", {0}, { FAIL, END }, {0}, "badauth" },
	{ "PLAIN ir BadAuth (any case)", AUTH_PLAIN, "AEJhZEF1dGgAcHc=", {0}, { FAIL, END }, {0}, "BadAuth" },
	{ "PLAIN ir xxBADAUTHxx", AUTH_PLAIN, "AHh4QkFEQVVUSHh4AHB3", {0}, { FAIL, END }, {0}, "xxBADAUTHxx" },
	{ "PLAIN ir empty password", AUTH_PLAIN, "AGdvb2RhdXRoAA==", {0}, { OK, END }, {0}, "goodauth" },
	{ "PLAIN no ir good", AUTH_PLAIN, NULL, { "AGdvb2RhdXRoAHB3" }, { CH, OK, END }, { "" }, "goodauth" },
	{ "PLAIN no ir bad", AUTH_PLAIN, NULL, { "AGJhZGF1dGgAcHc=" }, { CH, FAIL, END }, { "" }, "badauth" },
	{ "PLAIN no ir cancelled", AUTH_PLAIN, NULL, { "*" }, { CH, CANC, END }, { "" }, "" },
	{ "PLAIN no ir empty line", AUTH_PLAIN, NULL, { "" }, { CH, BAD, END }, { "" }, "" },
	{ "PLAIN ir one NUL", AUTH_PLAIN, "Z29vZGF1dGgAcHc=", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir no NUL", AUTH_PLAIN, "Z29vZGF1dGg=", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir three NULs", AUTH_PLAIN, "AGdvb2RhdXRoAHB3AHg=", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir empty authcid", AUTH_PLAIN, "AABwdw==", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir CR in user", AUTH_PLAIN, "AGdvb2QNYXV0aABwdw==", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir LF in user", AUTH_PLAIN, "AGdvb2QKYXV0aABwdw==", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir = (empty)", AUTH_PLAIN, "=", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir * is not a cancel", AUTH_PLAIN, "*", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir trailing garbage", AUTH_PLAIN, "AGdvb2RhdXRoAHB3x", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir unpadded", AUTH_PLAIN, "AGdvb2RhdXRoAHB", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir inner space", AUTH_PLAIN, "AGdvb2Rh dXRoAHB3", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir trailing space", AUTH_PLAIN, "AGdvb2RhdXRoAHB3 ", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir inner tab", AUTH_PLAIN, "AGdvb2Rh\tdXRoAHB3", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir bad character", AUTH_PLAIN, "AGdvb2Rh!XRoAHB3", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir data after padding", AUTH_PLAIN, "Zg==Zg==", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir = inside", AUTH_PLAIN, "Zg=a", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir three =", AUTH_PLAIN, "Z===", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN ir non-zero pad bits", AUTH_PLAIN, "Zm9=", {0}, { BAD, END }, {0}, "" },
	{ "PLAIN no ir bad base64", AUTH_PLAIN, NULL, { "AGdvb2RhdXRoAHB3x" }, { CH, BAD, END }, { "" }, "" },
	{ "PLAIN no ir, continue after end", AUTH_PLAIN, NULL, { "AGdvb2RhdXRoAHB3", "AGdvb2RhdXRoAHB3" },
	  { CH, OK, BAD, END }, { "" }, "goodauth" },

	/* LOGIN */
	{ "LOGIN good", AUTH_LOGIN, NULL, { "Z29vZGF1dGg=", "cHc=" }, { CH, CH, OK, END },
	  { "VXNlcm5hbWU6", "UGFzc3dvcmQ6" }, "goodauth" },
	{ "LOGIN bad", AUTH_LOGIN, NULL, { "YmFkYXV0aA==", "cHc=" }, { CH, CH, FAIL, END },
	  { "VXNlcm5hbWU6", "UGFzc3dvcmQ6" }, "badauth" },
	{ "LOGIN ir good", AUTH_LOGIN, "Z29vZGF1dGg=", { "cHc=" }, { CH, OK, END }, { "UGFzc3dvcmQ6" }, "goodauth" },
	{ "LOGIN ir bad", AUTH_LOGIN, "YmFkYXV0aA==", { "cHc=" }, { CH, FAIL, END }, { "UGFzc3dvcmQ6" }, "badauth" },
	{ "LOGIN empty password", AUTH_LOGIN, "Z29vZGF1dGg=", { "" }, { CH, OK, END }, { "UGFzc3dvcmQ6" }, "goodauth" },
	{ "LOGIN cancel at username", AUTH_LOGIN, NULL, { "*" }, { CH, CANC, END }, { "VXNlcm5hbWU6" }, "" },
	{ "LOGIN cancel at password", AUTH_LOGIN, NULL, { "Z29vZGF1dGg=", "*" }, { CH, CH, CANC, END },
	  { "VXNlcm5hbWU6", "UGFzc3dvcmQ6" }, "goodauth" },
	{ "LOGIN bad base64 username", AUTH_LOGIN, NULL, { "Z29vZGF1dGg" }, { CH, BAD, END }, { "VXNlcm5hbWU6" }, "" },
	{ "LOGIN bad base64 password", AUTH_LOGIN, NULL, { "Z29vZGF1dGg=", "cHc" }, { CH, CH, BAD, END },
	  { "VXNlcm5hbWU6", "UGFzc3dvcmQ6" }, "" },
	{ "LOGIN empty username", AUTH_LOGIN, NULL, { "" }, { CH, BAD, END }, { "VXNlcm5hbWU6" }, "" },
	{ "LOGIN ir = (empty username)", AUTH_LOGIN, "=", {0}, { BAD, END }, {0}, "" },
	{ "LOGIN ir NUL in username", AUTH_LOGIN, "AGdvb2RhdXRoAHB3", {0}, { BAD, END }, {0}, "" },
	{ "LOGIN ir control octet", AUTH_LOGIN, "AWdvb2RhdXRo", {0}, { BAD, END }, {0}, "" },
	{ "LOGIN username with space", AUTH_LOGIN, "Z29vZCB1c2Vy", { "cHc=" }, { CH, OK, END },
	  { "UGFzc3dvcmQ6" }, "good user" },

	/* CRAM-MD5 */
	{ "CRAM-MD5 good", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" }, { CH, OK, END }, { CRAM_CHAL }, "goodauth" },
	{ "CRAM-MD5 bad", AUTH_CRAM_MD5, NULL,
	  { "YmFkYXV0aCAwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==" }, { CH, FAIL, END }, { CRAM_CHAL }, "badauth" },
	{ "CRAM-MD5 upper-case hex", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY=" }, { CH, OK, END }, { CRAM_CHAL }, "goodauth" },
	{ "CRAM-MD5 user with space", AUTH_CRAM_MD5, NULL,
	  { "Z29vZCB1c2VyIDAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm" }, { CH, OK, END }, { CRAM_CHAL }, "good user" },
	{ "CRAM-MD5 33 hex digits", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYw" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 31 hex digits", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ==" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 non-hex digest", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZzAxMjM0NTY3ODlhYmNkZWc=" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 no space", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGgwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 empty user", AUTH_CRAM_MD5, NULL,
	  { "IDAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 SHA256-length digest", AUTH_CRAM_MD5, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==" },
	  { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 bad base64", AUTH_CRAM_MD5, NULL, { "Z29vZGF1dGggMDEy!" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 empty line", AUTH_CRAM_MD5, NULL, { "" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 cancelled", AUTH_CRAM_MD5, NULL, { "*" }, { CH, CANC, END }, { CRAM_CHAL }, "" },
	{ "CRAM-MD5 with ir", AUTH_CRAM_MD5, "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", {0},
	  { BAD, END }, {0}, "" },
	{ "CRAM-MD5 with ir =", AUTH_CRAM_MD5, "=", {0}, { BAD, END }, {0}, "" },

	/* CRAM-SHA256 */
	{ "CRAM-SHA256 good", AUTH_CRAM_SHA256, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==" },
	  { CH, OK, END }, { CRAM_CHAL }, "goodauth" },
	{ "CRAM-SHA256 bad", AUTH_CRAM_SHA256, NULL,
	  { "YmFkYXV0aCAwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm" },
	  { CH, FAIL, END }, { CRAM_CHAL }, "badauth" },
	{ "CRAM-SHA256 MD5-length digest", AUTH_CRAM_SHA256, NULL,
	  { "Z29vZGF1dGggMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" }, { CH, BAD, END }, { CRAM_CHAL }, "" },
	{ "CRAM-SHA256 cancelled", AUTH_CRAM_SHA256, NULL, { "*" }, { CH, CANC, END }, { CRAM_CHAL }, "" },
	{ "CRAM-SHA256 with ir", AUTH_CRAM_SHA256, "Z29vZGF1dGg=", {0}, { BAD, END }, {0}, "" },

	/* XOAUTH2 */
	{ "XOAUTH2 ir good", AUTH_XOAUTH2, "dXNlcj1nb29kYXV0aAFhdXRoPUJlYXJlciB0b2sBAQ==", {0}, { OK, END }, {0},
	  "goodauth" },
	{ "XOAUTH2 ir bad", AUTH_XOAUTH2, "dXNlcj1iYWRhdXRoAWF1dGg9QmVhcmVyIHRvawEB", { "" },
	  { CH, FAIL, END }, { XOAUTH2_ERR }, "badauth" },
	{ "XOAUTH2 ir bad, any line fails", AUTH_XOAUTH2, "dXNlcj1iYWRhdXRoAWF1dGg9QmVhcmVyIHRvawEB", { "xyz" },
	  { CH, FAIL, END }, { XOAUTH2_ERR }, "badauth" },
	{ "XOAUTH2 ir bad, * cancels", AUTH_XOAUTH2, "dXNlcj1iYWRhdXRoAWF1dGg9QmVhcmVyIHRvawEB", { "*" },
	  { CH, CANC, END }, { XOAUTH2_ERR }, "badauth" },
	{ "XOAUTH2 no ir good", AUTH_XOAUTH2, NULL, { "dXNlcj1nb29kYXV0aAFhdXRoPUJlYXJlciB0b2sBAQ==" },
	  { CH, OK, END }, { "" }, "goodauth" },
	{ "XOAUTH2 no ir bad", AUTH_XOAUTH2, NULL, { "dXNlcj1iYWRhdXRoAWF1dGg9QmVhcmVyIHRvawEB", "" },
	  { CH, CH, FAIL, END }, { "", XOAUTH2_ERR }, "badauth" },
	{ "XOAUTH2 no ir cancelled", AUTH_XOAUTH2, NULL, { "*" }, { CH, CANC, END }, { "" }, "" },
	{ "XOAUTH2 fields in another order", AUTH_XOAUTH2, "YXV0aD1CZWFyZXIgdG9rAXVzZXI9Z29vZGF1dGgBAQ==", {0},
	  { OK, END }, {0}, "goodauth" },
	{ "XOAUTH2 unknown field ignored", AUTH_XOAUTH2, "dXNlcj1nb29kYXV0aAFob3N0PXgBYXV0aD1CZWFyZXIgdG9rAQE=",
	  {0}, { OK, END }, {0}, "goodauth" },
	{ "XOAUTH2 missing user=", AUTH_XOAUTH2, "YXV0aD1CZWFyZXIgdG9rAQE=", {0}, { BAD, END }, {0}, "" },
	{ "XOAUTH2 empty user=", AUTH_XOAUTH2, "dXNlcj0BYXV0aD1CZWFyZXIgdG9rAQE=", {0}, { BAD, END }, {0}, "" },
	{ "XOAUTH2 two user=", AUTH_XOAUTH2, "dXNlcj1hAXVzZXI9YgFhdXRoPUJlYXJlciB0b2sBAQ==", {0}, { BAD, END },
	  {0}, "" },
	{ "XOAUTH2 missing auth=", AUTH_XOAUTH2, "dXNlcj1nb29kYXV0aAEB", {0}, { BAD, END }, {0}, "" },
	{ "XOAUTH2 empty auth=", AUTH_XOAUTH2, "dXNlcj1nb29kYXV0aAFhdXRoPQEB", {0}, { BAD, END }, {0}, "" },
	{ "XOAUTH2 missing final \\1", AUTH_XOAUTH2, "dXNlcj1nb29kYXV0aAFhdXRoPUJlYXJlciB0b2sB", {0},
	  { BAD, END }, {0}, "" },
	{ "XOAUTH2 empty field inside", AUTH_XOAUTH2, "dXNlcj1nb29kYXV0aAEBYXV0aD1CZWFyZXIgdG9rAQE=", {0},
	  { BAD, END }, {0}, "" },
	{ "XOAUTH2 ir =", AUTH_XOAUTH2, "=", {0}, { BAD, END }, {0}, "" },
	{ "XOAUTH2 bad base64", AUTH_XOAUTH2, NULL, { "dXNlcj1nb29kYXV0aAEB=" }, { CH, BAD, END }, { "" }, "" },
};

static void run_exchange(const struct exchange *x)
{
	struct auth a;
	char out[AUTH_OUT_MAX], name[160];
	int i, got;

	memset(&a, 0xa5, sizeof a);   /* auth_begin must not rely on a zeroed struct */
	got = (int)auth_begin(&a, x->mech, x->ir, x->ir ? strlen(x->ir) : 0, x->ir != NULL, HOST, UNIQ,
	                      NOW, out, sizeof out);
	for (i = 0; i < 5 && x->want[i] != END; i++) {
		if (i > 0) {
			/* a line after the end is allowed: the exchange is over, so MALFORMED */
			if (x->lines[i - 1] == NULL) {
				tap_ok(0, "table row wants a step without a line");
				break;
			}
			got = (int)auth_continue(&a, x->lines[i - 1], strlen(x->lines[i - 1]), out, sizeof out);
		}
		snprintf(name, sizeof name, "%s: step %d is %s", x->name, i, step_name(x->want[i]));
		tap_str(step_name(got), step_name(x->want[i]), name);
		if (got != x->want[i])
			break;
		if (got == CH) {
			snprintf(name, sizeof name, "%s: challenge %d", x->name, i);
			tap_str(out, x->out[i] ? x->out[i] : "", name);
		}
	}
	snprintf(name, sizeof name, "%s: username", x->name);
	tap_str(auth_username(&a), x->user, name);
}

static void test_lookup(void)
{
	static const struct {
		const char *name;
		size_t n;   /* 0: strlen */
		int want;
	} rows[] = {
		{ "PLAIN", 0, AUTH_PLAIN },           { "plain", 0, AUTH_PLAIN },
		{ "Plain", 0, AUTH_PLAIN },           { "LOGIN", 0, AUTH_LOGIN },
		{ "login", 0, AUTH_LOGIN },           { "CRAM-MD5", 0, AUTH_CRAM_MD5 },
		{ "cram-md5", 0, AUTH_CRAM_MD5 },     { "CRAM-SHA256", 0, AUTH_CRAM_SHA256 },
		{ "Cram-Sha256", 0, AUTH_CRAM_SHA256 }, { "XOAUTH2", 0, AUTH_XOAUTH2 },
		{ "xoauth2", 0, AUTH_XOAUTH2 },       { "PLAINX", 5, AUTH_PLAIN },
		{ "PLAINX", 0, 0 },                   { "PLAI", 0, 0 },
		{ "", 0, 0 },                         { "CRAM", 0, 0 },
		{ "CRAM-SHA1", 0, 0 },                { "CRAM-SHA2567", 0, 0 },
		{ "DIGEST-MD5", 0, 0 },               { "NTLM", 0, 0 },
		{ "XOAUTH", 0, 0 },                   { "OAUTHBEARER", 0, 0 },
		{ "PLAIN ", 0, 0 },                   { " PLAIN", 0, 0 },
	};
	char name[80];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t n = rows[i].n ? rows[i].n : strlen(rows[i].name);
		snprintf(name, sizeof name, "lookup \"%.*s\"", (int)n, rows[i].name);
		tap_int(auth_mech_lookup(rows[i].name, n), rows[i].want, name);
	}
	tap_int(auth_mech_lookup(NULL, 0), 0, "lookup NULL");
	tap_int(auth_mech_lookup("P\0AIN", 5), 0, "lookup with a NUL inside");
	tap_str(auth_mech_name(AUTH_CRAM_SHA256), "CRAM-SHA256", "name of CRAM-SHA256");
	tap_str(auth_mech_name(AUTH_XOAUTH2), "XOAUTH2", "name of XOAUTH2");
	tap_str(auth_mech_name(0), "", "name of 0");
	tap_str(auth_mech_name(AUTH_PLAIN | AUTH_LOGIN), "", "name of two bits");
}

/* AUTH's argument (RFC 4954 §4): "mech [initial-response]"; exactly one space between them. */
static void test_request(void)
{
	static const struct {
		const char *arg;
		int ret, mech;
		const char *ir;   /* NULL: none */
	} rows[] = {
		{ "PLAIN", 0, AUTH_PLAIN, NULL },
		{ "plain AGEAYg==", 0, AUTH_PLAIN, "AGEAYg==" },
		{ "LOGIN =", 0, AUTH_LOGIN, "=" },
		{ "CRAM-SHA256", 0, AUTH_CRAM_SHA256, NULL },
		{ "DIGEST-MD5", 0, 0, NULL },          /* unknown: 504, not 501 */
		{ "NTLM abc", 0, 0, "abc" },
		{ "PLAIN ", 0, AUTH_PLAIN, "" },       /* an empty response after the space */
		{ "", -1, 0, NULL },
		{ " PLAIN", -1, 0, NULL },
		{ "PLAIN a b", -1, 0, NULL },
		{ "PLAIN  a", -1, 0, NULL },
	};
	char name[96];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct auth_request req;
		int ret = auth_parse_request(rows[i].arg, strlen(rows[i].arg), &req);

		snprintf(name, sizeof name, "auth_parse_request(\"%s\")", rows[i].arg);
		tap_int(ret, rows[i].ret, name);
		if (ret != 0)
			continue;
		tap_int(req.mech, rows[i].mech, name);
		if (rows[i].ir == NULL)
			tap_int(req.ir == NULL, 1, name);
		else
			tap_mem(req.ir, req.ir_len, rows[i].ir, strlen(rows[i].ir), name);
	}
}

static void test_list(void)
{
	/* every mask, generated in Python from the SPEC §3 order */
	static const char *const want[32] = {
		"", "PLAIN", "LOGIN", "PLAIN LOGIN", "CRAM-MD5", "PLAIN CRAM-MD5", "LOGIN CRAM-MD5",
		"PLAIN LOGIN CRAM-MD5", "CRAM-SHA256", "PLAIN CRAM-SHA256", "LOGIN CRAM-SHA256",
		"PLAIN LOGIN CRAM-SHA256", "CRAM-MD5 CRAM-SHA256", "PLAIN CRAM-MD5 CRAM-SHA256",
		"LOGIN CRAM-MD5 CRAM-SHA256", "PLAIN LOGIN CRAM-MD5 CRAM-SHA256", "XOAUTH2",
		"PLAIN XOAUTH2", "LOGIN XOAUTH2", "PLAIN LOGIN XOAUTH2", "CRAM-MD5 XOAUTH2",
		"PLAIN CRAM-MD5 XOAUTH2", "LOGIN CRAM-MD5 XOAUTH2", "PLAIN LOGIN CRAM-MD5 XOAUTH2",
		"CRAM-SHA256 XOAUTH2", "PLAIN CRAM-SHA256 XOAUTH2", "LOGIN CRAM-SHA256 XOAUTH2",
		"PLAIN LOGIN CRAM-SHA256 XOAUTH2", "CRAM-MD5 CRAM-SHA256 XOAUTH2",
		"PLAIN CRAM-MD5 CRAM-SHA256 XOAUTH2", "LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2",
		"PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2",
	};
	char out[64], name[64];
	unsigned m;
	size_t n;

	for (m = 0; m < 32; m++) {
		memset(out, 'x', sizeof out);
		n = auth_mech_list(m, out, sizeof out);
		snprintf(name, sizeof name, "list of mask %u", m);
		tap_str(out, want[m], name);
		snprintf(name, sizeof name, "length of mask %u", m);
		tap_int((long long)n, (long long)strlen(want[m]), name);
	}
	tap_str((auth_mech_list(AUTH_ALL | 0x60u, out, sizeof out), out), want[31], "bits above 31 ignored");
	n = auth_mech_list(AUTH_ALL, out, 9);
	tap_str(out, "PLAIN LO", "truncated to cap 9");
	tap_int((long long)n, 40, "truncated: full length returned");
	n = auth_mech_list(AUTH_ALL, out, 41);
	tap_str(out, want[31], "exactly fits in cap 41");
	n = auth_mech_list(AUTH_ALL, out, 40);
	tap_ok(n == 40 && strcmp(out, "PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH") == 0, "cap 40 truncates");
	tap_int((long long)auth_mech_list(AUTH_ALL, NULL, 0), 40, "NULL out: length only");
	out[0] = 'x';
	tap_int((long long)auth_mech_list(AUTH_PLAIN, out, 1), 5, "cap 1");
	tap_int(out[0], '\0', "cap 1 writes only the NUL");
}

static void test_cram_challenge(void)
{
	struct auth a;
	char out1[AUTH_OUT_MAX], out2[AUTH_OUT_MAX];
	unsigned char dec[AUTH_OUT_MAX];
	int n;

	tap_int(auth_begin(&a, AUTH_CRAM_MD5, NULL, 0, 0, HOST, UNIQ, NOW, out1, sizeof out1),
	        AUTH_CHALLENGE, "CRAM-MD5 challenge");
	n = b64_pton(out1, dec, sizeof dec - 1);
	dec[n < 0 ? 0 : n] = '\0';
	tap_str((char *)dec, "<sess_0123456789ab.1700000000@badsmtp.test>", "CRAM challenge decodes to a msg-id");
	tap_int(auth_begin(&a, AUTH_CRAM_SHA256, NULL, 0, 0, HOST, "sess_ba9876543210", NOW, out2,
	                   sizeof out2), AUTH_CHALLENGE, "CRAM-SHA256 challenge, other unique");
	tap_str(out2, "PHNlc3NfYmE5ODc2NTQzMjEwLjE3MDAwMDAwMDBAYmFkc210cC50ZXN0Pg==", "other unique: exact");
	tap_ok(strcmp(out1, out2) != 0, "two unique tokens give two challenges");
	auth_begin(&a, AUTH_CRAM_MD5, NULL, 0, 0, HOST, UNIQ, NOW + 1, out2, sizeof out2);
	tap_ok(strcmp(out1, out2) != 0, "another second gives another challenge");
	auth_begin(&a, AUTH_CRAM_MD5, NULL, 0, 0, "mx.example.org", UNIQ, -5, out2, sizeof out2);
	n = b64_pton(out2, dec, sizeof dec - 1);
	dec[n < 0 ? 0 : n] = '\0';
	tap_str((char *)dec, "<sess_0123456789ab.-5@mx.example.org>", "hostname and seconds in the msg-id");
}

/* Caller bugs and limits: AUTH_UNAVAILABLE, never an overflow. */
static void test_limits(void)
{
	static const struct {
		const char *name;
		int mech;
		const char *host, *uniq;
		size_t outcap;
		int want;
	} rows[] = {
		{ "mech 0", 0, HOST, UNIQ, AUTH_OUT_MAX, UNAV },
		{ "mech PLAIN|LOGIN", AUTH_PLAIN | AUTH_LOGIN, HOST, UNIQ, AUTH_OUT_MAX, UNAV },
		{ "mech 32", 32, HOST, UNIQ, AUTH_OUT_MAX, UNAV },
		{ "CRAM NULL hostname", AUTH_CRAM_MD5, NULL, UNIQ, AUTH_OUT_MAX, UNAV },
		{ "CRAM empty hostname", AUTH_CRAM_MD5, "", UNIQ, AUTH_OUT_MAX, UNAV },
		{ "CRAM hostname with space", AUTH_CRAM_MD5, "bad host", UNIQ, AUTH_OUT_MAX, UNAV },
		{ "CRAM hostname with >", AUTH_CRAM_MD5, "x>y", UNIQ, AUTH_OUT_MAX, UNAV },
		{ "CRAM NULL unique", AUTH_CRAM_MD5, HOST, NULL, AUTH_OUT_MAX, UNAV },
		{ "CRAM unique with @", AUTH_CRAM_MD5, HOST, "a@b", AUTH_OUT_MAX, UNAV },
		{ "CRAM unique 65 octets", AUTH_CRAM_MD5, HOST,
		  "12345678901234567890123456789012345678901234567890123456789012345", AUTH_OUT_MAX, UNAV },
		{ "CRAM unique 64 octets", AUTH_CRAM_MD5, HOST,
		  "1234567890123456789012345678901234567890123456789012345678901234", AUTH_OUT_MAX, CH },
		{ "CRAM out too small", AUTH_CRAM_MD5, HOST, UNIQ, 60, UNAV },
		{ "CRAM out just fits", AUTH_CRAM_MD5, HOST, UNIQ, 61, CH },
		{ "LOGIN out 12", AUTH_LOGIN, NULL, NULL, 12, UNAV },
		{ "LOGIN out 13", AUTH_LOGIN, NULL, NULL, 13, CH },
		{ "PLAIN out 1", AUTH_PLAIN, NULL, NULL, 1, CH },
		{ "PLAIN out 0", AUTH_PLAIN, NULL, NULL, 0, UNAV },
		{ "XOAUTH2 NULL hostname is fine", AUTH_XOAUTH2, NULL, NULL, 1, CH },
	};
	struct auth a;
	char out[AUTH_OUT_MAX];
	char host[300];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		tap_str(step_name(auth_begin(&a, rows[i].mech, NULL, 0, 0, rows[i].host, rows[i].uniq, NOW,
		                             out, rows[i].outcap)), step_name(rows[i].want), rows[i].name);

	/* the longest legal challenge fits AUTH_OUT_MAX */
	memset(host, 'h', 255);
	host[255] = '\0';
	tap_int(auth_begin(&a, AUTH_CRAM_SHA256, NULL, 0, 0, host,
	                   "1234567890123456789012345678901234567890123456789012345678901234",
	                   -9223372036854775807LL - 1, out, sizeof out), AUTH_CHALLENGE,
	        "longest challenge fits AUTH_OUT_MAX");
	memset(host, 'h', 256);
	host[256] = '\0';
	tap_int(auth_begin(&a, AUTH_CRAM_SHA256, NULL, 0, 0, host, UNIQ, NOW, out, sizeof out),
	        AUTH_UNAVAILABLE, "hostname of 256 octets");

	/* the XOAUTH2 error challenge with a too small out */
	tap_int(auth_begin(&a, AUTH_XOAUTH2, "dXNlcj1iYWRhdXRoAWF1dGg9QmVhcmVyIHRvawEB", 40, 1, NULL, NULL,
	                   NOW, out, 50), AUTH_UNAVAILABLE, "XOAUTH2 error challenge, out too small");

	/* has_ir with an empty ir is no initial response */
	tap_int(auth_begin(&a, AUTH_PLAIN, "", 0, 1, NULL, NULL, NOW, out, sizeof out), AUTH_CHALLENGE,
	        "has_ir with irlen 0: no initial response");
	tap_int(auth_begin(&a, AUTH_CRAM_MD5, "", 0, 1, HOST, UNIQ, NOW, out, sizeof out), AUTH_CHALLENGE,
	        "CRAM, has_ir with irlen 0: challenge");
	/* ir is (p, n), not a C string */
	tap_int(auth_begin(&a, AUTH_PLAIN, "AGdvb2RhdXRoAHB3 trailing", 16, 1, NULL, NULL, NOW, out, sizeof out),
	        AUTH_OK, "ir taken by length");

	/* auth_continue without an exchange */
	memset(&a, 0, sizeof a);
	tap_int(auth_continue(&a, "*", 1, out, sizeof out), AUTH_MALFORMED, "continue before begin");
	auth_begin(&a, AUTH_PLAIN, NULL, 0, 0, NULL, NULL, NOW, out, sizeof out);
	tap_int(auth_continue(&a, "AGdv\0b2RhdXRoAHB3", 17, out, sizeof out), AUTH_MALFORMED, "NUL in a line");
}

/* usernames up to AUTH_USER_MAX; responses up to 2732 base64 octets */
static void test_sizes(void)
{
	unsigned char raw[4096];
	char enc[6000];
	struct auth a;
	char out[AUTH_OUT_MAX];
	size_t n;

	raw[0] = '\0';
	memset(raw + 1, 'u', 255);
	memcpy(raw + 256, "\0pw", 3);
	b64_ntop(raw, 259, enc, sizeof enc);
	tap_int(auth_begin(&a, AUTH_PLAIN, enc, strlen(enc), 1, NULL, NULL, NOW, out, sizeof out), AUTH_OK,
	        "PLAIN username of 255 octets");
	tap_int((long long)strlen(auth_username(&a)), 255, "all 255 octets kept");
	memset(raw + 1, 'u', 256);
	memcpy(raw + 257, "\0pw", 3);
	b64_ntop(raw, 260, enc, sizeof enc);
	tap_int(auth_begin(&a, AUTH_PLAIN, enc, strlen(enc), 1, NULL, NULL, NOW, out, sizeof out),
	        AUTH_MALFORMED, "PLAIN username of 256 octets");

	/* 2049 decoded octets = 2732 base64 octets: the longest response */
	memcpy(raw, "\0goodauth\0", 10);
	memset(raw + 10, 'p', 2049 - 10);
	b64_ntop(raw, 2049, enc, sizeof enc);
	n = strlen(enc);
	tap_int((long long)n, 2732, "2049 octets encode to 2732");
	tap_int(auth_begin(&a, AUTH_PLAIN, enc, n, 1, NULL, NULL, NOW, out, sizeof out), AUTH_OK,
	        "longest response accepted");
	memset(raw + 10, 'p', 2050 - 10);
	b64_ntop(raw, 2050, enc, sizeof enc);
	tap_int(auth_begin(&a, AUTH_PLAIN, enc, strlen(enc), 1, NULL, NULL, NOW, out, sizeof out),
	        AUTH_MALFORMED, "one octet more is malformed");
	memset(enc, 'A', 4096);
	auth_begin(&a, AUTH_LOGIN, NULL, 0, 0, NULL, NULL, NOW, out, sizeof out);
	tap_int(auth_continue(&a, enc, 4096, out, sizeof out), AUTH_MALFORMED, "a 4096-octet line");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof exchanges / sizeof exchanges[0]; i++)
		run_exchange(&exchanges[i]);
	test_lookup();
	test_request();
	test_list();
	test_cram_challenge();
	test_limits();
	test_sizes();
	return tap_done();
}
