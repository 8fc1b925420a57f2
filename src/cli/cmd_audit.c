/*
 * `purdah audit`: the audit trail in the review store (include/purdah/
 * store.h). verify walks the hash chain and names the first altered,
 * inserted or missing entry; export writes the entries of a time range as
 * CSV (RFC 4180) or JSON Lines, with each entry's stored fields exactly as
 * hashed, so that anyone can check the chain from the export alone.
 */
#include <string.h>

#include "cli/cli.h"
#include "dep/csv.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/json.h"
#include "purdah/store.h"

#define MAX_EXPORT_BYTES ((size_t)1 << 32) /* an export to a file */
#define FLUSH_BYTES      65536

static const char audit_usage[] =
        "usage: purdah audit verify\n"
        "       purdah audit export --format csv|jsonl [--from D] [--to D]\n"
        "                           [--output FILE]\n"
        "  The audit trail: every item recorded, review decision, expiry,\n"
        "  freeze, policy load, login and user change, in the store (--db\n"
        "  FILE, default store.path: var/purdah.db). Each entry carries the\n"
        "  SHA-256 of the one before (a hash chain).\n"
        "  verify  check the whole chain: `audit: N entries, chain intact,\n"
        "          head HASH` (publish the head to anchor it) and exit 0, "
        "or\n"
        "          `audit: entry N: WHY` for the first altered, inserted or\n"
        "          missing entry and exit 65\n"
        "  export  the entries from --from to --to (a date, local, --to\n"
        "          inclusive; or a time; default: all), oldest first:\n"
        "          csv    header seq,at,actor,action,item,detail,prev,hash\n"
        "                 (RFC 4180: CRLF, fields quoted when needed)\n"
        "          jsonl  one object per line with the same keys (item null\n"
        "                 when none; detail the stored JSON text)\n"
        "          --output FILE writes FILE atomically (default stdout)\n"
        "  Exit status: 0 success, 64 usage, 65 chain broken, 66 no store,\n"
        "  70 internal error, 74 I/O error, 78 configuration.\n";

