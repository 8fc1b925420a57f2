/*
 * The libxml2 adapter: the only file that includes <libxml/...>.
 */
#include "dep/xml.h"

#include <libxml/HTMLparser.h>
#include <string.h>

/* HTML5 letter-style entities: &Xscr; (script), &Xfr; (fraktur), &Xopf;
 * (double-struck). Each names a mathematical letter whose compatibility
 * form is the plain letter X, which is what the matcher compares, so the
 * letter itself is returned. */
static int32_t letter_style_entity(const char *name, size_t len)
{
	static const char *const styles[] = {"scr", "fr", "opf"};
	char c = name[0];

	if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (len == 1 + strlen(styles[i]) &&
		    memcmp(name + 1, styles[i], len - 1) == 0)
			return c;
	return -1;
}

int32_t pd_html_entity(const char *name, size_t len)
{
	char buf[32];
	const htmlEntityDesc *e;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	if (len == 4 && memcmp(name, "apos", 4) == 0)
		return '\'';
	memcpy(buf, name, len);
	buf[len] = '\0';
	e = htmlEntityLookup((const xmlChar *)buf);
	if (e)
		return (int32_t)e->value;
	return letter_style_entity(name, len);
}
