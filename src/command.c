/* command: SMTP command syntax. RFC 5321 §4.1.1 (verbs), §4.1.2 (Mailbox, Dot-string,
 * Quoted-string, address literals), RFC 1869 (esmtp-param), RFC 6531 (UTF-8 in addresses).
 * Lenient where real clients are sloppy (a space after "FROM:", no angle brackets), strict
 * where a test server must be exact (lengths, label shapes). */
#include "command.h"

#include "buf.h"
#include "ehlo.h"
#include "text.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <string.h>

static const char *const verb_names[VERB_COUNT] = {
	[VERB_NONE] = "UNKNOWN",
	[VERB_HELO] = "HELO", [VERB_EHLO] = "EHLO", [VERB_MAIL] = "MAIL", [VERB_RCPT] = "RCPT",
	[VERB_DATA] = "DATA", [VERB_BDAT] = "BDAT", [VERB_RSET] = "RSET", [VERB_NOOP] = "NOOP",
	[VERB_QUIT] = "QUIT", [VERB_STARTTLS] = "STARTTLS", [VERB_VRFY] = "VRFY",
	[VERB_AUTH] = "AUTH",
};

const char *command_verb_name(enum verb v)
{
	return verb_names[v];
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int command_parse(const char *line, size_t n, struct command *cmd)
{
	size_t i = 0, v;

	if (memchr(line, '\0', n) != NULL)
		return -1;
	while (n > 0 && is_blank(line[n - 1]))
		n--;
	while (i < n && is_blank(line[i]))
		i++;
	for (v = i; v < n && !is_blank(line[v]); v++)
		;
	cmd->verb = VERB_NONE;
	cmd->verb_text = line + i;
	cmd->verb_len = v - i;
	for (int k = VERB_HELO; k < VERB_COUNT; k++)
		if (text_case_equal(cmd->verb_text, cmd->verb_len, verb_names[k]))
			cmd->verb = (enum verb)k;
	while (v < n && is_blank(line[v]))
		v++;
	cmd->arg = line + v;
	cmd->arg_len = n - v;
	return 0;
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext, plus UTF-8 octets (RFC 6531 §3.3) which the caller marks as non-ASCII. */
static int is_atext(unsigned char c)
{
	return is_alnum(c) || c >= 0x80 || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int valid_local(const char *p, size_t n)
{
	if (n == 0 || n > ADDRESS_LOCAL_MAX)
		return 0;
	if (p[0] == '"') {
		if (n < 2 || p[n - 1] != '"')
			return 0;
		for (size_t i = 1; i < n - 1; i++) {
			unsigned char c = (unsigned char)p[i];

			if (c == '\\') {
				if (++i >= n - 1 || (unsigned char)p[i] < 0x20)
					return 0;
			} else if (c == '"' || c < 0x20 || c == 0x7F) {
				return 0;
			}
		}
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (i == 0 || i == n - 1 || p[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)p[i])) {
			return 0;
		}
	}
	return 1;
}

static int valid_address_literal(const char *p, size_t n)
{
	char text[64];
	unsigned char bin[16];

	/* inet_pton stops at a NUL: "[1.2.3.4\0junk]" must not pass */
	if (n < 3 || p[n - 1] != ']' || n - 2 >= sizeof text || memchr(p, '\0', n) != NULL)
		return 0;
	if (n > 7 && text_case_prefix(p + 1, n - 1, "IPv6:")) {
		memcpy(text, p + 6, n - 7);
		text[n - 7] = '\0';
		return inet_pton(AF_INET6, text, bin) == 1;
	}
	memcpy(text, p + 1, n - 2);
	text[n - 2] = '\0';
	return inet_pton(AF_INET, text, bin) == 1;
}

/* A domain of labels (UTF-8 U-labels too: RFC 6531 §3.3) or an address literal. */
static int valid_domain(const char *p, size_t n)
{
	if (n > 0 && p[0] == '[')
		return valid_address_literal(p, n);
	return text_dns_name(p, n, ADDRESS_DOMAIN_MAX, TEXT_DNS_UTF8);
}

int command_parse_address(const char *p, size_t n, struct address *out)
{
	const char *at = NULL;

	memset(out, 0, sizeof *out);
	/* The last '@' separates them: a quoted local part may hold one. */
	for (size_t i = 0; i < n; i++)
		if (p[i] == '@')
			at = p + i;
	if (at == NULL)
		return -1;
	size_t local_len = (size_t)(at - p), domain_len = n - local_len - 1;

	if (!valid_local(p, local_len) || !valid_domain(at + 1, domain_len) ||
	    !utf8_valid((const unsigned char *)p, n))
		return -1;
	memcpy(out->local, p, local_len);
	text_lower_copy(out->domain, at + 1, domain_len);
	out->non_ascii = text_eight_bit(p, n) < n;
	return 0;
}

void command_address_text(const struct address *a, char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, out, cap);
	buf_adds(&b, a->local);
	if (a->domain[0] != '\0') {
		buf_addc(&b, '@');
		buf_adds(&b, a->domain);
	}
}

static int parse_params(const char *p, size_t n, struct path *out)
{
	size_t i = 0;

	out->nparams = 0;
	while (i < n) {
		while (i < n && p[i] == ' ')
			i++;
		if (i == n)
			break;
		if (out->nparams == PARAMS_MAX)
			return -1;
		struct param *pm = &out->params[out->nparams++];
		size_t start = i;

		while (i < n && p[i] != ' ' && p[i] != '=') {
			if (!is_alnum((unsigned char)p[i]) && !(p[i] == '-' && i > start))
				return -1;
			i++;
		}
		pm->key = p + start;
		pm->key_len = i - start;
		pm->value = NULL;
		pm->value_len = 0;
		if (pm->key_len == 0)
			return -1;
		if (i < n && p[i] == '=') {
			pm->value = p + ++i;
			while (i < n && p[i] != ' ') {
				/* esmtp-value: any CHAR except "=", SP and controls (RFC 5321 §4.1.2) */
				if ((unsigned char)p[i] < 0x21 || p[i] == '=' || p[i] == 0x7F)
					return -1;
				i++;
			}
			pm->value_len = (size_t)(p + i - pm->value);
			if (pm->value_len == 0)
				return -1;
		}
	}
	return 0;
}

int command_parse_path(enum path_kind kind, const char *arg, size_t n, struct path *out)
{
	const char *prefix = kind == PATH_MAIL ? "FROM:" : "TO:";
	size_t plen = strlen(prefix), i, end;
	const char *addr;
	size_t addr_len;

	memset(out, 0, sizeof *out);
	if (!text_case_prefix(arg, n, prefix))
		return -1;
	i = plen;
	while (i < n && arg[i] == ' ')
		i++;
	if (i < n && arg[i] == '<') {
		const char *close = memchr(arg + i, '>', n - i);

		if (close == NULL)
			return -1;
		addr = arg + i + 1;
		addr_len = (size_t)(close - addr);
		end = (size_t)(close - arg) + 1;
		if (end < n && arg[end] != ' ')
			return -1;
	} else {
		const char *space = memchr(arg + i, ' ', n - i);

		addr = arg + i;
		end = space ? (size_t)(space - arg) : n;
		addr_len = end - i;
		if (addr_len == 0)
			return -1;
	}
	/* A source route (<@a,@b:user@c>) is obsolete; RFC 5321 §4.1.2 says accept and ignore it. */
	if (addr_len > 0 && addr[0] == '@') {
		const char *colon = memchr(addr, ':', addr_len);

		if (colon == NULL)
			return -1;
		addr_len -= (size_t)(colon + 1 - addr);
		addr = colon + 1;
	}
	if (addr_len == 0) {
		if (kind != PATH_MAIL)
			return -1;
		out->addr.is_null = 1;
	} else if (kind == PATH_RCPT && text_case_equal(addr, addr_len, "postmaster")) {
		memcpy(out->addr.local, addr, addr_len);
	} else if (command_parse_address(addr, addr_len, &out->addr) != 0) {
		return -1;
	}
	return parse_params(arg + end, n - end, out);
}

/* The ESMTP parameters badsmtp knows (SPEC §2, §17), each the keyword of one extension. */
enum param_kind { PARAM_UNKNOWN, PARAM_SIZE, PARAM_BODY, PARAM_SMTPUTF8, PARAM_AUTH, PARAM_DSN };

struct param_check {
	enum param_kind kind;
	unsigned ext;               /* the EXT_* bit (ehlo.h) that must be on for it; 0: none */
	int valid;                  /* its value is well-formed for it (else `malformed`) */
	enum reply_id malformed;    /* for a malformed value: 501, or DSN's 501 5.5.4 */
	const char *keyword;        /* its keyword, upper-case */
	unsigned long long size;    /* SIZE=: the number */
};

/* SPEC §2: each parameter belongs to one extension; its value rule. */
static int size_value(const struct param *p, unsigned long long *size)
{
	return p->value != NULL && text_decimal(p->value, p->value_len, size) == p->value_len;
}

/* The value is one of two words, in any case. */
static int value_in(const struct param *p, const char *a, const char *b)
{
	return p->value != NULL && (text_case_equal(p->value, p->value_len, a) ||
	                            text_case_equal(p->value, p->value_len, b));
}

static int body_value(const struct param *p, unsigned long long *unused)
{
	(void)unused;
	return value_in(p, "7BIT", "8BITMIME");
}

static int no_value(const struct param *p, unsigned long long *unused)
{
	(void)unused;
	return p->value == NULL;
}

static int some_value(const struct param *p, unsigned long long *unused)
{
	(void)unused;
	return p->value != NULL;
}

static int upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* RFC 3461 §4: xtext, 1..max octets of printable ASCII but '+' and '=', or "+" and two upper-case
 * hex digits. */
static int xtext(const char *p, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '+') {
			if (i + 2 >= n || !upper_hex(p[i + 1]) || !upper_hex(p[i + 2]))
				return 0;
			i += 2;
		} else if ((unsigned char)p[i] < 33 || (unsigned char)p[i] > 126 || p[i] == '=') {
			return 0;
		}
	}
	return 1;
}

