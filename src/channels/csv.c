/*
 * csv.c - order files (CSV) into ordo orders. See csv.h for what is read
 * and how.
 *
 * NOTES ON THE DESIGN
 *
 * The import runs in two passes over one UTF-8 text (the caller's buffer,
 * or a converted copy of it):
 *
 *     buf --csv_text_prepare--> text --index_build--> rows[], groups[]
 *                                                      |
 *               on_order <--group_build-- one group at a time
 *               on_report <-'
 *
 * 1. csv_text_prepare (csv_read.c) checks the size, refuses NUL bytes, skips a byte-order
 *    mark and converts Windows-1252 to UTF-8 when the text is not UTF-8.
 * 2. index_build reads the header, resolves the mapping against it, then
 *    reads every record once (csv_record_read, the one CSV state machine) and
 *    keeps, per row, only where it is (start, end, line) and the next row
 *    of its order; per order, where its number is and its first and last
 *    rows. Order numbers are found through an open-addressing hash table.
 *    Every refusal of the whole file happens here, before any order is
 *    given out.
 * 3. group_build reads an order's rows again from their offsets, builds
 *    the order, and either gives it to on_order or reports its rows; then
 *    frees it. One order is in memory at a time.
 *
 * Offsets are uint32_t: the text is at most 3 x CSV_MAX_FILE_BYTES (every
 * Windows-1252 byte becomes at most three UTF-8 bytes), well under 4 GiB,
 * so the index costs 16 bytes a row and 16 an order.
 */
#include "channels/csv.h"
#include "channels/csv_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/json_fields.h"
#include "core/channel.h"
#include "core/money.h"
#include "core/strbuf.h"


static const char *const field_names[] = {
#define CSV_X_NAME(e, name) name,
	CSV_FIELD_MAP(CSV_X_NAME)
#undef CSV_X_NAME
	NULL,
};

static const char *const date_order_names[] = {
#define CSV_X_NAME(e, name) name,
	CSV_DATE_ORDER_MAP(CSV_X_NAME)
#undef CSV_X_NAME
};

const char *csv_field_name(csv_field f)
{
	return (unsigned)f < CSV_FIELD_COUNT ? field_names[f] : "?";
}

int csv_field_parse(const char *name, csv_field *out)
{
	int i;

	for (i = 0; i < CSV_FIELD_COUNT; i++)
		if (strcmp(name, field_names[i]) == 0) {
			*out = (csv_field)i;
			return 0;
		}
	return -1;
}

const char *csv_date_order_name(csv_date_order d)
{
	return (unsigned)d < CSV_DATE_ORDER_COUNT ? date_order_names[d] : "?";
}

/* ------------------------------------------------------------------ */
/* The mapping                                                         */

static const char *const map_members[] = {
	"columns", "delimiter", "decimal", "date_order", "currency", "country",
	NULL,
};

/* Without these a row is no order line. */
static const csv_field required_fields[] = {
	CSV_F_EXTERNAL_ID, CSV_F_SKU, CSV_F_QUANTITY, CSV_F_UNIT_PRICE,
};
#define REQUIRED_COUNT (sizeof(required_fields) / sizeof(required_fields[0]))

static const char *required_reason(csv_field f)
{
	switch (f) {
	case CSV_F_EXTERNAL_ID:
		return "the rows of one order are told by it";
	case CSV_F_SKU:
		return "each row is an order line, and a line needs its SKU";
	case CSV_F_QUANTITY:
		return "each row is an order line, and a line needs its "
		       "quantity";
	case CSV_F_UNIT_PRICE:
		return "each row is an order line, and a line needs its "
		       "price (a missing price cannot be told from a free "
		       "item)";
	default:
		return "it is required";
	}
}

/* The top message of a refused mapping. Without any line column the
 * file is no order file ordo can read, and that is the one thing to say. */
static void map_message(ordo_err *err, bool lines_missing, bool by_file)
{
	size_t n = err->n_details + err->n_dropped;

	if (lines_missing)
		ordo_err_set_message(
			err,
			"no line columns: each row of an order file is an "
			"order line, so a line column is needed - map "
			"\"sku\", \"quantity\" and \"unit_price\" "
			"(\"columns\": {\"sku\": ...}) to the file's "
			"columns");
	else if (by_file)
		ordo_err_set_message(err,
				     "the mapping does not fit the file's "
				     "header: %zu problem%s",
				     n, n == 1 ? "" : "s");
	else
		ordo_err_set_message(err, "the CSV mapping has %zu problem%s",
				     n, n == 1 ? "" : "s");
}

void csv_map_init(csv_map *m)
{
	memset(m, 0, sizeof(*m));
	m->delimiter = 0;
	m->decimal = '.';
	m->date_order = CSV_DATE_YMD;
}

static bool map_has_columns(const csv_map *m)
{
	int f;

	for (f = 0; f < CSV_FIELD_COUNT; f++)
		if (m->columns[f][0])
			return true;
	return false;
}

