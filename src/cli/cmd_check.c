/*
 * `purdah check`: the posting gate for one item, or for JSON Lines with
 * --batch. Exit status: 0 allow, 1 hold, 2 block (0 with --dry-run); for a
 * batch the most severe outcome of all lines, a refused line (65) or a
 * failed decision (70) above any decision. With --record, each hold and
 * block becomes a review item in the store (include/purdah/store.h); a
 * store that cannot be written is the run's error, never a decision
 * reported as recorded when it was not.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/gate.h"
#include "purdah/store.h"

#define MAX_ITEM_BYTES (16u * 1024 * 1024) /* one item's text */
#define MAX_LINE_BYTES (4u * 1024 * 1024)  /* one batch line */

typedef struct {
	const char *at, *cls, *account;
	const char *areas[PD_MAX_ITEM_AREAS];
	size_t nareas;
	bool json, dry_run, batch, html, record;
} opts;

/* What --record keeps for one item: its id, and whether it is new. */
typedef struct {
	int64_t id;
	bool created;
} recorded;

static const char check_usage[] =
        "usage: purdah check [--at TIME] [--class CLASS] [--area AREA]...\n"
        "                    [--account NAME] [--json] [--dry-run] [--html] "
        "[--record]\n"
        "                    [FILE|-]\n"
        "       purdah check --batch [same options as defaults] [FILE|-]\n"
        "  Decide whether an item may be published: exit 0 allow, 1 hold,\n"
        "  2 block; the reasons on stdout (--json: the full answer).\n"
        "  --at TIME       the publication time (default now): 2027-04-01,\n"
        "                  2027-04-01T09:00 (local) or RFC 3339\n"
        "  --class CLASS   council-post (default), third-party, "
        "councillor-feed,\n"
        "                  forum, emergency\n"
        "  --area AREA     the ward or division the item is about; "
        "repeatable;\n"
        "                  none: the whole council (every period applies)\n"
        "  --account NAME  the publishing account (recorded)\n"
        "  --dry-run       the same report, exit 0: \"would have held\"\n"
        "  --html          the text is HTML (tags are not words)\n"
        "  --record        put each hold and block in the review queue (the\n"
        "                  store: --db FILE or store.path); prints `item: ID`\n"
        "                  (--json: \"item_id\", \"item_new\"); the same text\n"
        "                  for the same account and time is one item. A store\n"
        "                  that cannot be written is an error (its exit "
        "status),\n"
        "                  never an unrecorded hold\n"
        "  --batch         JSON Lines in, one JSON decision per line out:\n"
        "                  {\"id\",\"text\",\"class\",\"area\",\"at\","
        "\"account\"};\n"
        "                  a malformed line gets an error record, the run "
        "goes on\n"
        "  Exit status: 0 allow, 1 hold, 2 block, 64 usage, 65 bad input,\n"
        "  66 missing input, 70 internal error, 78 configuration.\n";

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->at = arg; break;
	case 2: o->cls = arg; break;
	case 3: return pd_cli_push_area(o->areas, &o->nareas, arg, "check");
	case 4: o->account = arg; break;
	case 5: o->json = true; break;
	case 6: o->dry_run = true; break;
	case 7: o->batch = true; break;
	case 8: o->html = true; break;
	case 9: o->record = true; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

/* Load everything the gate needs; any failure is a configuration error
 * (78) or worse, never an "allow". */
static pd_rc make_gate(pd_cli *c, pd_gate **g)
{
	pd_rc rc;

	c->periods_only = true; /* the policy needs no bank holidays */
	if ((rc = pd_cli_calendar(c)) < 0 || (rc = pd_cli_matcher(c)) < 0)
		return rc;
	return pd_gate_new(g, c->cfg, c->cal, c->lexset, c->matcher);
}

/* The defaults every item starts from (the options). */
static pd_rc item_defaults(pd_cli *c, const opts *o, pd_item *it)
{
	memset(it, 0, sizeof(*it));
	it->flags = o->html ? PD_NORM_HTML : 0;
	it->areas = o->areas;
	it->nareas = o->nareas;
	it->account = o->account;
	if (o->account && !o->account[0])
		return pd_error_set(PD_EUSAGE, "--account: empty");
	return pd_cli_item_opts(c, o->cls, o->areas, o->nareas, o->at, &it->cls,
	                        &it->at);
}

static int exit_of(pd_decision d)
{
	return d == PD_BLOCK ? 2 : d == PD_HOLD ? 1 : 0;
}

