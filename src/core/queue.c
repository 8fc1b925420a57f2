/*
 * The review queue, read side (store.h): items by id, as JSON, and the
 * queue's pages and counts.
 *
 * The queue is read newest first with keyset paging (ids below the last
 * seen). Every write is one transaction that touches a page per b-tree,
 * so the items have few indexes: (status, class, id) serves the review
 * page's filters, and item_periods - each period uid an item was held
 * under, with the item's status and class, in one b-tree keyed (uid,
 * status, class, id) - serves them within a period. "Pending council
 * posts in this period" is one key range walked backwards; a filter that
 * leaves status or class open reads the first page of each of the (at
 * most 25) ranges it covers and merges them.
 */
#include <stdio.h>
#include <string.h>

#include "core/store_int.h"
#include "purdah/alloc.h"
#include "purdah/json.h"

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */

void pd_review_item_dispose(pd_review_item *it)
{
	if (!it)
		return;
	pd_free(it->source);
	pd_free(it->origin);
	pd_free(it->cls);
	pd_free(it->areas);
	pd_free(it->account);
	pd_free(it->text);
	pd_free(it->content_sha256);
	pd_free(it->decision);
	pd_free(it->reasons);
	pd_free(it->hits);
	pd_free(it->periods);
	pd_free(it->calendars_sha256);
	pd_free(it->lexicons_sha256);
	pd_free(it->config_sha256);
	pd_free(it->reviewer);
	pd_free(it->note);
	memset(it, 0, sizeof(*it));
}

void pd_review_items_free(pd_review_item *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		pd_review_item_dispose(&items[i]);
	pd_free(items);
}

#define ITEM_COLUMNS                                                           \
	"i.id, i.created, i.source, i.origin, i.cls, i.areas, i.account, "     \
	"i.at, i.expires, %s, i.content_sha256, i.decision, i.reasons, "       \
	"i.hits, i.periods, i.calendars_sha256, i.lexicons_sha256, "           \
	"i.config_sha256, i.status, i.reviewer, i.note, i.decided"

/* The current row into `it` (text only when `with_text`). */
static pd_rc read_item(pd_stmt *st, pd_review_item *it, bool with_text)
{
	char **strs[] = {&it->source,
	                 &it->origin,
	                 &it->cls,
	                 &it->areas,
	                 &it->account,
	                 NULL,
	                 NULL,
	                 NULL,
	                 &it->content_sha256,
	                 &it->decision,
	                 &it->reasons,
	                 &it->hits,
	                 &it->periods,
	                 &it->calendars_sha256,
	                 &it->lexicons_sha256,
	                 &it->config_sha256};
	pd_rc rc = PD_OK;

	memset(it, 0, sizeof(*it));
	it->id = pd_stmt_int64(st, 0);
	it->created = pd_stmt_int64(st, 1);
	it->at = pd_stmt_int64(st, 7);
	it->expires = pd_stmt_int64(st, 8);
	for (int c = 2; c <= 17 && rc == PD_OK; c++)
		if (strs[c - 2])
			rc = pd_stmt_dup(st, c, strs[c - 2], NULL);
	if (rc == PD_OK && with_text)
		rc = pd_stmt_dup(st, 9, &it->text, &it->len);
	it->status = (pd_review_status)pd_stmt_int64(st, 18);
	if (rc == PD_OK)
		rc = pd_stmt_dup(st, 19, &it->reviewer, NULL);
	if (rc == PD_OK)
		rc = pd_stmt_dup(st, 20, &it->note, NULL);
	it->decided = pd_stmt_int64(st, 21);
	if (rc < 0)
		pd_review_item_dispose(it);
	return rc;
}

pd_rc pd_store_get(pd_store *s, int64_t id, pd_review_item *out)
{
	char sql[512];
	pd_stmt *st;
	bool row;
	pd_rc rc;

	memset(out, 0, sizeof(*out));
	snprintf(sql, sizeof(sql),
	         "SELECT " ITEM_COLUMNS " FROM items i WHERE "
	         "i.id = ?",
	         "i.text");
	if ((rc = pd_db_stmt(s->db, &st, sql)) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, id);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK) {
		if (row)
			rc = read_item(st, out, true);
		else
			rc = pd_error_set(PD_ENOTFOUND,
			                  "item %lld: no such item",
			                  (long long)id);
	}
	pd_stmt_release(st);
	return rc;
}

static pd_json *time_or_null(pd_instant t, const pd_tz *tz)
{
	char buf[64];

	if (!t)
		return pd_json_null();
	pd_time_format_rfc3339(buf, sizeof(buf), t, tz);
	return pd_json_string(buf);
}