/* RFC 3461 §4.3: RET=FULL or RET=HDRS. */
static int ret_value(const struct param *p, unsigned long long *unused)
{
	(void)unused;
	return value_in(p, "FULL", "HDRS");
}

/* RFC 3461 §4.4: ENVID=xtext of at most 100 octets. */
static int envid_value(const struct param *p, unsigned long long *unused)
{
	(void)unused;
	return p->value != NULL && xtext(p->value, p->value_len, 100);
}

/* RFC 3461 §4.1: NOTIFY=NEVER, or a comma list of SUCCESS, FAILURE, DELAY, each once. */
static int notify_value(const struct param *p, unsigned long long *unused)
{
	static const char *const words[] = { "SUCCESS", "FAILURE", "DELAY" };
	unsigned seen = 0;

	(void)unused;
	if (p->value == NULL)
		return 0;
	if (text_case_equal(p->value, p->value_len, "NEVER"))
		return 1;
	for (size_t start = 0, i = 0; i <= p->value_len; i++) {
		size_t k = 0;

		if (i < p->value_len && p->value[i] != ',')
			continue;
		while (k < 3 && !text_case_equal(p->value + start, i - start, words[k]))
			k++;
		if (k == 3 || (seen & (1u << k)))
			return 0;
		seen |= 1u << k;
		start = i + 1;
	}
	return 1;
}

