/*
 * `purdah lexicon import`: a lexicon of people (candidates or councillors)
 * from a CSV file with a header. Columns (case-insensitive, others ignored):
 *   name | person_name       required
 *   party | party_name       required
 *   area | ward | post_label | division   required
 *   role, aliases (separated by ';'), handle | twitter_username  optional
 * so Democracy Club's candidate export works as it is.
 *
 * For each person it writes the forms people really use: the full name,
 * the name without middle names, "Cllr"/"Councillor" + surname, + first
 * name and surname, + full name, Welsh "Cyng."/"Cynghorydd" likewise (for
 * councillors), the @handle, and the same without accents - but never a
 * bare surname or first name on its own. Name forms are case-exact (proper
 * nouns: "Mark Green", never "mark green spaces").
 */
#ifndef PURDAH_PEOPLE_H
#define PURDAH_PEOPLE_H

#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"

typedef enum pd_people_kind {
	PD_PEOPLE_CANDIDATES,
	PD_PEOPLE_COUNCILLORS
} pd_people_kind;

/*
 * Append a lexicon (YAML) named `name` to `out`. `*count` gets the number
 * of people. PD_EINVALID "file:line: reason" for a bad CSV, a missing
 * column, an empty name, or an alias that is a single word.
 */
pd_rc pd_people_import(pd_buf *out, const char *csv_name, const char *csv,
                       size_t len, pd_people_kind kind, const char *name,
                       size_t *count);

#endif
