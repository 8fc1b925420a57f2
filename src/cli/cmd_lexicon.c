/*
 * `purdah lexicon check [PATH...]`, `purdah lexicon import ...` and
 * `purdah scan [--json] [--html] [FILE|-]`.
 */
#include <string.h>

#include "cli/cli.h"
#include "purdah/gate.h"
#include "purdah/alloc.h"
#include "purdah/file.h"
#include "purdah/match.h"
#include "purdah/people.h"

#define PD_MAX_SCAN_BYTES (16u * 1024 * 1024)
#define PD_MAX_CSV_BYTES  (64u * 1024 * 1024)

static const char lexicon_usage[] =
        "usage: purdah lexicon check [--strict] [PATH...]\n"
        "       purdah lexicon import --kind candidates|councillors\n"
        "                             [--name NAME] [--out FILE] FILE.csv\n"
        "  check   load and compile lexicons (default: the configured\n"
        "          directories); errors as file:line:column, then warnings\n"
        "          (duplicate terms, terms that can never match, exceptions\n"
        "          that never apply, patterns that can match nothing);\n"
        "          --strict fails on warnings too\n"
        "  import  a lexicon of people from CSV (name, party, area/ward;\n"
        "          optional role, aliases, handle; Democracy Club's export\n"
        "          works as it is), to --out or standard output\n";

static const char scan_usage[] =
        "usage: purdah scan [--json] [--html] [FILE|-]\n"
        "  Scan text (default: standard input) with the configured lexicons\n"
        "  and print every hit and the score of each category.\n"
        "  --html  the input is HTML: tags are removed, entities decoded\n";

typedef struct {
	bool strict, json, html;
	const char *kind, *name, *out;
} opts;

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->strict = true; break;
	case 2: o->kind = arg; break;
	case 3: o->name = arg; break;
	case 4: o->out = arg; break;
	case 5: o->json = true; break;
	case 6: o->html = true; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static void print_warnings(const pd_lexset *set)
{
	for (size_t i = 0; i < pd_lexset_warning_count(set); i++) {
		const pd_lex_warning *w = pd_lexset_warning(set, i);
		fprintf(stderr, "%s:%d:%d: warning: %s\n", w->file, w->line,
		        w->col, w->message);
	}
}

static pd_rc cmd_check(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"strict", no_argument, NULL, 1},
	};
	opts o;
	pd_lexset *set = NULL;
	pd_matcher *m = NULL;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 1, on_opt, &o,
	                       lexicon_usage)) < 0 ||
	    c->done)
		return rc;
	if ((rc = pd_cli_setup(c)) < 0)
		return rc;
	if ((rc = pd_lexset_new(&set)) < 0)
		return rc;
	if (optind < argc) {
		for (int i = optind; i < argc && rc == PD_OK; i++)
			rc = pd_lexset_load_path(set, argv[i]);
	} else {
		for (size_t i = 0; i < c->cfg->nlexicons && rc == PD_OK; i++)
			rc = pd_lexset_load_path(set, c->cfg->lexicons[i]);
	}
	if (rc == PD_OK)
		rc = pd_matcher_new(&m, set);
	if (rc == PD_OK) {
		size_t entries = 0;
		for (size_t i = 0; i < pd_lexset_count(set); i++) {
			const pd_lexicon *l = pd_lexset_get(set, i);
			printf("%s: %s (%s, %s, version %s): %zu entries\n",
			       l->path, l->name, l->category, l->language,
			       l->version, l->nentries);
			entries += l->nentries;
		}
		printf("%zu lexicons, %zu entries, %zu terms and patterns, %zu "
		       "warnings; lexicons sha256 %s\n",
		       pd_lexset_count(set), entries, pd_matcher_term_count(m),
		       pd_lexset_warning_count(set), pd_lexset_sha256(set));
		print_warnings(set);
		if (o.strict && pd_lexset_warning_count(set))
			rc = pd_error_set(
			        PD_ECONFIG,
			        "lexicon check --strict: %zu warnings",
			        pd_lexset_warning_count(set));
	}
	pd_matcher_free(m);
	pd_lexset_free(set);
	return rc;
}

static pd_rc cmd_import(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"kind", required_argument, NULL, 2},
	        {"name", required_argument, NULL, 3},
	        {"out", required_argument, NULL, 4},
	};
	opts o;
	pd_buf csv = PD_BUF_INIT(PD_MAX_CSV_BYTES);
	pd_buf yaml = PD_BUF_INIT((size_t)256 << 20);
	pd_people_kind kind;
	pd_lexset *check = NULL;
	size_t n = 0;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 3, on_opt, &o,
	                       lexicon_usage)) < 0 ||
	    c->done)
		goto done;
	if (!o.kind || optind + 1 != argc) {
		rc = pd_error_set(PD_EUSAGE,
		                  "lexicon import: give --kind and one "
		                  "CSV file");
		goto done;
	}
	if (!strcmp(o.kind, "candidates")) {
		kind = PD_PEOPLE_CANDIDATES;
	} else if (!strcmp(o.kind, "councillors")) {
		kind = PD_PEOPLE_COUNCILLORS;
	} else {
		rc = pd_error_set(PD_EUSAGE, "--kind must be candidates or "
		                             "councillors");
		goto done;
	}
	if (o.name && !pd_lex_ident_ok(o.name)) {
		rc = pd_error_set(PD_EUSAGE,
		                  "--name must be a lexicon name: a-z, 0-9 and "
		                  "'-' (got '%s')",
		                  o.name);
		goto done;
	}
	if ((rc = pd_file_read(&csv, argv[optind])) < 0)
		goto done;
	if ((rc = pd_people_import(&yaml, argv[optind], csv.ptr, csv.len, kind,
	                           o.name ? o.name : o.kind, &n)) < 0)
		goto done;
	/* What we write must load: check before anything is replaced. */
	if ((rc = pd_lexset_new(&check)) < 0 ||
	    (rc = pd_lexset_load_buffer(check, o.out ? o.out : "<output>",
	                                yaml.ptr, yaml.len)) < 0) {
		pd_error_prefix("the generated lexicon does not load");
		rc = pd_error_recode(PD_EINTERNAL);
		goto done;
	}
	if (o.out) {
		if ((rc = pd_file_write_atomic(o.out, yaml.ptr, yaml.len)) < 0)
			goto done;
		fprintf(stderr, "purdah: wrote %zu %s to %s\n", n, o.kind,
		        o.out);
	} else {
		fputs(yaml.ptr, stdout);
	}