/* RFC 3461 §4.2: ORCPT=addr-type;xtext, at most 500 octets; addr-type an atom ("rfc822"). */
static int orcpt_value(const struct param *p, unsigned long long *unused)
{
	const char *semi = p->value != NULL ? memchr(p->value, ';', p->value_len) : NULL;
	size_t type_len = semi != NULL ? (size_t)(semi - p->value) : 0;

	(void)unused;
	if (type_len == 0 || p->value_len > 500)
		return 0;
	for (size_t i = 0; i < type_len; i++)
		if (!is_alnum((unsigned char)p->value[i]) && p->value[i] != '-')
			return 0;
	return xtext(semi + 1, p->value_len - type_len - 1, 500);
}

static const struct {
	const char *keyword;
	enum path_kind on;
	enum param_kind kind;
	unsigned ext;
	int (*valid)(const struct param *p, unsigned long long *size);
	enum reply_id malformed;
} params[] = {
	{ .keyword = "SIZE", .on = PATH_MAIL, .kind = PARAM_SIZE, .ext = EXT_SIZE,
	  .valid = size_value, .malformed = REPLY_SYNTAX },
	{ .keyword = "BODY", .on = PATH_MAIL, .kind = PARAM_BODY, .ext = EXT_8BITMIME,
	  .valid = body_value, .malformed = REPLY_SYNTAX },
	{ .keyword = "SMTPUTF8", .on = PATH_MAIL, .kind = PARAM_SMTPUTF8, .ext = EXT_SMTPUTF8,
	  .valid = no_value, .malformed = REPLY_SYNTAX },
	{ .keyword = "AUTH", .on = PATH_MAIL, .kind = PARAM_AUTH, .ext = EXT_AUTH,
	  .valid = some_value, .malformed = REPLY_SYNTAX },
	/* SPEC §17: DSN (RFC 3461), with the dsn keyword */
	{ .keyword = "RET", .on = PATH_MAIL, .kind = PARAM_DSN, .ext = EXT_DSN,
	  .valid = ret_value, .malformed = REPLY_DSN_INVALID },
	{ .keyword = "ENVID", .on = PATH_MAIL, .kind = PARAM_DSN, .ext = EXT_DSN,
	  .valid = envid_value, .malformed = REPLY_DSN_INVALID },
	{ .keyword = "NOTIFY", .on = PATH_RCPT, .kind = PARAM_DSN, .ext = EXT_DSN,
	  .valid = notify_value, .malformed = REPLY_DSN_INVALID },
	{ .keyword = "ORCPT", .on = PATH_RCPT, .kind = PARAM_DSN, .ext = EXT_DSN,
	  .valid = orcpt_value, .malformed = REPLY_DSN_INVALID },
};

