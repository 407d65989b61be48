/*
 * csv_read.c - the text of an order file and its records: the size, NUL
 * bytes, byte-order mark and encoding (csv_text_prepare), the one CSV
 * state machine (csv_record_read), the delimiter, and any table read
 * through them (csv_table_read). See csv_int.h.
 *
 * csv_record_read's states, for one field:
 *
 *     start --'"'--> quoted --'"'--> closed --delimiter/line end--> next
 *       |              |  ^            |
 *       |              '""'            '-other--> unquoted (the cell is
 *       '--other--> unquoted               marked: text after a quote)
 *
 * A line break inside a quoted field is kept as "\n" and counted, so that
 * every record knows the line it starts on.
 */
#include "channels/csv.h"
#include "channels/csv_int.h"

#include <stdlib.h>
#include <string.h>


/* The line (1-based, as csv_record counts them) that byte pos of text is
 * on. */
static uint32_t line_of(const char *text, size_t pos)
{
	uint32_t line = 1;
	size_t i;

	for (i = 0; i < pos; i++) {
		if (text[i] == '\n')
			line++;
		else if (text[i] == '\r' && !(i + 1 < pos && text[i + 1] == '\n'))
			line++;
	}
	return line;
}

/* ------------------------------------------------------------------ */
/* The text: size, NUL bytes, byte-order mark, encoding                */

/* Unicode code points of Windows-1252's bytes 0x80..0x9F (the rest are
 * Latin-1, the code point of the byte). The five bytes the code page
 * leaves undefined map to the C1 controls of the same value, as the WHATWG
 * encoding standard does, so that no byte is lost. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* The n bytes at s, read as Windows-1252, in UTF-8 (malloc'd,
 * NUL-terminated, length in *out_len); NULL when out of memory. */
static char *cp1252_to_utf8(const char *s, size_t n, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n * 3 + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned cp = p[i];

		if (cp >= 0x80 && cp < 0xA0)
			cp = cp1252_high[cp - 0x80];
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xE0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* The line of the first byte that is not UTF-8, or 0 when all are:
 * each character is checked alone, so the scan stays linear. */
static uint32_t utf8_first_bad_line(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t len = p[i] < 0x80   ? 1
			     : p[i] >= 0xF0 ? 4
			     : p[i] >= 0xE0 ? 3
			     : p[i] >= 0xC0 ? 2
					    : 1;

		if (i + len > n || !ordo_utf8_valid(s + i, len))
			return line_of(s, i);
		i += len;
	}
	return 0;
}


