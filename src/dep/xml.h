/*
 * The libxml2 adapter's interface (private to libpurdah).
 */
#ifndef PURDAH_DEP_XML_H
#define PURDAH_DEP_XML_H

#include <stddef.h>
#include <stdint.h>

/* The code point of the HTML named entity `name` (len bytes, without '&'
 * and ';'), or -1 when unknown. HTML 4 names from libxml2, plus HTML5's
 * letter-style names (&Lscr; &Afr; &Bopf;) and &apos;. */
int32_t pd_html_entity(const char *name, size_t len);

#endif