/* What parameter p of a kind path is, and whether its value is well-formed: SIZE digits, BODY
 * 7BIT or 8BITMIME, SMTPUTF8 without a value, AUTH with one; DSN's RET=FULL|HDRS, ENVID=xtext,
 * NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY, ORCPT=type;xtext (RFC 3461 §4). */
static void check_param(enum path_kind kind, const struct param *p, struct param_check *out)
{
	*out = (struct param_check){ .kind = PARAM_UNKNOWN };
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
		if (params[i].on != kind || !text_case_equal(p->key, p->key_len, params[i].keyword))
			continue;
		out->kind = params[i].kind;
		out->ext = params[i].ext;
		out->valid = params[i].valid(p, &out->size);
		out->malformed = params[i].malformed;
		out->keyword = params[i].keyword;
		return;
	}
}

/* Whether a parameter before i of p has keyword (RFC 3461 §4: each DSN parameter at most once). */
static int repeated(enum path_kind kind, const struct path *p, size_t i, const char *keyword)
{
	for (size_t j = 0; j < i; j++) {
		struct param_check pc;

		check_param(kind, &p->params[j], &pc);
		if (pc.keyword == keyword)
			return 1;
	}
	return 0;
}

unsigned command_path_declares(const struct path *p)
{
	unsigned bits = 0;

	for (size_t i = 0; i < p->nparams; i++) {
		struct param_check pc;

		check_param(PATH_MAIL, &p->params[i], &pc);
		if (pc.kind == PARAM_SMTPUTF8 && pc.valid)
			bits |= COMMAND_SMTPUTF8;
		else if (pc.kind == PARAM_BODY && pc.valid &&
		         text_case_equal(p->params[i].value, p->params[i].value_len, "8BITMIME"))
			bits |= COMMAND_8BITMIME;
	}
	return bits;
}