ordo_code csv_text_prepare(const char *buf, size_t len, csv_text *t,
			      ordo_err *err)
{
	const char *nul;

	memset(t, 0, sizeof(*t));
	if (len > CSV_MAX_FILE_BYTES)
		return ordo_err_set(err, ORDO_ELIMIT, "file",
				    "the file has %zu bytes; an order file "
				    "may have at most %d (CSV_MAX_FILE_BYTES); "
				    "split it",
				    len, CSV_MAX_FILE_BYTES);
	if (len >= 2 && ((unsigned char)buf[0] == 0xFF &&
			  (unsigned char)buf[1] == 0xFE))
		return ordo_err_set(err, ORDO_EINVALID, "file",
				    "the file is UTF-16; save it as UTF-8 "
				    "(or Windows-1252) text");
	if (len >= 2 && ((unsigned char)buf[0] == 0xFE &&
			  (unsigned char)buf[1] == 0xFF))
		return ordo_err_set(err, ORDO_EINVALID, "file",
				    "the file is UTF-16; save it as UTF-8 "
				    "(or Windows-1252) text");
	nul = memchr(buf, '\0', len);
	if (nul)
		return ordo_err_set(err, ORDO_EINVALID, "file",
				    "line %u holds a NUL byte: this is not "
				    "a text file (a CSV file is text, in "
				    "UTF-8 or Windows-1252)",
				    (unsigned)line_of(buf, (size_t)(nul - buf)));
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	t->text = buf;
	t->len = len;
	if (!ordo_utf8_valid(buf, len)) {
		size_t n;

		t->bad_line = utf8_first_bad_line(buf, len);
		t->owned = cp1252_to_utf8(buf, len, &n);
		if (!t->owned)
			return ordo_err_set(err, ORDO_ENOMEM, "file",
					    "out of memory converting the file "
					    "to UTF-8");
		t->text = t->owned;
		t->len = n;
	}
	return ORDO_OK;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */



void csv_record_free(csv_record *r)
{
	free(r->off);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static bool record_put(csv_record *r, const char *s, size_t n)
{
	if (r->buf_len + n + 1 > r->buf_cap) {
		size_t cap = r->buf_cap ? r->buf_cap : 256;
		char *p;

		while (cap < r->buf_len + n + 1)
			cap *= 2;
		p = realloc(r->buf, cap);
		if (!p)
			return false;
		r->buf = p;
		r->buf_cap = cap;
	}
	memcpy(r->buf + r->buf_len, s, n);
	r->buf_len += n;
	return true;
}

/* End the cell that starts at buf + start: trim it, terminate it, and
 * count it. */
static ordo_code record_cell_end(csv_record *r, size_t start, ordo_err *err)
{
	size_t s = start, e = r->buf_len;

	if (e - start > CSV_MAX_FIELD_BYTES)
		return ordo_err_set(err, ORDO_ELIMIT, "file",
				    "line %u: field %zu has %zu bytes; a "
				    "field may have at most %d "
				    "(CSV_MAX_FIELD_BYTES)",
				    (unsigned)r->line, r->n + 1, e - start,
				    CSV_MAX_FIELD_BYTES);
	if (r->n >= CSV_MAX_COLUMNS)
		return ordo_err_set(err, ORDO_ELIMIT, "file",
				    "line %u has more than %d fields "
				    "(CSV_MAX_COLUMNS)",
				    (unsigned)r->line, CSV_MAX_COLUMNS);
	while (s < e && (r->buf[s] == ' ' || r->buf[s] == '\t'))
		s++;
	while (e > s && (r->buf[e - 1] == ' ' || r->buf[e - 1] == '\t'))
		e--;
	memmove(r->buf + start, r->buf + s, e - s);
	r->buf_len = start + (e - s);
	if (!record_put(r, "", 1))
		goto nomem;
	if (r->n == r->off_cap) {
		size_t cap = r->off_cap ? r->off_cap * 2 : 16;
		size_t *p = realloc(r->off, cap * sizeof(*p));

		if (!p)
			goto nomem;
		r->off = p;
		r->off_cap = cap;
	}
	r->off[r->n++] = start;
	if (e > s)
		r->blank = false;
	return ORDO_OK;
nomem:
	return ordo_err_set(err, ORDO_ENOMEM, "file",
			    "out of memory reading line %u",
			    (unsigned)r->line);
}

const char *csv_record_cell(const csv_record *r, int i)
{
	return i >= 0 && (size_t)i < r->n ? r->buf + r->off[i] : "";
}

/*
 * Read the record at rd->pos into r (see the diagram at the top). Sets
 * *got false at the end of the text. Refuses (ORDO_EINVALID) a quote never
 * closed, and (ORDO_ELIMIT) a field or a record past its limit.
 */
ordo_code csv_record_read(csv_reader *rd, csv_record *r, bool *got,
			     ordo_err *err)
{
	const char *t = rd->text;
	size_t len = rd->len, pos = rd->pos;
	ordo_code rc;

	*got = false;
	if (pos >= len)
		return ORDO_OK;
	r->start = pos;
	r->line = rd->line;
	r->n = 0;
	r->buf_len = 0;
	r->bad_cell = -1;
	r->blank = true;
	for (;;) {
		size_t cell = r->buf_len, p = pos;

		while (p < len && t[p] == ' ' && rd->delim != ' ')
			p++;
		if (p < len && t[p] == '"') {
			uint32_t open_line = rd->line;

			pos = p + 1;
			for (;;) {
				size_t run = pos;

				while (run < len && t[run] != '"' &&
				       t[run] != '\r' && t[run] != '\n')
					run++;
				if (!record_put(r, t + pos, run - pos))
					goto nomem;
				pos = run;
				if (pos >= len)
					return ordo_err_set(
						err, ORDO_EINVALID, "file",
						"line %u: a quoted field opened "
						"here is never closed (a quote "
						"inside a quoted field is "
						"written \"\")",
						(unsigned)open_line);
				if (t[pos] == '"') {
					if (pos + 1 < len && t[pos + 1] == '"') {
						if (!record_put(r, "\"", 1))
							goto nomem;
						pos += 2;
						continue;
					}
					pos++;
					break;
				}
				/* A line break inside the quotes. */
				if (t[pos] == '\r' && pos + 1 < len &&
				    t[pos + 1] == '\n')
					pos++;
				pos++;
				rd->line++;
				if (!record_put(r, "\n", 1))
					goto nomem;
				if (r->buf_len - cell > CSV_MAX_FIELD_BYTES)
					break; /* record_cell_end refuses */
			}
			p = pos;
			while (p < len && t[p] == ' ' && rd->delim != ' ')
				p++;
			if (p < len && t[p] != rd->delim && t[p] != '\r' &&
			    t[p] != '\n' && r->bad_cell < 0)
				r->bad_cell = (int)r->n;
		}
		/* Unquoted text, or what follows a closing quote. */
		p = pos;
		while (p < len && t[p] != rd->delim && t[p] != '\r' &&
		       t[p] != '\n')
			p++;
		if (!record_put(r, t + pos, p - pos))
			goto nomem;
		pos = p;
		rc = record_cell_end(r, cell, err);
		if (rc != ORDO_OK)
			return rc;
		if (pos < len && t[pos] == rd->delim) {
			pos++;
			continue;
		}
		if (pos < len) {
			if (t[pos] == '\r' && pos + 1 < len &&
			    t[pos + 1] == '\n')
				pos++;
			pos++;
			rd->line++;
		}
		break;
	}
	r->end = pos;
	rd->pos = pos;
	*got = true;
	return ORDO_OK;
nomem:
	return ordo_err_set(err, ORDO_ENOMEM, "file",
			    "out of memory reading line %u",
			    (unsigned)r->line);
}

/* The delimiter of the header line (the first with any text on it): the
 * one of comma, semicolon and tab found most outside quotes; a comma when
 * none is. */
char csv_delimiter_detect(const char *t, size_t len)
{
	size_t comma = 0, semi = 0, tab = 0, i = 0;
	bool in_quotes = false, seen = false;

	for (; i < len; i++) {
		char c = t[i];

		if (c == '"') {
			in_quotes = !in_quotes;
			seen = true;
		} else if (in_quotes) {
			continue;
		} else if (c == '\n' || c == '\r') {
			if (seen)
				break;
		} else if (c == ',') {
			comma++;
			seen = true;
		} else if (c == ';') {
			semi++;
			seen = true;
		} else if (c == '\t') {
			tab++;
			seen = true;
		} else if (c != ' ') {
			seen = true;
		}
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

const char *csv_delimiter_name(char d)
{
	return d == ';' ? "\";\"" : d == '\t' ? "tab" : "\",\"";
}

/* ------------------------------------------------------------------ */
/* Any table                                                           */

ordo_code csv_table_read(const char *buf, size_t len, csv_row_fn fn,
			 void *ctx, ordo_err *err)
{
	csv_text text;
	csv_record r;
	csv_reader rd;
	const char **cells = NULL;
	size_t cap = 0, i;
	bool got = true, header = true;
	ordo_code rc;

	memset(&r, 0, sizeof(r));
	rc = csv_text_prepare(buf ? buf : "", len, &text, err);
	if (rc != ORDO_OK)
		return rc;
	rd.text = text.text;
	rd.len = text.len;
	rd.delim = csv_delimiter_detect(text.text, text.len);
	rd.pos = 0;
	rd.line = 1;
	while (rc == ORDO_OK) {
		rc = csv_record_read(&rd, &r, &got, err);
		if (rc != ORDO_OK || !got)
			break;
		if (r.blank)
			continue;
		if (r.n > cap) {
			const char **p = realloc(cells, r.n * sizeof(*p));

			if (!p) {
				rc = ordo_err_set(err, ORDO_ENOMEM, "file",
						  "out of memory");
				break;
			}
			cells = p;
			cap = r.n;
		}
		for (i = 0; i < r.n; i++)
			cells[i] = csv_value_absent(csv_record_cell(&r, (int)i))
					   ? ""
					   : csv_record_cell(&r, (int)i);
		if (r.bad_cell >= 0 && r.bad_cell < (int)r.n)
			rc = ordo_err_set(err, ORDO_EINVALID, "file",
					  "line %u: field %d has text after its "
					  "closing quote",
					  (unsigned)r.line, r.bad_cell + 1);
		else
			rc = fn(ctx, r.line, header, cells, r.n, err);
		header = false;
	}
	if (rc == ORDO_OK && header)
		rc = ordo_err_set(err, ORDO_EINVALID, "file",
				  "the file has no header line: its first "
				  "line names its columns");
	free(cells);
	csv_record_free(&r);
	free(text.owned);
	return rc;
}