/* A stored JSON text as a value (null when it does not parse). */
static pd_json *stored_json(const char *text)
{
	pd_json *j = NULL;

	if (!text || pd_json_parse(&j, "store", text, strlen(text)) < 0) {
		pd_error_clear();
		return pd_json_null();
	}
	return j;
}

pd_json *pd_review_item_json(const pd_review_item *it, const pd_tz *tz)
{
	pd_json *o = pd_json_object();
	bool ok = o != NULL;

	ok = ok && pd_json_set_int(o, "id", it->id) == PD_OK;
	ok = ok && pd_json_set_str(o, "status",
	                           pd_review_status_name(it->status)) == PD_OK;
	ok = ok &&
	     pd_json_set(o, "created", time_or_null(it->created, tz)) == PD_OK;
	ok = ok && pd_json_set_str(o, "source", it->source) == PD_OK;
	ok = ok && pd_json_set_str(o, "origin", it->origin) == PD_OK;
	ok = ok && pd_json_set_str(o, "class", it->cls) == PD_OK;
	ok = ok && pd_json_set(o, "areas", stored_json(it->areas)) == PD_OK;
	ok = ok && pd_json_set_str(o, "account", it->account) == PD_OK;
	ok = ok && pd_json_set(o, "at", time_or_null(it->at, tz)) == PD_OK;
	ok = ok &&
	     pd_json_set(o, "expires", time_or_null(it->expires, tz)) == PD_OK;
	ok = ok && pd_json_set_str(o, "text", it->text) == PD_OK;
	ok = ok &&
	     pd_json_set_str(o, "content_sha256", it->content_sha256) == PD_OK;
	ok = ok && pd_json_set_str(o, "decision", it->decision) == PD_OK;
	ok = ok && pd_json_set(o, "reasons", stored_json(it->reasons)) == PD_OK;
	ok = ok && pd_json_set(o, "hits", stored_json(it->hits)) == PD_OK;
	ok = ok && pd_json_set(o, "periods", stored_json(it->periods)) == PD_OK;
	ok = ok && pd_json_set_str(o, "calendars_sha256",
	                           it->calendars_sha256) == PD_OK;
	ok = ok && pd_json_set_str(o, "lexicons_sha256", it->lexicons_sha256) ==
	                   PD_OK;
	ok = ok &&
	     pd_json_set_str(o, "config_sha256", it->config_sha256) == PD_OK;
	ok = ok && pd_json_set_str(o, "reviewer", it->reviewer) == PD_OK;
	ok = ok && pd_json_set_str(o, "note", it->note) == PD_OK;
	ok = ok &&
	     pd_json_set(o, "decided", time_or_null(it->decided, tz)) == PD_OK;
	if (!ok) {
		pd_json_free(o);
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------------------ */
/* The queue                                                                */

/* The LIKE pattern for a substring: %, _ and \ escaped (ESCAPE '\'). */
static pd_rc like_pattern(pd_buf *b, const char *s)
{
	pd_rc rc = pd_buf_putc(b, '%');

	for (; rc == PD_OK && *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			rc = pd_buf_putc(b, '\\');
		if (rc == PD_OK)
			rc = pd_buf_putc(b, *s);
	}
	if (rc == PD_OK)
		rc = pd_buf_putc(b, '%');
	return rc;
}

/* Parameters: ?1 status, ?2 class, ?3 period, ?4 from, ?5 to, ?6 search,
 * ?7 before. The conditions on items i that no index serves. */
static pd_rc filters(pd_buf *b, const pd_review_query *q)
{
	pd_rc rc = PD_OK;

	if (q->from)
		rc = pd_buf_puts(b, " AND i.created >= ?4");
	if (rc == PD_OK && q->to)
		rc = pd_buf_puts(b, " AND i.created < ?5");
	if (rc == PD_OK && q->search)
		rc = pd_buf_puts(b, " AND i.text LIKE ?6 ESCAPE '\\'");
	return rc;
}

/*
 * One key range: the ids of items with status `st` (-1: ?1) and class
 * `cls` (NULL: ?2) matching the other filters, newest first, at most
 * `limit`. Status and class names are this program's own constants.
 */
static pd_rc range(pd_buf *b, const pd_review_query *q, int st, const char *cls,
                   size_t limit)
{
	bool per = q->period != NULL;
	bool join = per && (q->from || q->to || q->search);
	const char *t = per ? "p" : "i", *id = per ? "p.item_id" : "i.id";
	pd_rc rc;

	rc = pd_buf_printf(b, "SELECT %s AS id FROM %s WHERE 1", id,
	                   !per   ? "items i"
	                   : join ? "item_periods p JOIN items i ON i.id = "
	                            "p.item_id"
	                          : "item_periods p");
	if (rc == PD_OK && per)
		rc = pd_buf_puts(b, " AND p.uid = ?3");
	if (rc == PD_OK)
		rc = st < 0 ? pd_buf_printf(b, " AND %s.status = ?1", t)
		            : pd_buf_printf(b, " AND %s.status = %d", t, st);
	if (rc == PD_OK)
		rc = !cls ? pd_buf_printf(b, " AND %s.cls = ?2", t)
		          : pd_buf_printf(b, " AND %s.cls = '%s'", t, cls);
	if (rc == PD_OK && (!per || join))
		rc = filters(b, q);
	if (rc == PD_OK && q->before_id > 0)
		rc = pd_buf_printf(b, " AND %s < ?7", id);
	if (rc == PD_OK)
		rc = pd_buf_printf(b, " ORDER BY %s DESC LIMIT %zu", id, limit);
	return rc;
}

/* The ids of items matching `q` by walking the primary key newest first
 * and testing each item: for filters no index serves (dates, a text
 * search) with the status or the class left open. */
static pd_rc scan(pd_buf *b, const pd_review_query *q, size_t limit)
{
	pd_rc rc = pd_buf_puts(b, "SELECT i.id AS id FROM items i WHERE 1");

	/* Unary + keeps these terms off the indexes: the walk is the
	 * point. */
	if (rc == PD_OK && q->status >= 0)
		rc = pd_buf_puts(b, " AND +i.status = ?1");
	if (rc == PD_OK && q->cls)
		rc = pd_buf_puts(b, " AND +i.cls = ?2");
	if (rc == PD_OK)
		rc = filters(b, q);
	if (rc == PD_OK && q->period)
		rc = pd_buf_puts(b, " AND EXISTS (SELECT 1 FROM item_periods p "
		                    "WHERE p.uid = ?3 AND p.status = i.status "
		                    "AND p.cls = i.cls AND p.item_id = i.id)");
	if (rc == PD_OK && q->before_id > 0)
		rc = pd_buf_puts(b, " AND i.id < ?7");
	/* With a date range, walk that range of the created index (newest
	 * first: ids grow with created) rather than every newer item. */
	if (rc == PD_OK)
		rc = pd_buf_printf(b, " ORDER BY %si.id DESC LIMIT %zu",
		                   q->from || q->to ? "i.created DESC, " : "",
		                   limit);
	return rc;
}

/* The SQL of the ids matching `q`, newest first, at most `limit`. */
static pd_rc ids_sql(pd_buf *b, const pd_review_query *q, size_t limit)
{
	int nst = q->status >= 0 ? 1 : 5, ncls = q->cls ? 1 : 5;
	pd_rc rc = PD_OK;

	if (nst == 1 && ncls == 1)
		return range(b, q, -1, NULL, limit);
	if (q->from || q->to || q->search ||
	    (nst == 5 && ncls == 5 && !q->period))
		return scan(b, q, limit);
	/* The first page of each (status, class) range, merged. */
	rc = pd_buf_puts(b, "SELECT id FROM (");
	for (int s = 0; s < nst && rc == PD_OK; s++)
		for (int c = 0; c < ncls && rc == PD_OK; c++) {
			if ((s || c) &&
			    (rc = pd_buf_puts(b, " UNION ALL ")) < 0)
				break;
			if ((rc = pd_buf_puts(b, "SELECT id FROM (")) < 0 ||
			    (rc = range(b, q, nst == 1 ? -1 : s,
			                ncls == 1 ? NULL
			                          : pd_class_name((pd_class)c),
			                limit)) < 0)
				break;
			rc = pd_buf_putc(b, ')');
		}
	if (rc == PD_OK)
		rc = pd_buf_printf(b, ") ORDER BY id DESC LIMIT %zu", limit);
	return rc;
}

static pd_rc bind_query(pd_stmt *st, const pd_review_query *q, pd_buf *like)
{
	int max = pd_stmt_param_count(st);

	if (q->status >= 0 && max >= 1)
		pd_stmt_bind_int64(st, 1, q->status);
	if (q->cls && max >= 2)
		pd_stmt_bind_str(st, 2, q->cls);
	if (q->period && max >= 3)
		pd_stmt_bind_str(st, 3, q->period);
	if (q->from && max >= 4)
		pd_stmt_bind_int64(st, 4, q->from);
	if (q->to && max >= 5)
		pd_stmt_bind_int64(st, 5, q->to);
	if (q->search && max >= 6) {
		pd_rc rc = like_pattern(like, q->search);
		if (rc < 0)
			return rc;
		pd_stmt_bind_text(st, 6, like->ptr, like->len);
	}
	if (q->before_id > 0 && max >= 7)
		pd_stmt_bind_int64(st, 7, q->before_id);
	return PD_OK;
}

static pd_rc check_query(const pd_review_query *q)
{
	pd_class cls;

	if (q->status < -1 || q->status > PD_REVIEW_WITHDRAWN)
		return pd_error_set(PD_EUSAGE, "review: unknown status %d",
		                    q->status);
	if (q->cls && pd_class_parse(&cls, q->cls) < 0)
		return PD_EUSAGE;
	return PD_OK;
}

pd_rc pd_store_list(pd_store *s, const pd_review_query *q,
                    pd_review_item **items, size_t *n, bool *more)
{
	pd_buf sql = PD_BUF_INIT(1 << 16), like = PD_BUF_INIT((size_t)1 << 20);
	size_t limit = q->limit ? q->limit : 50, count = 0;
	pd_review_item *out = NULL;
	pd_stmt *st = NULL;
	bool row;
	pd_rc rc;

	*items = NULL;
	*n = 0;
	*more = false;
	if (limit > 1000)
		limit = 1000;
	if ((rc = check_query(q)) < 0)
		return rc;
	if ((rc = pd_buf_puts(&sql, "SELECT ")) < 0 ||
	    (rc = pd_buf_printf(&sql, ITEM_COLUMNS,
	                        q->with_text ? "i.text" : "NULL")) < 0 ||
	    (rc = pd_buf_puts(&sql, " FROM items i WHERE i.id IN (")) < 0 ||
	    (rc = ids_sql(&sql, q, limit + 1)) < 0 ||
	    (rc = pd_buf_printf(&sql, ") ORDER BY i.id DESC")) < 0)
		goto done;
	if (!(out = pd_calloc(limit, sizeof(*out)))) {
		rc = pd_error_set(PD_ENOMEM, "review: out of memory");
		goto done;
	}
	if ((rc = pd_db_stmt(s->db, &st, sql.ptr)) < 0 ||
	    (rc = bind_query(st, q, &like)) < 0)
		goto done;
	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		if (count == limit) {
			*more = true;
			break;
		}
		if ((rc = read_item(st, &out[count], q->with_text)) < 0)
			break;
		count++;
	}
	if (rc == PD_OK) {
		*items = out;
		*n = count;
		out = NULL;
	}
done:
	pd_stmt_release(st);
	pd_review_items_free(out, count);
	pd_buf_dispose(&sql);
	pd_buf_dispose(&like);
	return rc;
}

pd_rc pd_store_count(pd_store *s, const pd_review_query *q, int64_t counts[5])
{
	pd_buf sql = PD_BUF_INIT(4096), like = PD_BUF_INIT((size_t)1 << 20);
	pd_review_query all = *q;
	bool join = q->period && (q->from || q->to || q->search), row;
	const char *t = q->period ? "p" : "i";
	pd_stmt *st = NULL;
	pd_rc rc;

	memset(counts, 0, 5 * sizeof(counts[0]));
	all.status = -1;
	all.before_id = 0;
	if ((rc = check_query(&all)) < 0)
		return rc;
	if ((rc = pd_buf_printf(&sql,
	                        "SELECT %s.status, count(*) FROM %s WHERE 1", t,
	                        !q->period ? "items i"
	                        : join     ? "item_periods p JOIN items i ON "
	                                     "i.id = p.item_id"
	                                   : "item_periods p")) < 0)
		goto done;
	if (q->period && (rc = pd_buf_puts(&sql, " AND p.uid = ?3")) < 0)
		goto done;
	if (q->cls && (rc = pd_buf_printf(&sql, " AND %s.cls = ?2", t)) < 0)
		goto done;
	if ((!q->period || join) && (rc = filters(&sql, &all)) < 0)
		goto done;
	if ((rc = pd_buf_printf(&sql, " GROUP BY %s.status", t)) < 0)
		goto done;
	if ((rc = pd_db_stmt(s->db, &st, sql.ptr)) < 0 ||
	    (rc = bind_query(st, &all, &like)) < 0)
		goto done;
	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		int64_t status = pd_stmt_int64(st, 0);
		if (status >= 0 && status < 5)
			counts[status] = pd_stmt_int64(st, 1);
	}
done:
	pd_stmt_release(st);
	pd_buf_dispose(&sql);
	pd_buf_dispose(&like);
	return rc;
}