static pd_rc cmd_verify(pd_cli *c, int argc, char **argv)
{
	pd_audit_report r;
	pd_rc rc;

	if ((rc = pd_cli_parse(c, argc, argv, NULL, NULL, 0, NULL, NULL,
	                       audit_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "audit verify: unexpected '%s'",
		                    argv[optind]);
	if ((rc = pd_cli_store(c, false)) < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	rc = pd_audit_verify(c->store, &r);
	if (rc == PD_EINVALID && r.bad_seq) {
		printf("audit: entry %lld: ", (long long)r.bad_seq);
		pd_cli_put_escaped(stdout, r.why, false);
		fputc('\n', stdout);
		pd_error_clear();
		c->exit_status = PD_EXIT_DATAERR;
		return PD_OK;
	}
	if (rc < 0)
		return rc;
	printf("audit: %lld entr%s, chain intact, head %s\n",
	       (long long)r.entries, r.entries == 1 ? "y" : "ies",
	       r.head[0] ? r.head : "(none)");
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* export                                                                   */

typedef struct {
	pd_cli *c;
	pd_buf out;
	bool csv, to_stdout;
} exporter;

/* One CSV field (RFC 4180): quoted only where it must be. */
static pd_rc csv_field(pd_buf *b, const char *s, bool last)
{
	return pd_csv_field(b, s, s ? strlen(s) : 0, last ? PD_CSV_LAST : 0);
}

static pd_rc flush_out(exporter *x, bool force)
{
	pd_rc rc;

	if (!x->to_stdout || (!force && x->out.len < FLUSH_BYTES))
		return PD_OK;
	if ((rc = pd_cli_write_output(NULL, &x->out)) == PD_OK)
		pd_buf_clear(&x->out);
	return rc;
}

static pd_rc export_entry(void *ctx, const pd_audit_entry *e)
{
	exporter *x = ctx;
	char seq[32], item[32], at[64];
	pd_rc rc;

	snprintf(seq, sizeof(seq), "%lld", (long long)e->seq);
	snprintf(item, sizeof(item), "%lld", (long long)e->item);
	pd_time_format_rfc3339(at, sizeof(at), e->at, x->c->tz);
	if (x->csv) {
		if ((rc = csv_field(&x->out, seq, false)) < 0 ||
		    (rc = csv_field(&x->out, at, false)) < 0 ||
		    (rc = csv_field(&x->out, e->actor, false)) < 0 ||
		    (rc = csv_field(&x->out, e->action, false)) < 0 ||
		    (rc = csv_field(&x->out, e->item ? item : "", false)) < 0 ||
		    (rc = csv_field(&x->out, e->detail, false)) < 0 ||
		    (rc = csv_field(&x->out, e->prev, false)) < 0 ||
		    (rc = csv_field(&x->out, e->hash, true)) < 0)
			return rc;
	} else {
		pd_json *o = pd_json_object();
		bool ok = o != NULL;
		ok = ok && pd_json_set_int(o, "seq", e->seq) == PD_OK;
		ok = ok && pd_json_set_str(o, "at", at) == PD_OK;
		ok = ok && pd_json_set_str(o, "actor", e->actor) == PD_OK;
		ok = ok && pd_json_set_str(o, "action", e->action) == PD_OK;
		ok = ok && pd_json_set(o, "item",
		                       e->item ? pd_json_int(e->item)
		                               : pd_json_null()) == PD_OK;
		ok = ok && pd_json_set_str(o, "detail", e->detail) == PD_OK;
		ok = ok && pd_json_set_str(o, "prev", e->prev) == PD_OK;
		ok = ok && pd_json_set_str(o, "hash", e->hash) == PD_OK;
		rc = ok ? pd_json_dump(&x->out, o, false)
		        : pd_error_set(PD_ENOMEM, "out of memory");
		pd_json_free(o);
		if (rc < 0 || (rc = pd_buf_putc(&x->out, '\n')) < 0)
			return rc;
	}
	return flush_out(x, false);
}

static pd_rc cmd_export(pd_cli *c, int argc, char **argv)
{
	exporter x;
	pd_cli_export o;
	pd_instant from, to;
	pd_rc rc;

	memset(&x, 0, sizeof(x));
	if ((rc = pd_cli_export_parse(c, argc, argv, audit_usage,
	                              "audit export", "csv", "jsonl", &o, &from,
	                              &to)) < 0 ||
	    c->done)
		return rc;
	x.c = c;
	x.csv = strcmp(o.format, "csv") == 0;
	x.to_stdout = !o.output || strcmp(o.output, "-") == 0;
	x.out = (pd_buf)PD_BUF_INIT(x.to_stdout ? (size_t)1 << 26
	                                        : MAX_EXPORT_BYTES);
	if (x.csv)
		rc = pd_buf_puts(&x.out, "seq,at,actor,action,item,detail,prev,"
		                         "hash\r\n");
	if (rc == PD_OK)
		rc = pd_audit_each(c->store, from, to, 0, export_entry, &x);
	if (rc == PD_OK)
		rc = x.to_stdout ? flush_out(&x, true)
		                 : pd_cli_write_output(o.output, &x.out);
	pd_buf_dispose(&x.out);
	return rc;
}

pd_rc pd_cmd_audit(pd_cli *c, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : NULL;

	c->usage = audit_usage;
	if (!sub)
		return pd_error_set(PD_EUSAGE,
		                    "audit: no subcommand (verify or export)");
	if (!strcmp(sub, "verify"))
		return cmd_verify(c, argc - 1, argv + 1);
	if (!strcmp(sub, "export"))
		return cmd_export(c, argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(audit_usage, stdout);
		return PD_OK;
	}
	return pd_error_set(PD_EUSAGE, "audit: unknown subcommand '%s'", sub);
}