/* A string member, or NULL when absent; a non-string is a problem. */
static const char *map_string(const json_t *obj, const char *key,
			      ordo_err *err)
{
	const json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		ordo_err_add(err, ORDO_EINVALID, key, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

static void map_columns(const json_t *cols, csv_map *m, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const char *key;
	json_t *v;
	size_t i;

	jf_only(cols, "columns", field_names, NULL, err);
	json_object_foreach((json_t *)cols, key, v) {
		csv_field f;
		const char *name;
		size_t len;

		if (csv_field_parse(key, &f) != 0)
			continue; /* jf_only named it */
		jf_path(path, sizeof(path), "columns", key);
		if (!json_is_string(v)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be the name of a column of the "
				     "file's header (a string)");
			continue;
		}
		name = json_string_value(v);
		len = json_string_length(v);
		while (len > 0 && (*name == ' ' || *name == '\t')) {
			name++;
			len--;
		}
		while (len > 0 &&
		       (name[len - 1] == ' ' || name[len - 1] == '\t'))
			len--;
		if (len == 0) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must name a column; leave the field out "
				     "when the file has none");
			continue;
		}
		if (len >= CSV_COLUMN_NAME_MAX ||
		    memchr(name, '\0', len) != NULL) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be at most %d bytes with no NUL "
				     "(got %zu)",
				     CSV_COLUMN_NAME_MAX - 1, len);
			continue;
		}
		memcpy(m->columns[f], name, len);
		m->columns[f][len] = '\0';
	}
	for (i = 0; i < REQUIRED_COUNT; i++) {
		csv_field f = required_fields[i];

		if (m->columns[f][0])
			continue;
		jf_path(path, sizeof(path), "columns", field_names[f]);
		/* An invalid value was reported already. */
		if (json_object_get(cols, field_names[f]))
			continue;
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is required: name the column that holds it (%s)",
			     required_reason(f));
	}
}

ordo_code csv_map_from_json(const json_t *obj, csv_map *m, ordo_err *err)
{
	csv_map tmp;
	const json_t *cols;
	const char *s;
	char list[JF_LIST_MAX];
	int i;

	assert(m && err);
	csv_map_init(&tmp);
	if (!json_is_object(obj))
		return ordo_err_set(err, ORDO_EINVALID, "",
				    "a CSV mapping must be a JSON object");
	jf_only(obj, "", map_members, NULL, err);

	cols = json_object_get(obj, "columns");
	if (cols && !json_is_object(cols))
		ordo_err_add(err, ORDO_EINVALID, "columns",
			     "must be an object of ordo field names to the "
			     "file's column names");
	else if (cols)
		map_columns(cols, &tmp, err);

	s = map_string(obj, "delimiter", err);
	if (s) {
		if (strcmp(s, ",") == 0 || strcmp(s, "comma") == 0)
			tmp.delimiter = ',';
		else if (strcmp(s, ";") == 0 || strcmp(s, "semicolon") == 0)
			tmp.delimiter = ';';
		else if (strcmp(s, "\t") == 0 || strcmp(s, "tab") == 0)
			tmp.delimiter = '\t';
		else
			ordo_err_add(err, ORDO_EINVALID, "delimiter",
				     "must be \",\", \";\" or \"\\t\" (or "
				     "\"comma\", \"semicolon\", \"tab\"); "
				     "leave it out to detect it from the "
				     "header line");
	}
	s = map_string(obj, "decimal", err);
	if (s) {
		if (strcmp(s, ".") == 0 || strcmp(s, ",") == 0)
			tmp.decimal = s[0];
		else
			ordo_err_add(err, ORDO_EINVALID, "decimal",
				     "must be \".\" or \",\" (the decimal "
				     "separator of the file's numbers)");
	}
	s = map_string(obj, "date_order", err);
	if (s) {
		for (i = 0; i < CSV_DATE_ORDER_COUNT; i++)
			if (strcmp(s, date_order_names[i]) == 0)
				break;
		if (i < CSV_DATE_ORDER_COUNT) {
			tmp.date_order = (csv_date_order)i;
		} else {
			JF_ENUM_LIST(list, sizeof(list), csv_date_order_name,
				     CSV_DATE_ORDER_COUNT);
			ordo_err_add(err, ORDO_EINVALID, "date_order",
				     "must be one of: %s", list);
		}
	}
	s = map_string(obj, "currency", err);
	if (s) {
		if (strlen(s) < sizeof(tmp.currency)) {
			ordo_strlcpy(tmp.currency, s, sizeof(tmp.currency));
			csv_ascii_upper(tmp.currency);
		}
		if (!money_currency_known(tmp.currency)) {
			char q[CSV_QUOTE_MAX + 8];

			ordo_err_add(err, ORDO_EINVALID, "currency",
				     "%s is not an ISO 4217 currency code",
				     csv_quoted(s, q, sizeof(q)));
			tmp.currency[0] = '\0';
		}
	}
	s = map_string(obj, "country", err);
	if (s) {
		const char *code = csv_country_code(s);

		if (code) {
			ordo_strlcpy(tmp.country, code, sizeof(tmp.country));
		} else {
			char q[CSV_QUOTE_MAX + 8];

			ordo_err_add(err, ORDO_EINVALID, "country",
				     "%s is not a country ordo knows; give "
				     "an ISO 3166-1 code such as \"GB\"",
				     csv_quoted(s, q, sizeof(q)));
		}
	}

	if (err->code != ORDO_OK) {
		map_message(err, cols && json_is_object(cols) &&
					 !json_object_get(cols, "sku") &&
					 !json_object_get(cols, "quantity") &&
					 !json_object_get(cols, "unit_price"),
			    false);
		return err->code;
	}
	*m = tmp;
	return ORDO_OK;
}