static const char *upper(pd_decision d)
{
	return d == PD_BLOCK ? "BLOCK" : d == PD_HOLD ? "HOLD" : "ALLOW";
}

static const char *would(pd_decision d)
{
	return d == PD_BLOCK  ? "would have blocked"
	       : d == PD_HOLD ? "would have held"
	                      : "would have allowed";
}

/*
 * Open the store for --record (creating it) and note the policy loaded, once
 * per run: any failure stops the run before a decision is printed.
 */
static pd_rc open_store(pd_cli *c, const pd_gate *g)
{
	pd_rc rc;

	if ((rc = pd_cli_store(c, true)) < 0 ||
	    (rc = pd_audit_note_load(c->store, pd_time_now(), "purdah", g)) < 0)
		pd_error_prefix("check --record");
	return rc;
}

/* Record a held or blocked item (an allowed one is not recorded: r->id 0). */
static pd_rc record(pd_cli *c, const pd_gate *g, const pd_item *it,
                    const pd_verdict *v, const char *source, const char *origin,
                    recorded *r)
{
	pd_buf strings = PD_BUF_INIT((size_t)1 << 30);
	pd_review_new n;
	pd_rc rc;

	r->id = 0;
	r->created = false;
	if (v->decision == PD_ALLOW)
		return PD_OK;
	if ((rc = pd_review_new_from_verdict(&n, &strings, g, it, v, source,
	                                     origin)) == PD_OK)
		rc = pd_store_record(c->store, &n, pd_time_now(),
		                     c->cfg->review.hold_for, &r->id,
		                     &r->created);
	if (rc < 0)
		pd_error_prefix("check --record");
	pd_buf_dispose(&strings);
	return rc;
}

/* "item_id" and "item_new" into a decision's JSON (nothing when allowed). */
static bool add_item_json(pd_json *j, const recorded *r)
{
	if (!j)
		return false;
	if (!r->id)
		return true;
	return pd_json_set_int(j, "item_id", r->id) == PD_OK &&
	       pd_json_set_bool(j, "item_new", r->created) == PD_OK;
}

static void print_text(pd_cli *c, const opts *o, const pd_item *it,
                       const pd_verdict *v, const recorded *r)
{
	char when[64];
	pd_civil lc;
	int off;

	if (o->dry_run)
		printf("DRY RUN: %s (exit status 0)\n", would(v->decision));
	for (size_t i = 0; i < v->nreasons; i++) {
		printf("%s: ", upper(v->reasons[i].decision));
		pd_cli_put_escaped(stdout, v->reasons[i].message, false);
		putchar('\n');
	}
	if (v->nreasons == 0) {
		printf("ALLOW: %sno rule applies",
		       v->poll_information ? "information about the poll; "
		                           : "");
		if (v->nperiods == 0)
			printf(" (no period in force)");
		for (size_t i = 0; i < v->nperiods; i++) {
			printf("%s\"", i ? ", " : " (in force: ");
			pd_cli_put_escaped(stdout, v->periods[i]->name, false);
			putchar('"');
		}
		printf("%s\n", v->nperiods ? ")" : "");
	}
	if (r->id)
		printf("item: %lld%s\n", (long long)r->id,
		       r->created ? "" : " (already recorded)");
	pd_tz_instant_to_local(c->tz, it->at, &lc, &off);
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d", lc.year,
	         lc.month, lc.day, lc.hour, lc.min);
	printf("  (%s at %s %s; ", pd_class_name(it->cls), when,
	       pd_tz_name(c->tz));
	if (it->nareas == 0)
		printf("whole council");
	for (size_t i = 0; i < it->nareas; i++) {
		printf("%s", i ? ", " : "area ");
		pd_cli_put_escaped(stdout, it->areas[i], false);
	}
	printf(")\n");
}