done:
	pd_lexset_free(check);
	pd_buf_dispose(&csv);
	pd_buf_dispose(&yaml);
	return rc;
}

pd_rc pd_cmd_lexicon(pd_cli *c, int argc, char **argv)
{
	c->usage = lexicon_usage;
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "import"))
		return cmd_import(c, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(lexicon_usage, stdout);
		return PD_OK;
	}
	return pd_error_set(PD_EUSAGE, "lexicon: %s%s",
	                    argc >= 2 ? "unknown subcommand " : "no subcommand",
	                    argc >= 2 ? argv[1] : "");
}

/* ------------------------------------------------------------------------ */

pd_rc pd_cmd_scan(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"json", no_argument, NULL, 5},
	        {"html", no_argument, NULL, 6},
	};
	opts o;
	pd_buf text = PD_BUF_INIT(PD_MAX_SCAN_BYTES);
	pd_scan s = PD_SCAN_INIT;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 2, on_opt, &o,
	                       scan_usage)) < 0 ||
	    c->done)
		goto done;
	if (optind + 1 < argc) {
		rc = pd_error_set(PD_EUSAGE, "scan: one FILE at most");
		goto done;
	}
	if ((rc = pd_file_read(&text, optind < argc ? argv[optind] : "-")) < 0)
		goto done;
	if ((rc = pd_cli_matcher(c)) < 0)
		goto done;
	if ((rc = pd_matcher_scan(c->matcher, &s, text.ptr, text.len,
	                          o.html ? PD_NORM_HTML : 0)) < 0)
		goto done;
	if (o.json) {
		pd_json *root = pd_json_object(), *hits = pd_json_array(),
		        *scores = pd_json_object(), *flagged = pd_json_array();
		bool ok = root && hits && scores && flagged;
		for (size_t i = 0; ok && i < s.nhits; i++)
			ok = pd_json_append(hits, pd_hit_json(&s.hits[i])) ==
			     PD_OK;
		for (size_t i = 0; ok && i < s.nscores; i++) {
			double th = pd_config_threshold(c->cfg,
			                                s.scores[i].category);
			ok = pd_json_set(scores, s.scores[i].category,
			                 pd_json_real(s.scores[i].score)) ==
			     PD_OK;
			if (ok && th >= 0 &&
			    pd_threshold_reached(s.scores[i].score, th))
				ok = pd_json_append(
				             flagged,
				             pd_json_string(
				                     s.scores[i].category)) ==
				     PD_OK;
		}
		ok = ok && pd_json_set(root, "hits", hits) == PD_OK;
		hits = NULL;
		ok = ok && pd_json_set(root, "scores", scores) == PD_OK;
		scores = NULL;
		ok = ok && pd_json_set(root, "flagged", flagged) == PD_OK;
		flagged = NULL;
		ok = ok &&
		     pd_json_set_str(root, "lexicons_sha256",
		                     pd_lexset_sha256(c->lexset)) == PD_OK;
		pd_json_free(hits);
		pd_json_free(scores);
		pd_json_free(flagged);
		if (!ok) {
			pd_json_free(root);
			rc = pd_error_set(PD_ENOMEM, "out of memory");
			goto done;
		}
		rc = pd_cli_print_json(root, true);
		goto done;
	}
	if (s.nhits == 0)
		printf("No political wording found.\n");
	for (size_t i = 0; i < s.nhits; i++) {
		const pd_hit *h = &s.hits[i];
		const char *party = pd_lex_entry_meta(h->entry, "party");
		printf("%zu-%zu %s/%s '", h->start, h->end,
		       h->entry->lexicon->category, h->entry->id);
		pd_cli_put_escaped(stdout, h->text, false);
		printf("' (weight %g%s%s)\n", h->weight, party ? ", " : "",
		       party ? party : "");
	}
	for (size_t i = 0; i < s.nscores; i++) {
		double th = pd_config_threshold(c->cfg, s.scores[i].category);
		bool reached = pd_threshold_reached(s.scores[i].score, th);
		/* A negative threshold marks wording that is allowed. */
		printf("score %s %g (threshold %g)%s\n", s.scores[i].category,
		       s.scores[i].score, th,
		       !reached ? ""
		       : th < 0 ? " REACHED: allowed wording"
		                : " FLAGGED");
	}
done:
	pd_scan_dispose(&s);
	pd_buf_dispose(&text);
	return rc;
}