ordo_code csv_map_parse(const char *text, size_t len, csv_map *m,
			ordo_err *err)
{
	json_t *obj = jf_parse_object(text, len, err);
	ordo_code rc;

	if (!obj) {
		if (err->code == ORDO_OK)
			ordo_err_set(err, ORDO_EINVALID, "", "the CSV mapping "
				     "is not a JSON object");
		else if (err->message[0] == '\0')
			ordo_err_set_message(err, "the CSV mapping was "
					     "refused: %s",
					     err->n_details
						     ? err->details[0].message
						     : "unreadable");
		return err->code;
	}
	rc = csv_map_from_json(obj, m, err);
	json_decref(obj);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The index                                                           */

typedef struct {
	uint32_t start, end, line;
	uint32_t next; /* the next row of its order; UINT32_MAX: none */
} row_ix;

typedef struct {
	uint32_t key; /* its external_id at keys + key */
	uint32_t first, last, n;
} group_ix;

typedef struct {
	const csv_map *map;
	const char *channel;
	const csv_handler *h;
	csv_summary *sum;
	csv_text text;
	char delim;

	/* The header. */
	size_t header_start, header_end;
	size_t n_columns;
	char **columns; /* each owned */
	int col[CSV_FIELD_COUNT]; /* column of each field; -1: none */

	row_ix *rows;
	size_t n_rows, rows_cap;
	group_ix *groups;
	size_t n_groups, groups_cap;
	char *keys;
	size_t keys_len, keys_cap;
	uint32_t *slots; /* group index + 1; 0: empty */
	size_t slots_cap;

	csv_record rec; /* reused by every read */
} csv_import_state;

static const char *column_name(const csv_import_state *st, int col)
{
	return col >= 0 && (size_t)col < st->n_columns ? st->columns[col] : "";
}

static void report(csv_import_state *st, csv_report_kind kind, int64_t line,
		   const char *column, const char *external_id,
		   const char *message)
{
	csv_report r;
	char msg[ORDO_ERR_MESSAGE_MAX];

	ordo_strlcpy(msg, message, sizeof(msg));
	ordo_utf8_scrub(msg);
	r.kind = kind;
	r.line = line;
	r.column = column ? column : "";
	r.external_id = external_id ? external_id : "";
	r.message = msg[0] ? msg : "(no reason given)";
	if (st->h->on_report)
		st->h->on_report(st->h->ctx, &r);
}

static uint32_t hash_text(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

static bool slots_rehash(csv_import_state *st, size_t cap)
{
	uint32_t *slots = calloc(cap, sizeof(*slots));
	size_t g;

	if (!slots)
		return false;
	for (g = 0; g < st->n_groups; g++) {
		size_t i = hash_text(st->keys + st->groups[g].key) & (cap - 1);

		while (slots[i])
			i = (i + 1) & (cap - 1);
		slots[i] = (uint32_t)g + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->slots_cap = cap;
	return true;
}

/* The group of external id `id`, made when new; -1 out of memory. */
static long group_of(csv_import_state *st, const char *id)
{
	size_t i, len = strlen(id);
	group_ix *g;

	if ((st->n_groups + 1) * 2 > st->slots_cap &&
	    !slots_rehash(st, st->slots_cap ? st->slots_cap * 2 : 1024))
		return -1;
	i = hash_text(id) & (st->slots_cap - 1);
	while (st->slots[i]) {
		uint32_t k = st->slots[i] - 1;

		if (strcmp(st->keys + st->groups[k].key, id) == 0)
			return (long)k;
		i = (i + 1) & (st->slots_cap - 1);
	}
	if (!grow((void **)&st->groups, &st->groups_cap, st->n_groups + 1,
		  sizeof(*st->groups)) ||
	    !grow((void **)&st->keys, &st->keys_cap, st->keys_len + len + 1,
		  1))
		return -1;
	g = &st->groups[st->n_groups];
	g->key = (uint32_t)st->keys_len;
	g->first = g->last = UINT32_MAX;
	g->n = 0;
	memcpy(st->keys + st->keys_len, id, len + 1);
	st->keys_len += len + 1;
	st->slots[i] = (uint32_t)st->n_groups + 1;
	return (long)st->n_groups++;
}

/* The mapping against the header: st->col for every field. Every problem
 * at once. */
static ordo_code mapping_resolve(csv_import_state *st, ordo_err *err)
{
	const csv_map *map = st->map;
	bool explicit_map = map_has_columns(map);
	bool bad[CSV_FIELD_COUNT] = {false};
	char list[JF_LIST_MAX] = "", path[ORDO_ERR_FIELD_MAX];
	const char **names;
	size_t i;
	int f;

	names = calloc(st->n_columns + 1, sizeof(*names));
	if (!names)
		return ordo_err_set(err, ORDO_ENOMEM, "columns",
				    "out of memory reading the header");
	for (i = 0; i < st->n_columns; i++) {
		names[i] = st->columns[i];
		if (st->columns[i][0])
			jf_list_add(list, sizeof(list), st->columns[i]);
	}
	for (f = 0; f < CSV_FIELD_COUNT; f++) {
		const char *want = explicit_map ? map->columns[f]
						: field_names[f];
		int found = -1, twice = -1;

		st->col[f] = -1;
		if (!want[0])
			continue;
		for (i = 0; i < st->n_columns; i++) {
			if (!csv_ascii_caseeq(st->columns[i], want))
				continue;
			if (found < 0)
				found = (int)i;
			else if (twice < 0)
				twice = (int)i;
		}
		jf_path(path, sizeof(path), "columns", field_names[f]);
		if (found >= 0 && twice >= 0) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "\"%s\" names columns %d and %d of the "
				     "header; ordo cannot tell which holds %s",
				     want, found + 1, twice + 1,
				     field_names[f]);
			bad[f] = true;
			continue;
		}
		if (found < 0 && explicit_map) {
			const char *close = jf_closest(want, names);

			if (close)
				ordo_err_add(err, ORDO_EINVALID, path,
					     "\"%s\" is not a column of the "
					     "file; did you mean \"%s\"? The "
					     "header (read with delimiter %s) "
					     "has: %s",
					     want, close,
					     csv_delimiter_name(st->delim), list);
			else
				ordo_err_add(err, ORDO_EINVALID, path,
					     "\"%s\" is not a column of the "
					     "file; the header (read with "
					     "delimiter %s) has: %s",
					     want, csv_delimiter_name(st->delim),
					     list);
			bad[f] = true;
			continue;
		}
		st->col[f] = found;
	}
	for (i = 0; i < REQUIRED_COUNT; i++) {
		csv_field rf = required_fields[i];

		if (st->col[rf] >= 0 || bad[rf])
			continue;
		jf_path(path, sizeof(path), "columns", field_names[rf]);
		if (explicit_map)
			ordo_err_add(err, ORDO_EINVALID, path,
				     "is required: map it to the column "
				     "that holds it (%s)",
				     required_reason(rf));
		else
			ordo_err_add(err, ORDO_EINVALID, path,
				     "the header has no column \"%s\" (%s); "
				     "give a mapping that names the column "
				     "that holds it. The header has: %s",
				     field_names[rf], required_reason(rf),
				     list);
	}
	if (st->col[CSV_F_CURRENCY] < 0 && !bad[CSV_F_CURRENCY] &&
	    !map->currency[0])
		ordo_err_add(err, ORDO_EINVALID, "currency",
			     "the file has no currency column and the "
			     "mapping names no currency; give one "
			     "(\"currency\": \"GBP\") or map a column to it");
	if (err->code != ORDO_OK)
		map_message(err, st->col[CSV_F_SKU] < 0 &&
					 !bad[CSV_F_SKU] &&
					 st->col[CSV_F_QUANTITY] < 0 &&
					 !bad[CSV_F_QUANTITY] &&
					 st->col[CSV_F_UNIT_PRICE] < 0 &&
					 !bad[CSV_F_UNIT_PRICE],
			    true);
	free(names);
	return err->code;
}

/* Read the header and resolve the mapping. */
static ordo_code header_read(csv_import_state *st, csv_reader *rd,
			     ordo_err *err)
{
	csv_record *r = &st->rec;
	ordo_code rc;
	bool got;
	size_t i;

	do {
		rc = csv_record_read(rd, r, &got, err);
		if (rc != ORDO_OK)
			return rc;
	} while (got && r->blank);
	if (!got)
		return ordo_err_set(err, ORDO_EINVALID, "file",
				    "the file has no header line (it is "
				    "empty or blank): the first line of an "
				    "order file names its columns");
	st->header_start = r->start;
	st->header_end = r->end;
	st->columns = calloc(r->n, sizeof(*st->columns));
	if (!st->columns)
		return ordo_err_set(err, ORDO_ENOMEM, "file",
				    "out of memory reading the header");
	for (i = 0; i < r->n; i++) {
		st->columns[i] = strdup(csv_record_cell(r, (int)i));
		if (!st->columns[i])
			return ordo_err_set(err, ORDO_ENOMEM, "file",
					    "out of memory reading the "
					    "header");
		st->n_columns++;
	}
	return mapping_resolve(st, err);
}

/* Every row after the header into the index. */
static ordo_code index_build(csv_import_state *st, csv_reader *rd,
			     ordo_err *err)
{
	csv_record *r = &st->rec;
	int id_col = st->col[CSV_F_EXTERNAL_ID];
	ordo_code rc;
	bool got;

	for (;;) {
		const char *id;
		row_ix *row;
		long g;

		rc = csv_record_read(rd, r, &got, err);
		if (rc != ORDO_OK)
			return rc;
		if (!got)
			break;
		if (r->blank)
			continue;
		if (st->n_rows >= CSV_MAX_ROWS)
			return ordo_err_set(err, ORDO_ELIMIT, "file",
					    "the file has more than %d rows "
					    "(CSV_MAX_ROWS, passed on line "
					    "%u); split it",
					    CSV_MAX_ROWS, (unsigned)r->line);
		st->sum->rows++;
		id = csv_record_cell(r, id_col);
		if (csv_value_absent(id)) {
			/* Reported after the whole file is read, so that
			 * a file refused as a whole reports nothing. */
			g = -2;
		} else {
			g = group_of(st, id);
			if (g < 0)
				goto nomem;
		}
		if (!grow((void **)&st->rows, &st->rows_cap, st->n_rows + 1,
			  sizeof(*st->rows)))
			goto nomem;
		row = &st->rows[st->n_rows];
		row->start = (uint32_t)r->start;
		row->end = (uint32_t)r->end;
		row->line = r->line;
		row->next = UINT32_MAX;
		if (g >= 0) {
			group_ix *gr = &st->groups[g];

			if (gr->n == 0)
				gr->first = (uint32_t)st->n_rows;
			else
				st->rows[gr->last].next = (uint32_t)st->n_rows;
			gr->last = (uint32_t)st->n_rows;
			gr->n++;
		} else {
			/* A row of no order: its next is itself, which no
			 * row of an order has. */
			row->next = (uint32_t)st->n_rows;
		}
		st->n_rows++;
	}
	return ORDO_OK;
nomem:
	return ordo_err_set(err, ORDO_ENOMEM, "file",
			    "out of memory indexing the file (line %u)",
			    (unsigned)r->line);
}

/* ------------------------------------------------------------------ */
/* Orders                                                              */

/* One problem of an order being built. */
typedef struct {
	uint32_t line;
	int col;      /* -1: the whole row */
	size_t msg;   /* at problems text + msg */
} csv_problem;

typedef struct {
	csv_import_state *st;
	order *o;
	csv_problem *p;
	size_t n_p, p_cap;
	strbuf msgs;
	bool nomem;
	/* What the order has already, and from which line. */
	bool have[CSV_FIELD_COUNT];
	uint32_t from[CSV_FIELD_COUNT];
	char currency[ORDO_CURRENCY_MAX]; /* of the row being read */
	const char *country_text;	  /* the last country looked up */
	const char *country_code;
	char country_cache[64];
} csv_build;

static void problem(csv_build *b, uint32_t line, int col, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static void problem(csv_build *b, uint32_t line, int col, const char *fmt,
		    ...)
{
	char msg[ORDO_ERR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(msg);
	if (!grow((void **)&b->p, &b->p_cap, b->n_p + 1, sizeof(*b->p))) {
		b->nomem = true;
		return;
	}
	b->p[b->n_p].line = line;
	b->p[b->n_p].col = col;
	b->p[b->n_p].msg = b->msgs.len;
	strbuf_put(&b->msgs, msg, strlen(msg) + 1);
	if (b->msgs.failed) {
		b->nomem = true;
		return;
	}
	b->n_p++;
}

/* The value of field f in the record, or NULL when absent. */
static const char *field_value(const csv_build *b, const csv_record *r,
			       csv_field f)
{
	const char *v;

	if (b->st->col[f] < 0)
		return NULL;
	v = csv_record_cell(r, b->st->col[f]);
	return csv_value_absent(v) ? NULL : v;
}

/* Descriptive text: the order's from its first row that gives it, cut to
 * fit. */
static void text_desc(csv_build *b, const csv_record *r, csv_field f,
		      char *dst, size_t size)
{
	const char *v = field_value(b, r, f);

	if (!v || b->have[f])
		return;
	ordo_strlcpy(dst, v, size);
	b->have[f] = true;
	b->from[f] = r->line;
}

/* Identifying text: refused when longer than its field. With once, the
 * order's from its first row that gives it; otherwise the row's own. */
static bool text_id(csv_build *b, const csv_record *r, csv_field f,
		    char *dst, size_t size, bool once)
{
	const char *v = field_value(b, r, f);
	size_t len;

	if (!v)
		return false;
	len = strlen(v);
	if (len >= size) {
		problem(b, r->line, b->st->col[f],
			"is %zu bytes long; %s may be at most %zu (a "
			"shortened one would name something else)",
			len, field_names[f], size - 1);
		return false;
	}
	if (once && b->have[f])
		return true;
	memcpy(dst, v, len + 1);
	b->have[f] = true;
	b->from[f] = r->line;
	return true;
}

/* An amount of the order's (shipping, tax, discount, total): from its
 * first row that gives one; a different one later is a problem. */
static void money_order(csv_build *b, const csv_record *r, csv_field f,
			int64_t *dst)
{
	const char *v = field_value(b, r, f);
	char why_buf[ORDO_ERR_MESSAGE_MAX], q[CSV_QUOTE_MAX + 8];
	const char *why;
	int64_t amount;

	if (!v)
		return;
	why = csv_money_value(v, b->st->map->decimal, b->currency, &amount,
			  why_buf, sizeof(why_buf));
	if (why) {
		problem(b, r->line, b->st->col[f], "%s %s",
			csv_quoted(v, q, sizeof(q)), why);
		return;
	}
	if (!b->have[f]) {
		*dst = amount;
		b->have[f] = true;
		b->from[f] = r->line;
	} else if (*dst != amount) {
		char a[40], c[40];

		money_format(*dst, b->currency, a, sizeof(a));
		money_format(amount, b->currency, c, sizeof(c));
		problem(b, r->line, b->st->col[f],
			"is %s, but line %u gave %s: %s is the order's, one "
			"amount for all its rows (a per-line column cannot "
			"be mapped to it)",
			c, (unsigned)b->from[f], a, field_names[f]);
	}
}

static const char *country_lookup(csv_build *b, const char *v)
{
	/* Files repeat one country row after row. */
	if (b->country_text && strcmp(b->country_cache, v) == 0)
		return b->country_code;
	b->country_code = csv_country_code(v);
	if (ordo_strlcpy(b->country_cache, v, sizeof(b->country_cache)) == 0)
		b->country_text = b->country_cache;
	else
		b->country_text = NULL;
	return b->country_code;
}

/* Every field of one row into the order (line i of it). */
static void row_take(csv_build *b, const csv_record *r, size_t i)
{
	csv_import_state *st = b->st;
	const csv_map *map = st->map;
	order *o = b->o;
	order_line *l = &o->lines[i];
	char why_buf[ORDO_ERR_MESSAGE_MAX], q[CSV_QUOTE_MAX + 8];
	const char *v, *why;
	size_t c;

	l->line_no = (int)i + 1;
	if (r->bad_cell >= 0)
		problem(b, r->line, r->bad_cell,
			"has text after the closing quote of a quoted "
			"field (a quote inside one is written \"\")");
	for (c = st->n_columns; c < r->n; c++)
		if (csv_record_cell(r, (int)c)[0]) {
			problem(b, r->line, -1,
				"has %zu fields; the header has %zu (a "
				"delimiter inside a value that is not "
				"quoted?)",
				r->n, st->n_columns);
			break;
		}

	text_id(b, r, CSV_F_EXTERNAL_ID, o->external_id,
		sizeof(o->external_id), true);

	/* The currency first: the row's money is in it. */
	v = field_value(b, r, CSV_F_CURRENCY);
	if (v) {
		char cur[ORDO_CURRENCY_MAX] = "";

		if (strlen(v) < sizeof(cur)) {
			ordo_strlcpy(cur, v, sizeof(cur));
			csv_ascii_upper(cur);
		}
		if (!money_currency_known(cur)) {
			problem(b, r->line, st->col[CSV_F_CURRENCY],
				"%s is not an ISO 4217 currency code",
				csv_quoted(v, q, sizeof(q)));
			ordo_strlcpy(b->currency, "XXX", sizeof(b->currency));
		} else {
			ordo_strlcpy(b->currency, cur, sizeof(b->currency));
		}
	} else if (map->currency[0]) {
		ordo_strlcpy(b->currency, map->currency, sizeof(b->currency));
	} else {
		problem(b, r->line, st->col[CSV_F_CURRENCY],
			"is empty and the mapping names no currency for "
			"rows that give none");
		ordo_strlcpy(b->currency, "XXX", sizeof(b->currency));
	}
	if (money_currency_known(b->currency)) {
		if (!o->currency[0]) {
			ordo_strlcpy(o->currency, b->currency,
				     sizeof(o->currency));
			b->from[CSV_F_CURRENCY] = r->line;
		} else if (strcmp(o->currency, b->currency) != 0) {
			problem(b, r->line, st->col[CSV_F_CURRENCY],
				"is %s, but line %u's is %s: one order has "
				"one currency",
				b->currency,
				(unsigned)b->from[CSV_F_CURRENCY],
				o->currency);
		}
	}

	v = field_value(b, r, CSV_F_PLACED_AT);
	if (v) {
		int64_t t;

		why = csv_time_value(v, map->date_order, &t);
		if (why)
			problem(b, r->line, st->col[CSV_F_PLACED_AT], "%s %s",
				csv_quoted(v, q, sizeof(q)), why);
		else if (!b->have[CSV_F_PLACED_AT]) {
			o->placed_at = t;
			b->have[CSV_F_PLACED_AT] = true;
		}
	}

	text_id(b, r, CSV_F_CUSTOMER_EXTERNAL_ID, o->customer.external_id,
		sizeof(o->customer.external_id), true);
	text_desc(b, r, CSV_F_CUSTOMER_NAME, o->customer.name,
		  sizeof(o->customer.name));
	text_id(b, r, CSV_F_CUSTOMER_EMAIL, o->customer.email,
		sizeof(o->customer.email), true);
	text_id(b, r, CSV_F_CUSTOMER_PHONE, o->customer.phone,
		sizeof(o->customer.phone), true);

	text_desc(b, r, CSV_F_SHIP_TO_NAME, o->ship_to.name,
		  sizeof(o->ship_to.name));
	text_desc(b, r, CSV_F_SHIP_TO_COMPANY, o->ship_to.company,
		  sizeof(o->ship_to.company));
	text_desc(b, r, CSV_F_SHIP_TO_LINE1, o->ship_to.line1,
		  sizeof(o->ship_to.line1));
	text_desc(b, r, CSV_F_SHIP_TO_LINE2, o->ship_to.line2,
		  sizeof(o->ship_to.line2));
	text_desc(b, r, CSV_F_SHIP_TO_CITY, o->ship_to.city,
		  sizeof(o->ship_to.city));
	text_id(b, r, CSV_F_SHIP_TO_REGION, o->ship_to.region,
		sizeof(o->ship_to.region), true);
	text_id(b, r, CSV_F_SHIP_TO_POSTAL_CODE, o->ship_to.postal_code,
		sizeof(o->ship_to.postal_code), true);
	text_id(b, r, CSV_F_SHIP_TO_PHONE, o->ship_to.phone,
		sizeof(o->ship_to.phone), true);
	v = field_value(b, r, CSV_F_SHIP_TO_COUNTRY);
	if (v) {
		const char *code = country_lookup(b, v);

		if (!code)
			problem(b, r->line, st->col[CSV_F_SHIP_TO_COUNTRY],
				"%s is not a country ordo knows; write an "
				"ISO 3166-1 code such as \"GB\" or an "
				"English name such as \"United Kingdom\"",
				csv_quoted(v, q, sizeof(q)));
		else if (!b->have[CSV_F_SHIP_TO_COUNTRY]) {
			ordo_strlcpy(o->ship_to.country, code,
				     sizeof(o->ship_to.country));
			b->have[CSV_F_SHIP_TO_COUNTRY] = true;
		}
	}

	/* The line. */
	if (!text_id(b, r, CSV_F_SKU, l->sku, sizeof(l->sku), false) &&
	    !field_value(b, r, CSV_F_SKU))
		problem(b, r->line, st->col[CSV_F_SKU],
			"is empty: ordo cannot tell what was ordered");
	v = field_value(b, r, CSV_F_TITLE);
	if (v)
		ordo_strlcpy(l->title, v, sizeof(l->title));
	v = field_value(b, r, CSV_F_QUANTITY);
	if (!v)
		problem(b, r->line, st->col[CSV_F_QUANTITY],
			"is empty: a line needs its quantity");
	else if ((why = csv_quantity_parse(v, map->decimal, &l->quantity)))
		problem(b, r->line, st->col[CSV_F_QUANTITY], "%s %s",
			csv_quoted(v, q, sizeof(q)), why);
	v = field_value(b, r, CSV_F_UNIT_PRICE);
	if (!v)
		problem(b, r->line, st->col[CSV_F_UNIT_PRICE],
			"is empty: a line needs its price (write 0 for a "
			"free item)");
	else if ((why = csv_money_value(v, map->decimal, b->currency,
				    &l->unit_price, why_buf,
				    sizeof(why_buf))))
		problem(b, r->line, st->col[CSV_F_UNIT_PRICE], "%s %s",
			csv_quoted(v, q, sizeof(q)), why);

	text_desc(b, r, CSV_F_SHIPPING_METHOD, o->shipping.method,
		  sizeof(o->shipping.method));
	money_order(b, r, CSV_F_SHIPPING_AMOUNT, &o->shipping.amount);
	money_order(b, r, CSV_F_TAX, &o->totals.tax);
	money_order(b, r, CSV_F_DISCOUNT, &o->totals.discount);
	money_order(b, r, CSV_F_TOTAL, &o->totals.total);

	v = field_value(b, r, CSV_F_PAYMENT_STATUS);
	if (v) {
		char lower[32];
		payment_status p;
		size_t k;

		if (ordo_strlcpy(lower, v, sizeof(lower)) != 0)
			lower[0] = '\0';
		for (k = 0; lower[k]; k++)
			lower[k] = csv_ascii_lower(lower[k]);
		if (payment_status_parse(lower, &p) != 0) {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list), payment_status_name,
				     PAYMENT_STATUS_COUNT);
			problem(b, r->line, st->col[CSV_F_PAYMENT_STATUS],
				"%s is not a payment status; one of: %s",
				csv_quoted(v, q, sizeof(q)), list);
		} else if (!b->have[CSV_F_PAYMENT_STATUS]) {
			o->payment = p;
			b->have[CSV_F_PAYMENT_STATUS] = true;
		}
	}
	text_desc(b, r, CSV_F_NOTES, o->notes, sizeof(o->notes));
}

/* Subtotal and, unless the file gives it, total: the order's own
 * arithmetic, checked. */
static void totals_compute(csv_build *b, const uint32_t *lines)
{
	order *o = b->o;
	order_totals *t = &o->totals;
	size_t i;

	t->shipping = o->shipping.amount;
	t->subtotal = 0;
	for (i = 0; i < o->n_lines; i++) {
		int64_t ext;

		if (!money_mul(o->lines[i].unit_price, o->lines[i].quantity,
			       &ext) ||
		    !money_add(t->subtotal, ext, &t->subtotal)) {
			problem(b, lines[i], b->st->col[CSV_F_UNIT_PRICE],
				"takes the order's value past the largest "
				"amount ordo accepts");
			return;
		}
	}
	if (b->have[CSV_F_TOTAL])
		return;
	if (!money_add(t->subtotal, t->shipping, &t->total) ||
	    !money_add(t->total, t->tax, &t->total) ||
	    !money_add(t->total, -t->discount, &t->total))
		problem(b, lines[0], -1,
			"the order's total is past the largest amount ordo "
			"accepts");
}

/* Report every row of a group that is not taken. */
static void group_refuse(csv_build *b, const group_ix *g, const char *id)
{
	csv_import_state *st = b->st;
	char msg[ORDO_ERR_MESSAGE_MAX];
	uint32_t k;
	size_t p = 0;
	uint32_t first_bad = b->n_p ? b->p[0].line : 0;

	for (k = g->first; k != UINT32_MAX; k = st->rows[k].next) {
		uint32_t line = st->rows[k].line;
		bool any = false;

		while (p < b->n_p && b->p[p].line == line) {
			report(st, CSV_REPORT_ROW, line,
			       column_name(st, b->p[p].col), id,
			       b->msgs.text + b->p[p].msg);
			p++;
			any = true;
		}
		if (!any) {
			snprintf(msg, sizeof(msg),
				 "order %s is not taken: the row on line %u "
				 "is bad",
				 id, (unsigned)first_bad);
			report(st, CSV_REPORT_ROW, line, "", id, msg);
		}
	}
	st->sum->rows_refused += g->n;
	st->sum->orders_refused++;
}

/* Build the order of group g; give it out or report its rows. */
static ordo_code group_build(csv_import_state *st, const group_ix *g,
			     csv_build *b, ordo_err *err)
{
	const char *id = st->keys + g->key;
	csv_record *r = &st->rec;
	int64_t lines64[ORDO_MAX_LINES];
	uint32_t lines[ORDO_MAX_LINES];
	order o;
	ordo_code rc = ORDO_OK;
	strbuf src;
	uint32_t k;
	size_t i = 0;

	if (g->n > ORDO_MAX_LINES) {
		char msg[ORDO_ERR_MESSAGE_MAX];

		for (k = g->first; k != UINT32_MAX; k = st->rows[k].next) {
			snprintf(msg, sizeof(msg),
				 k == g->first
					 ? "order %s has %u rows; an order "
					   "may have at most %d lines "
					   "(ORDO_MAX_LINES)"
					 : "order %s is not taken: it has %u "
					   "rows, more than %d",
				 id, (unsigned)g->n, ORDO_MAX_LINES);
			report(st, CSV_REPORT_ROW, st->rows[k].line, "", id,
			       msg);
		}
		st->sum->rows_refused += g->n;
		st->sum->orders_refused++;
		return ORDO_OK;
	}

	order_init(&o);
	strbuf_init(&src);
	b->o = &o;
	b->n_p = 0;
	b->msgs.len = 0;
	b->nomem = false;
	memset(b->have, 0, sizeof(b->have));
	memset(b->from, 0, sizeof(b->from));
	o.state = ORDER_RECEIVED;
	o.payment = PAYMENT_UNKNOWN;
	ordo_strlcpy(o.channel, st->channel, sizeof(o.channel));
	ordo_strlcpy(o.channel_kind, channel_kind_name(CHANNEL_CSV),
		     sizeof(o.channel_kind));
	ordo_strlcpy(o.shipping.method, "standard", sizeof(o.shipping.method));
	rc = order_lines_alloc(&o, g->n, err);
	if (rc != ORDO_OK)
		goto out;

	strbuf_put(&src, st->text.text + st->header_start,
		   st->header_end - st->header_start);
	for (k = g->first; k != UINT32_MAX; k = st->rows[k].next, i++) {
		const row_ix *row = &st->rows[k];
		csv_reader rd = {st->text.text, st->text.len, st->delim,
				 row->start, row->line};
		bool got;

		rc = csv_record_read(&rd, r, &got, err);
		/* The index read the same bytes without a problem. */
		assert(rc == ORDO_OK && got && r->end == row->end);
		if (rc != ORDO_OK)
			goto out;
		lines[i] = row->line;
		lines64[i] = row->line;
		row_take(b, r, i);
		strbuf_put(&src, st->text.text + row->start,
			   row->end - row->start);
	}
	if (!o.ship_to.country[0] && st->map->country[0])
		ordo_strlcpy(o.ship_to.country, st->map->country,
			     sizeof(o.ship_to.country));
	if (!o.currency[0] && st->map->currency[0])
		ordo_strlcpy(o.currency, st->map->currency,
			     sizeof(o.currency));
	if (b->n_p == 0)
		totals_compute(b, lines);
	if (b->nomem || src.failed) {
		rc = ordo_err_set(err, ORDO_ENOMEM, "file",
				  "out of memory building order %s", id);
		goto out;
	}
	if (b->n_p > 0) {
		group_refuse(b, g, id);
		goto out;
	}

	order_lines_open_all(&o);
	o.source = src.text;
	strbuf_init(&src);
	ordo_strlcpy(o.source_type, "text/csv", sizeof(o.source_type));
	{
		csv_rows rows = {lines64, g->n};

		rc = st->h->on_order(st->h->ctx, &o, &rows, err);
	}
	if (rc != ORDO_OK) {
		if (err->code == ORDO_OK || err->message[0] == '\0')
			ordo_err_set(err, rc, "file",
				     "the import was stopped at order %s",
				     id);
		goto out;
	}
	st->sum->orders_taken++;
out:
	strbuf_free(&src);
	order_free(&o);
	return rc;
}

static void state_free(csv_import_state *st)
{
	size_t i;

	for (i = 0; i < st->n_columns; i++)
		free(st->columns[i]);
	free(st->columns);
	free(st->rows);
	free(st->groups);
	free(st->keys);
	free(st->slots);
	free(st->text.owned);
	csv_record_free(&st->rec);
}

ordo_code csv_import(const char *buf, size_t len, const csv_map *map,
		     const char *channel, const csv_handler *h,
		     csv_summary *sum, ordo_err *err)
{
	csv_import_state st;
	csv_summary own_sum;
	csv_map own_map;
	csv_reader rd;
	csv_build b;
	ordo_code rc;
	size_t g, k;

	assert(h && h->on_order && err && (buf || len == 0));
	memset(&st, 0, sizeof(st));
	memset(&b, 0, sizeof(b));
	strbuf_init(&b.msgs);
	if (!sum)
		sum = &own_sum;
	memset(sum, 0, sizeof(*sum));
	/* A copy, with options out of their sets (a map made in code and
	 * never initialised) at their defaults. */
	if (map)
		own_map = *map;
	else
		csv_map_init(&own_map);
	if (own_map.decimal != ',')
		own_map.decimal = '.';
	if ((unsigned)own_map.date_order >= CSV_DATE_ORDER_COUNT)
		own_map.date_order = CSV_DATE_YMD;
	if (own_map.delimiter != ',' && own_map.delimiter != ';' &&
	    own_map.delimiter != '\t')
		own_map.delimiter = 0;
	map = &own_map;
	st.map = map;
	st.channel = channel ? channel : "";
	st.h = h;
	st.sum = sum;
	if (st.channel[0] && !channel_name_ok(st.channel)) {
		rc = ordo_err_set(err, ORDO_EINVALID, "channel",
				  "the channel name " CHANNEL_NAME_RULE);
		goto out;
	}
	if (strlen(st.channel) >= ORDO_CHANNEL_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "channel",
				  "the channel name may be at most %d bytes",
				  ORDO_CHANNEL_MAX - 1);
		goto out;
	}

	rc = csv_text_prepare(buf ? buf : "", len, &st.text, err);
	if (rc != ORDO_OK)
		goto out;
	sum->converted = st.text.owned != NULL;
	st.delim = map->delimiter ? map->delimiter
				  : csv_delimiter_detect(st.text.text, st.text.len);
	sum->delimiter = st.delim;

	rd.text = st.text.text;
	rd.len = st.text.len;
	rd.delim = st.delim;
	rd.pos = 0;
	rd.line = 1;
	rc = header_read(&st, &rd, err);
	if (rc != ORDO_OK)
		goto out;
	rc = index_build(&st, &rd, err);
	if (rc != ORDO_OK)
		goto out;
	sum->orders = st.n_groups;
	if (h->on_start)
		h->on_start(h->ctx, sum);

	/* The file is taken as a whole: now the report and the orders. */
	if (st.text.owned) {
		char msg[ORDO_ERR_MESSAGE_MAX];

		snprintf(msg, sizeof(msg),
			 "the file is not UTF-8 (line %u is the first that "
			 "is not); it was read as Windows-1252 and converted "
			 "to UTF-8",
			 (unsigned)st.text.bad_line);
		report(&st, CSV_REPORT_NOTE, 0, "", "", msg);
	}
	for (k = 0; k < st.n_rows; k++) {
		if (st.rows[k].next != k)
			continue;
		report(&st, CSV_REPORT_ROW, st.rows[k].line,
		       column_name(&st, st.col[CSV_F_EXTERNAL_ID]), "",
		       "is empty: a row without an order number belongs to "
		       "no order");
		sum->rows_refused++;
	}
	b.st = &st;
	for (g = 0; g < st.n_groups; g++) {
		rc = group_build(&st, &st.groups[g], &b, err);
		if (rc != ORDO_OK)
			goto out;
	}
	rc = ORDO_OK;
out:
	free(b.p);
	strbuf_free(&b.msgs);
	state_free(&st);
	if (rc != ORDO_OK && err->message[0] == '\0')
		ordo_err_set_message(err, "the file was not imported");
	return rc;
}