static pd_rc check_one(pd_cli *c, const opts *o, const char *path)
{
	pd_buf text = PD_BUF_INIT(MAX_ITEM_BYTES);
	pd_verdict v = PD_VERDICT_INIT;
	pd_gate *g = NULL;
	recorded r = {0, false};
	pd_item it;
	pd_rc rc;

	if ((rc = make_gate(c, &g)) < 0 ||
	    (rc = item_defaults(c, o, &it)) < 0 ||
	    (o->record && (rc = open_store(c, g)) < 0) ||
	    (rc = pd_file_read(&text, path)) < 0)
		goto done;
	it.text = text.ptr ? text.ptr : "";
	it.len = text.len;
	if ((rc = pd_gate_decide(g, &it, &v)) < 0)
		goto done;
	if (o->record && (rc = record(c, g, &it, &v, "check", path, &r)) < 0)
		goto done;
	if (o->json) {
		pd_json *j = pd_verdict_json(g, &it, &v, NULL);
		if (j && (pd_json_set_bool(j, "dry_run", o->dry_run) < 0 ||
		          !add_item_json(j, &r))) {
			pd_json_free(j);
			j = NULL;
		}
		rc = pd_cli_print_json(j, true);
	} else {
		print_text(c, o, &it, &v, &r);
	}
	c->exit_status = o->dry_run ? 0 : exit_of(v.decision);
done:
	pd_verdict_dispose(&v);
	pd_gate_free(g);
	pd_buf_dispose(&text);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Batch                                                                    */

/* Lines from a stream, each at most MAX_LINE_BYTES; a longer one is
 * reported (too_long) and skipped to its end. */
typedef struct {
	FILE *f;
	char chunk[65536];
	size_t pos, len;
	bool eof;
	pd_buf line;
	bool too_long;
} line_reader;

/* 1: a line in r->line (or too_long), 0: end of input, <0: read error. */
static int next_line(line_reader *r, const char *name)
{
	bool any = false;

	pd_buf_clear(&r->line);
	r->too_long = false;
	for (;;) {
		char *nl;
		size_t n;
		if (r->pos == r->len) {
			if (r->eof)
				return any ? 1 : 0;
			r->len = fread(r->chunk, 1, sizeof(r->chunk), r->f);
			r->pos = 0;
			if (r->len == 0) {
				if (ferror(r->f))
					return pd_error_set(
					        PD_EIO, "%s: cannot read: %s",
					        name, "read error");
				r->eof = true;
				continue;
			}
		}
		any = true;
		nl = memchr(r->chunk + r->pos, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - (r->chunk + r->pos)) : r->len - r->pos;
		if (!r->too_long) {
			if (r->line.len + n > MAX_LINE_BYTES) {
				r->too_long = true;
				pd_buf_clear(&r->line);
			} else if (pd_buf_put(&r->line, r->chunk + r->pos, n) <
			           0) {
				return pd_error_code();
			}
		}
		r->pos += n + (nl != NULL);
		if (nl)
			return 1;
	}
}

static bool blank(const pd_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->ptr[i] != ' ' && b->ptr[i] != '\t' && b->ptr[i] != '\r')
			return false;
	return true;
}

/* {"line": N, "id": ..., "error": {"code", "message"}} */
static pd_rc error_record(pd_buf *out, size_t line, pd_json *id,
                          const char *code, const char *message)
{
	pd_json *o = pd_json_object(), *e = pd_json_object();
	bool ok = o && e;
	pd_rc rc;

	ok = ok && pd_json_set(o, "id",
	                       id ? pd_json_ref(id) : pd_json_null()) == PD_OK;
	ok = ok && pd_json_set_int(o, "line", (int64_t)line) == PD_OK;
	ok = ok && pd_json_set_str(e, "code", code) == PD_OK;
	ok = ok && pd_json_set_str(e, "message", message) == PD_OK;
	ok = ok && pd_json_set(o, "error", e) == PD_OK;
	e = NULL;
	rc = ok ? pd_json_dump(out, o, false)
	        : pd_error_set(PD_ENOMEM, "out of memory");
	pd_json_free(e);
	pd_json_free(o);
	return rc;
}

static pd_rc flush_out(pd_buf *out, bool force)
{
	if (!force && out->len < 65536)
		return PD_OK;
	if (out->len && fwrite(out->ptr, 1, out->len, stdout) != out->len)
		return pd_error_set(PD_EIO, "cannot write the output");
	pd_buf_clear(out);
	return PD_OK;
}