enum reply_id command_path_policy(enum path_kind kind, const struct path *p, unsigned ext,
                                  unsigned long long size_limit)
{
	if (p->addr.non_ascii && !(ext & EXT_SMTPUTF8))
		return REPLY_NON_ASCII;
	for (size_t i = 0; i < p->nparams; i++) {
		struct param_check pc;

		check_param(kind, &p->params[i], &pc);
		if (pc.kind == PARAM_UNKNOWN || !(ext & pc.ext))
			return REPLY_PARAMS;
		if (!pc.valid || (pc.kind == PARAM_DSN && repeated(kind, p, i, pc.keyword)))
			return pc.malformed;
		if (pc.kind == PARAM_SIZE && pc.size > size_limit)
			return REPLY_SIZE_EXCEEDED;
	}
	return REPLY_OK;
}

size_t command_dsn_text(enum path_kind kind, const struct path *p, char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, out, cap);
	for (size_t i = 0; i < p->nparams; i++) {
		struct param_check pc;

		check_param(kind, &p->params[i], &pc);
		if (pc.kind != PARAM_DSN)
			continue;
		if (b.len > 0)
			buf_adds(&b, kind == PATH_MAIL ? "; " : " ");
		buf_adds(&b, pc.keyword);
		buf_addc(&b, '=');
		buf_add(&b, p->params[i].value, p->params[i].value_len);
	}
	return b.truncated ? 0 : b.len;
}

int command_parse_bdat(const char *arg, size_t n, unsigned long long *size, int *last)
{
	size_t i = text_decimal(arg, n, size);

	*last = 0;
	if (i == 0 || *size > BDAT_CHUNK_MAX || (i < n && arg[i] != ' ')) {
		*size = 0;
		return -1;
	}
	while (i < n && arg[i] == ' ')
		i++;
	*last = text_case_equal(arg + i, n - i, "LAST");
	return *last || i == n ? 0 : -1;
}

int command_parse_vrfy(const char *arg, size_t n, char *out, size_t *local_len)
{
	size_t len = 0;
	char *start = out, *end, *lt, *gt, *at;

	if (text_has_control(arg, n))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (arg[i] != ' ' && arg[i] != '\t')
			out[len++] = arg[i];
		else if (len > 0 && out[len - 1] != ' ')
			out[len++] = ' ';
	end = out + len;
	lt = memchr(out, '<', len);
	gt = lt != NULL ? memchr(lt, '>', (size_t)(end - lt)) : NULL;
	if (gt != NULL) {
		start = lt + 1;
		end = gt;
	}
	at = memrchr(start, '@', (size_t)(end - start));
	if (at == NULL || at == start || at + 1 == end)
		return -1;
	*local_len = (size_t)(at - start);
	memmove(out, start, (size_t)(end - start));
	text_lower_copy(out + *local_len + 1, out + *local_len + 1, (size_t)(end - at - 1));
	return 0;   /* text_lower_copy ended the address with its NUL */
}

size_t command_words(const char *arg, size_t n, char *copy, const char **words, size_t max)
{
	size_t count = 0;

	memcpy(copy, arg, n);
	copy[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (copy[i] == ' ' || copy[i] == '\t')
			copy[i] = '\0';
		else if ((i == 0 || copy[i - 1] == '\0') && count < max)
			words[count++] = copy + i;
	}
	return count;
}