static pd_rc check_batch(pd_cli *c, const opts *o, const char *path)
{
	line_reader r;
	pd_buf out = PD_BUF_INIT((size_t)1 << 30);
	pd_verdict v = PD_VERDICT_INIT;
	pd_gate *g = NULL;
	pd_item defaults;
	size_t lineno = 0;
	int worst = 0;
	bool store_failed = false;
	pd_rc rc;

	memset(&r, 0, sizeof(r));
	r.line = (pd_buf)PD_BUF_INIT(MAX_LINE_BYTES + 1);
	if ((rc = make_gate(c, &g)) < 0 ||
	    (rc = item_defaults(c, o, &defaults)) < 0 ||
	    (o->record && (rc = open_store(c, g)) < 0))
		goto done;
	if (strcmp(path, "-") == 0) {
		r.f = stdin;
	} else if (!(r.f = fopen(path, "rb"))) {
		rc = pd_error_set(PD_ENOINPUT, "%s: cannot open", path);
		goto done;
	}
	for (;;) {
		pd_check_request req;
		recorded rec = {0, false};
		int got = next_line(&r, path);
		int status;
		if (got < 0) {
			rc = (pd_rc)got;
			break;
		}
		if (got == 0)
			break;
		lineno++;
		if (!r.too_long && blank(&r.line))
			continue;
		if (r.too_long) {
			char msg[640];
			snprintf(msg, sizeof(msg),
			         "%.500s:%zu: the line is longer than %u bytes",
			         path, lineno, MAX_LINE_BYTES);
			rc = error_record(&out, lineno, NULL, "too-big", msg);
			status = PD_EXIT_DATAERR;
		} else if (pd_check_request_parse(
		                   &req, path, lineno, r.line.ptr, r.line.len,
		                   &defaults, c->cfg, c->tz) < 0) {
			rc = error_record(&out, lineno, req.id, "bad-input",
			                  pd_error_message());
			pd_check_request_dispose(&req);
			status = PD_EXIT_DATAERR;
		} else if (pd_gate_decide(g, &req.item, &v) < 0) {
			/* Fail closed, and say so: no decision for it. */
			rc = error_record(&out, lineno, req.id, "internal",
			                  pd_error_message());
			pd_check_request_dispose(&req);
			status = PD_EXIT_SOFTWARE;
		} else if (o->record &&
		           (rc = record(c, g, &req.item, &v, "batch", path,
		                        &rec)) < 0) {
			/* Fail closed: the lines before stay written (and
			 * recorded); this one and the rest are not decided. */
			pd_check_request_dispose(&req);
			store_failed = true;
			break;
		} else {
			pd_json *j = pd_verdict_json(
			        g, &req.item, &v,
			        req.id ? pd_json_ref(req.id) : pd_json_null());
			bool ok = j &&
			          pd_json_set_int(j, "line", (int64_t)lineno) ==
			                  PD_OK;
			ok = ok && pd_json_set_bool(j, "dry_run", o->dry_run) ==
			                   PD_OK;
			ok = ok && add_item_json(j, &rec);
			rc = ok ? pd_json_dump(&out, j, false)
			        : pd_error_set(PD_ENOMEM, "out of memory");
			pd_json_free(j);
			pd_check_request_dispose(&req);
			status = o->dry_run ? 0 : exit_of(v.decision);
		}
		if (rc < 0 || (rc = pd_buf_putc(&out, '\n')) < 0 ||
		    (rc = flush_out(&out, false)) < 0)
			break;
		/* 0 < 1 hold < 2 block < 65 refused < 70 failed */
		if (status > worst)
			worst = status;
	}
	if (rc == PD_OK)
		rc = flush_out(&out, true);
	else if (store_failed)
		flush_out(&out, true); /* the lines decided and recorded */
	if (rc == PD_OK)
		c->exit_status = worst;
done:
	if (r.f && r.f != stdin)
		fclose(r.f);
	pd_buf_dispose(&r.line);
	pd_buf_dispose(&out);
	pd_verdict_dispose(&v);
	pd_gate_free(g);
	return rc;
}

pd_rc pd_cmd_check(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"at", required_argument, NULL, 1},
	        {"class", required_argument, NULL, 2},
	        {"area", required_argument, NULL, 3},
	        {"account", required_argument, NULL, 4},
	        {"json", no_argument, NULL, 5},
	        {"dry-run", no_argument, NULL, 6},
	        {"batch", no_argument, NULL, 7},
	        {"html", no_argument, NULL, 8},
	        {"record", no_argument, NULL, 9},
	};
	opts o;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 9, on_opt, &o,
	                       check_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind + 1 < argc)
		return pd_error_set(PD_EUSAGE, "check: one FILE at most");
	if (o.record && o.dry_run)
		return pd_error_set(
		        PD_EUSAGE, "check: --record and --dry-run exclude each "
		                   "other (a dry run records nothing)");
	return o.batch ? check_batch(c, &o, optind < argc ? argv[optind] : "-")
	               : check_one(c, &o, optind < argc ? argv[optind] : "-");
}
