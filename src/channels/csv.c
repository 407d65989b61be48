/*
 * csv.c - order files (CSV) into ordo orders. See csv.h for what is read
 * and how.
 *
 * NOTES ON THE DESIGN
 *
 * The import runs in two passes over one UTF-8 text (the caller's buffer,
 * or a converted copy of it):
 *
 *     buf --text_prepare--> text --index_build--> rows[], groups[]
 *                                                      |
 *               on_order <--group_build-- one group at a time
 *               on_report <-'
 *
 * 1. text_prepare checks the size, refuses NUL bytes, skips a byte-order
 *    mark and converts Windows-1252 to UTF-8 when the text is not UTF-8.
 * 2. index_build reads the header, resolves the mapping against it, then
 *    reads every record once (record_read, the one CSV state machine) and
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
 *
 * record_read's states, for one field:
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

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/json_fields.h"
#include "core/channel.h"
#include "core/money.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

/* Room for a number as text once its grouping is taken out: ORDO_MAX_MONEY
 * has 14 digits, and a few decimals more; a longer number is refused. */
#define CSV_NUMBER_MAX 48
/* How much of a bad value a message quotes. */
#define CSV_QUOTE_MAX 48

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
/* Small text helpers                                                  */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	return *a == *b;
}

static void ascii_upper_inplace(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A value quoted for a message: at most CSV_QUOTE_MAX bytes, cut between
 * characters, "..." when cut. */
static const char *quoted(const char *s, char *buf, size_t size)
{
	char cut[CSV_QUOTE_MAX + 1];

	if (ordo_strlcpy(cut, s, sizeof(cut)) != 0)
		snprintf(buf, size, "\"%s...\"", cut);
	else
		snprintf(buf, size, "\"%s\"", cut);
	return buf;
}

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
/* Countries                                                           */

struct country {
	char code[3];
	char alpha3[4];
	const char *name;
};

struct country_alias {
	const char *name;
	char code[3];
};

/* ISO 3166-1: alpha-2, alpha-3 and the English short name (from the
 * iso-codes package's iso_3166-1.json), sorted by alpha-2. */
static const struct country countries[] = {
	{ "AD", "AND", "Andorra" },
	{ "AE", "ARE", "United Arab Emirates" },
	{ "AF", "AFG", "Afghanistan" },
	{ "AG", "ATG", "Antigua and Barbuda" },
	{ "AI", "AIA", "Anguilla" },
	{ "AL", "ALB", "Albania" },
	{ "AM", "ARM", "Armenia" },
	{ "AO", "AGO", "Angola" },
	{ "AQ", "ATA", "Antarctica" },
	{ "AR", "ARG", "Argentina" },
	{ "AS", "ASM", "American Samoa" },
	{ "AT", "AUT", "Austria" },
	{ "AU", "AUS", "Australia" },
	{ "AW", "ABW", "Aruba" },
	{ "AX", "ALA", "Åland Islands" },
	{ "AZ", "AZE", "Azerbaijan" },
	{ "BA", "BIH", "Bosnia and Herzegovina" },
	{ "BB", "BRB", "Barbados" },
	{ "BD", "BGD", "Bangladesh" },
	{ "BE", "BEL", "Belgium" },
	{ "BF", "BFA", "Burkina Faso" },
	{ "BG", "BGR", "Bulgaria" },
	{ "BH", "BHR", "Bahrain" },
	{ "BI", "BDI", "Burundi" },
	{ "BJ", "BEN", "Benin" },
	{ "BL", "BLM", "Saint Barthélemy" },
	{ "BM", "BMU", "Bermuda" },
	{ "BN", "BRN", "Brunei Darussalam" },
	{ "BO", "BOL", "Bolivia, Plurinational State of" },
	{ "BQ", "BES", "Bonaire, Sint Eustatius and Saba" },
	{ "BR", "BRA", "Brazil" },
	{ "BS", "BHS", "Bahamas" },
	{ "BT", "BTN", "Bhutan" },
	{ "BV", "BVT", "Bouvet Island" },
	{ "BW", "BWA", "Botswana" },
	{ "BY", "BLR", "Belarus" },
	{ "BZ", "BLZ", "Belize" },
	{ "CA", "CAN", "Canada" },
	{ "CC", "CCK", "Cocos (Keeling) Islands" },
	{ "CD", "COD", "Congo, The Democratic Republic of the" },
	{ "CF", "CAF", "Central African Republic" },
	{ "CG", "COG", "Congo" },
	{ "CH", "CHE", "Switzerland" },
	{ "CI", "CIV", "Côte d'Ivoire" },
	{ "CK", "COK", "Cook Islands" },
	{ "CL", "CHL", "Chile" },
	{ "CM", "CMR", "Cameroon" },
	{ "CN", "CHN", "China" },
	{ "CO", "COL", "Colombia" },
	{ "CR", "CRI", "Costa Rica" },
	{ "CU", "CUB", "Cuba" },
	{ "CV", "CPV", "Cabo Verde" },
	{ "CW", "CUW", "Curaçao" },
	{ "CX", "CXR", "Christmas Island" },
	{ "CY", "CYP", "Cyprus" },
	{ "CZ", "CZE", "Czechia" },
	{ "DE", "DEU", "Germany" },
	{ "DJ", "DJI", "Djibouti" },
	{ "DK", "DNK", "Denmark" },
	{ "DM", "DMA", "Dominica" },
	{ "DO", "DOM", "Dominican Republic" },
	{ "DZ", "DZA", "Algeria" },
	{ "EC", "ECU", "Ecuador" },
	{ "EE", "EST", "Estonia" },
	{ "EG", "EGY", "Egypt" },
	{ "EH", "ESH", "Western Sahara" },
	{ "ER", "ERI", "Eritrea" },
	{ "ES", "ESP", "Spain" },
	{ "ET", "ETH", "Ethiopia" },
	{ "FI", "FIN", "Finland" },
	{ "FJ", "FJI", "Fiji" },
	{ "FK", "FLK", "Falkland Islands (Malvinas)" },
	{ "FM", "FSM", "Micronesia, Federated States of" },
	{ "FO", "FRO", "Faroe Islands" },
	{ "FR", "FRA", "France" },
	{ "GA", "GAB", "Gabon" },
	{ "GB", "GBR", "United Kingdom" },
	{ "GD", "GRD", "Grenada" },
	{ "GE", "GEO", "Georgia" },
	{ "GF", "GUF", "French Guiana" },
	{ "GG", "GGY", "Guernsey" },
	{ "GH", "GHA", "Ghana" },
	{ "GI", "GIB", "Gibraltar" },
	{ "GL", "GRL", "Greenland" },
	{ "GM", "GMB", "Gambia" },
	{ "GN", "GIN", "Guinea" },
	{ "GP", "GLP", "Guadeloupe" },
	{ "GQ", "GNQ", "Equatorial Guinea" },
	{ "GR", "GRC", "Greece" },
	{ "GS", "SGS", "South Georgia and the South Sandwich Islands" },
	{ "GT", "GTM", "Guatemala" },
	{ "GU", "GUM", "Guam" },
	{ "GW", "GNB", "Guinea-Bissau" },
	{ "GY", "GUY", "Guyana" },
	{ "HK", "HKG", "Hong Kong" },
	{ "HM", "HMD", "Heard Island and McDonald Islands" },
	{ "HN", "HND", "Honduras" },
	{ "HR", "HRV", "Croatia" },
	{ "HT", "HTI", "Haiti" },
	{ "HU", "HUN", "Hungary" },
	{ "ID", "IDN", "Indonesia" },
	{ "IE", "IRL", "Ireland" },
	{ "IL", "ISR", "Israel" },
	{ "IM", "IMN", "Isle of Man" },
	{ "IN", "IND", "India" },
	{ "IO", "IOT", "British Indian Ocean Territory" },
	{ "IQ", "IRQ", "Iraq" },
	{ "IR", "IRN", "Iran, Islamic Republic of" },
	{ "IS", "ISL", "Iceland" },
	{ "IT", "ITA", "Italy" },
	{ "JE", "JEY", "Jersey" },
	{ "JM", "JAM", "Jamaica" },
	{ "JO", "JOR", "Jordan" },
	{ "JP", "JPN", "Japan" },
	{ "KE", "KEN", "Kenya" },
	{ "KG", "KGZ", "Kyrgyzstan" },
	{ "KH", "KHM", "Cambodia" },
	{ "KI", "KIR", "Kiribati" },
	{ "KM", "COM", "Comoros" },
	{ "KN", "KNA", "Saint Kitts and Nevis" },
	{ "KP", "PRK", "Korea, Democratic People's Republic of" },
	{ "KR", "KOR", "Korea, Republic of" },
	{ "KW", "KWT", "Kuwait" },
	{ "KY", "CYM", "Cayman Islands" },
	{ "KZ", "KAZ", "Kazakhstan" },
	{ "LA", "LAO", "Lao People's Democratic Republic" },
	{ "LB", "LBN", "Lebanon" },
	{ "LC", "LCA", "Saint Lucia" },
	{ "LI", "LIE", "Liechtenstein" },
	{ "LK", "LKA", "Sri Lanka" },
	{ "LR", "LBR", "Liberia" },
	{ "LS", "LSO", "Lesotho" },
	{ "LT", "LTU", "Lithuania" },
	{ "LU", "LUX", "Luxembourg" },
	{ "LV", "LVA", "Latvia" },
	{ "LY", "LBY", "Libya" },
	{ "MA", "MAR", "Morocco" },
	{ "MC", "MCO", "Monaco" },
	{ "MD", "MDA", "Moldova, Republic of" },
	{ "ME", "MNE", "Montenegro" },
	{ "MF", "MAF", "Saint Martin (French part)" },
	{ "MG", "MDG", "Madagascar" },
	{ "MH", "MHL", "Marshall Islands" },
	{ "MK", "MKD", "North Macedonia" },
	{ "ML", "MLI", "Mali" },
	{ "MM", "MMR", "Myanmar" },
	{ "MN", "MNG", "Mongolia" },
	{ "MO", "MAC", "Macao" },
	{ "MP", "MNP", "Northern Mariana Islands" },
	{ "MQ", "MTQ", "Martinique" },
	{ "MR", "MRT", "Mauritania" },
	{ "MS", "MSR", "Montserrat" },
	{ "MT", "MLT", "Malta" },
	{ "MU", "MUS", "Mauritius" },
	{ "MV", "MDV", "Maldives" },
	{ "MW", "MWI", "Malawi" },
	{ "MX", "MEX", "Mexico" },
	{ "MY", "MYS", "Malaysia" },
	{ "MZ", "MOZ", "Mozambique" },
	{ "NA", "NAM", "Namibia" },
	{ "NC", "NCL", "New Caledonia" },
	{ "NE", "NER", "Niger" },
	{ "NF", "NFK", "Norfolk Island" },
	{ "NG", "NGA", "Nigeria" },
	{ "NI", "NIC", "Nicaragua" },
	{ "NL", "NLD", "Netherlands" },
	{ "NO", "NOR", "Norway" },
	{ "NP", "NPL", "Nepal" },
	{ "NR", "NRU", "Nauru" },
	{ "NU", "NIU", "Niue" },
	{ "NZ", "NZL", "New Zealand" },
	{ "OM", "OMN", "Oman" },
	{ "PA", "PAN", "Panama" },
	{ "PE", "PER", "Peru" },
	{ "PF", "PYF", "French Polynesia" },
	{ "PG", "PNG", "Papua New Guinea" },
	{ "PH", "PHL", "Philippines" },
	{ "PK", "PAK", "Pakistan" },
	{ "PL", "POL", "Poland" },
	{ "PM", "SPM", "Saint Pierre and Miquelon" },
	{ "PN", "PCN", "Pitcairn" },
	{ "PR", "PRI", "Puerto Rico" },
	{ "PS", "PSE", "Palestine, State of" },
	{ "PT", "PRT", "Portugal" },
	{ "PW", "PLW", "Palau" },
	{ "PY", "PRY", "Paraguay" },
	{ "QA", "QAT", "Qatar" },
	{ "RE", "REU", "Réunion" },
	{ "RO", "ROU", "Romania" },
	{ "RS", "SRB", "Serbia" },
	{ "RU", "RUS", "Russian Federation" },
	{ "RW", "RWA", "Rwanda" },
	{ "SA", "SAU", "Saudi Arabia" },
	{ "SB", "SLB", "Solomon Islands" },
	{ "SC", "SYC", "Seychelles" },
	{ "SD", "SDN", "Sudan" },
	{ "SE", "SWE", "Sweden" },
	{ "SG", "SGP", "Singapore" },
	{ "SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha" },
	{ "SI", "SVN", "Slovenia" },
	{ "SJ", "SJM", "Svalbard and Jan Mayen" },
	{ "SK", "SVK", "Slovakia" },
	{ "SL", "SLE", "Sierra Leone" },
	{ "SM", "SMR", "San Marino" },
	{ "SN", "SEN", "Senegal" },
	{ "SO", "SOM", "Somalia" },
	{ "SR", "SUR", "Suriname" },
	{ "SS", "SSD", "South Sudan" },
	{ "ST", "STP", "Sao Tome and Principe" },
	{ "SV", "SLV", "El Salvador" },
	{ "SX", "SXM", "Sint Maarten (Dutch part)" },
	{ "SY", "SYR", "Syrian Arab Republic" },
	{ "SZ", "SWZ", "Eswatini" },
	{ "TC", "TCA", "Turks and Caicos Islands" },
	{ "TD", "TCD", "Chad" },
	{ "TF", "ATF", "French Southern Territories" },
	{ "TG", "TGO", "Togo" },
	{ "TH", "THA", "Thailand" },
	{ "TJ", "TJK", "Tajikistan" },
	{ "TK", "TKL", "Tokelau" },
	{ "TL", "TLS", "Timor-Leste" },
	{ "TM", "TKM", "Turkmenistan" },
	{ "TN", "TUN", "Tunisia" },
	{ "TO", "TON", "Tonga" },
	{ "TR", "TUR", "Türkiye" },
	{ "TT", "TTO", "Trinidad and Tobago" },
	{ "TV", "TUV", "Tuvalu" },
	{ "TW", "TWN", "Taiwan, Province of China" },
	{ "TZ", "TZA", "Tanzania, United Republic of" },
	{ "UA", "UKR", "Ukraine" },
	{ "UG", "UGA", "Uganda" },
	{ "UM", "UMI", "United States Minor Outlying Islands" },
	{ "US", "USA", "United States" },
	{ "UY", "URY", "Uruguay" },
	{ "UZ", "UZB", "Uzbekistan" },
	{ "VA", "VAT", "Holy See (Vatican City State)" },
	{ "VC", "VCT", "Saint Vincent and the Grenadines" },
	{ "VE", "VEN", "Venezuela, Bolivarian Republic of" },
	{ "VG", "VGB", "Virgin Islands, British" },
	{ "VI", "VIR", "Virgin Islands, U.S." },
	{ "VN", "VNM", "Viet Nam" },
	{ "VU", "VUT", "Vanuatu" },
	{ "WF", "WLF", "Wallis and Futuna" },
	{ "WS", "WSM", "Samoa" },
	{ "YE", "YEM", "Yemen" },
	{ "YT", "MYT", "Mayotte" },
	{ "ZA", "ZAF", "South Africa" },
	{ "ZM", "ZMB", "Zambia" },
	{ "ZW", "ZWE", "Zimbabwe" },
};

/* Other names the same countries go by in order files ("EIRE" in the UCI
 * retail data, "UK" and "USA" in Northwind), common and unaccented names.
 * A name that could mean two countries ("Korea") is left out: a guess
 * would ship to the wrong one. */
static const struct country_alias country_aliases[] = {
	{ "Aland Islands", "AX" },
	{ "Saint Barthelemy", "BL" },
	{ "Bolivia", "BO" },
	{ "Cote d'Ivoire", "CI" },
	{ "Curacao", "CW" },
	{ "Iran", "IR" },
	{ "North Korea", "KP" },
	{ "South Korea", "KR" },
	{ "Laos", "LA" },
	{ "Moldova", "MD" },
	{ "Reunion", "RE" },
	{ "Syria", "SY" },
	{ "Turkiye", "TR" },
	{ "Taiwan", "TW" },
	{ "Tanzania", "TZ" },
	{ "Venezuela", "VE" },
	{ "Vietnam", "VN" },
	{ "UK", "GB" },
	{ "Great Britain", "GB" },
	{ "Britain", "GB" },
	{ "England", "GB" },
	{ "Scotland", "GB" },
	{ "Wales", "GB" },
	{ "Northern Ireland", "GB" },
	{ "EIRE", "IE" },
	{ "Republic of Ireland", "IE" },
	{ "USA", "US" },
	{ "US", "US" },
	{ "United States of America", "US" },
	{ "Holland", "NL" },
	{ "The Netherlands", "NL" },
	{ "Russia", "RU" },
	{ "Republic of Korea", "KR" },
	{ "Czech Republic", "CZ" },
	{ "Macedonia", "MK" },
	{ "Turkey", "TR" },
	{ "Ivory Coast", "CI" },
	{ "Cape Verde", "CV" },
	{ "Swaziland", "SZ" },
	{ "Burma", "MM" },
	{ "Vatican", "VA" },
	{ "Vatican City", "VA" },
	{ "Palestine", "PS" },
	{ "Micronesia", "FM" },
	{ "Brunei", "BN" },
	{ "UAE", "AE" },
	{ "RSA", "ZA" },
	{ "Macau", "MO" },
	{ "DR Congo", "CD" },
	{ "Democratic Republic of the Congo", "CD" },
	{ "Congo-Kinshasa", "CD" },
	{ "Congo-Brazzaville", "CG" },
	{ "Republic of the Congo", "CG" },
	{ "Falkland Islands", "FK" },
	{ "Saint Helena", "SH" },
	{ "British Virgin Islands", "VG" },
	{ "US Virgin Islands", "VI" },
	{ "Federal Republic of Germany", "DE" },
	{ "Deutschland", "DE" },
	{ "Espana", "ES" },
	{ "Schweiz", "CH" },
	{ "Suisse", "CH" },
	{ "Osterreich", "AT" },
	{ "Italia", "IT" },
	{ "Nederland", "NL" },
	{ "Belgique", "BE" },
	{ "Belgie", "BE" },
	{ "Brasil", "BR" },
	{ "Hong Kong SAR", "HK" },
};

#define COUNTRY_COUNT (sizeof(countries) / sizeof(countries[0]))
#define ALIAS_COUNT (sizeof(country_aliases) / sizeof(country_aliases[0]))

/* Whether a and b are the same country name: ASCII case, full stops and
 * runs of spaces aside ("U.S.A." is "usa", "united  kingdom" "United
 * Kingdom"). */
static bool country_name_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '.')
			a++;
		while (*b == '.')
			b++;
		if (*a == ' ' && *b == ' ') {
			while (*a == ' ')
				a++;
			while (*b == ' ')
				b++;
			continue;
		}
		if (!*a || !*b)
			return !*a && !*b;
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
		a++;
		b++;
	}
}

/* The alpha-2 code of a country written as a code (alpha-2 or -3, any
 * case) or a name, or NULL when ordo does not know it. */
static const char *country_code(const char *s)
{
	size_t i, len = strlen(s);

	for (i = 0; i < ALIAS_COUNT; i++)
		if (country_name_eq(s, country_aliases[i].name))
			return country_aliases[i].code;
	for (i = 0; i < COUNTRY_COUNT; i++) {
		if ((len == 2 && ascii_caseeq(s, countries[i].code)) ||
		    (len == 3 && ascii_caseeq(s, countries[i].alpha3)) ||
		    country_name_eq(s, countries[i].name))
			return countries[i].code;
	}
	return NULL;
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
			ascii_upper_inplace(tmp.currency);
		}
		if (!money_currency_known(tmp.currency)) {
			char q[CSV_QUOTE_MAX + 8];

			ordo_err_add(err, ORDO_EINVALID, "currency",
				     "%s is not an ISO 4217 currency code",
				     quoted(s, q, sizeof(q)));
			tmp.currency[0] = '\0';
		}
	}
	s = map_string(obj, "country", err);
	if (s) {
		const char *code = country_code(s);

		if (code) {
			ordo_strlcpy(tmp.country, code, sizeof(tmp.country));
		} else {
			char q[CSV_QUOTE_MAX + 8];

			ordo_err_add(err, ORDO_EINVALID, "country",
				     "%s is not a country ordo knows; give "
				     "an ISO 3166-1 code such as \"GB\"",
				     quoted(s, q, sizeof(q)));
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

typedef struct {
	const char *text; /* UTF-8, BOM skipped */
	size_t len;
	char *owned;	  /* the converted copy, or NULL */
	uint32_t bad_line; /* where the first non-UTF-8 byte was */
} csv_text;

static ordo_code text_prepare(const char *buf, size_t len, csv_text *t,
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

typedef struct {
	const char *text;
	size_t len;
	char delim;
	size_t pos;    /* the next record's first byte */
	uint32_t line; /* the line pos is on */
} csv_reader;

typedef struct {
	size_t start, end; /* its bytes in the text, line end included */
	uint32_t line;	   /* the line it starts on */
	size_t n;	   /* cells */
	size_t *off;	   /* cell i is the NUL-terminated buf + off[i] */
	size_t off_cap;
	char *buf;
	size_t buf_len, buf_cap;
	int bad_cell; /* the first cell with text after its closing quote */
	bool blank;   /* every cell empty */
} csv_record;

static void record_free(csv_record *r)
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

static const char *record_cell(const csv_record *r, int i)
{
	return i >= 0 && (size_t)i < r->n ? r->buf + r->off[i] : "";
}

/*
 * Read the record at rd->pos into r (see the diagram at the top). Sets
 * *got false at the end of the text. Refuses (ORDO_EINVALID) a quote never
 * closed, and (ORDO_ELIMIT) a field or a record past its limit.
 */
static ordo_code record_read(csv_reader *rd, csv_record *r, bool *got,
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
static char delimiter_detect(const char *t, size_t len)
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

static const char *delimiter_name(char d)
{
	return d == ';' ? "\";\"" : d == '\t' ? "tab" : "\",\"";
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static bool value_absent(const char *v)
{
	return v[0] == '\0' || strcmp(v, "NULL") == 0 || strcmp(v, "null") == 0;
}

/* The bytes of a thousands separator at s, or 0: with "," as the decimal
 * separator a ".", a space, a no-break space (U+00A0) or a narrow one
 * (U+202F); with "." a ",". */
static size_t thousands_sep(const char *s, char decimal)
{
	if (decimal == '.')
		return *s == ',' ? 1 : 0;
	if (*s == '.' || *s == ' ')
		return 1;
	if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
		return 2;
	if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0xAF)
		return 3;
	return 0;
}

/*
 * A number as the file writes it (sign, thousands grouped in threes, the
 * map's decimal separator) into ["-"] digits ["." digits] in out. Returns
 * NULL, or why it is not a number.
 */
static const char *number_normalise(const char *s, char decimal, char *out,
				    size_t size)
{
	char ip[CSV_NUMBER_MAX], fp[CSV_NUMBER_MAX];
	size_t ni = 0, nf = 0;
	bool neg = false, frac = false, grouped = false;
	int group = 0; /* digits since the last separator, or of all */

	if (*s == '-') {
		neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	while (*s) {
		size_t w;

		if (is_digit(*s)) {
			if (frac) {
				if (nf + 1 >= sizeof(fp))
					return "has too many digits";
				fp[nf++] = *s;
			} else {
				if (ni + 1 >= sizeof(ip))
					return "has too many digits";
				ip[ni++] = *s;
				group++;
			}
			s++;
		} else if (*s == decimal && !frac) {
			if (grouped && group != 3)
				goto grouping;
			frac = true;
			s++;
		} else if (!frac && (w = thousands_sep(s, decimal)) != 0) {
			if (group < 1 || (grouped ? group != 3 : group > 3))
				goto grouping;
			grouped = true;
			group = 0;
			s += w;
		} else {
			goto grouping;
		}
	}
	if (grouped && !frac && group != 3)
		goto grouping;
	if (ni + nf == 0)
		return "is not a number";
	ip[ni] = '\0';
	fp[nf] = '\0';
	if (snprintf(out, size, "%s%s%s%s", neg ? "-" : "", ni ? ip : "0",
		     nf ? "." : "", fp) >= (int)size)
		return "has too many digits";
	return NULL;
grouping:
	return decimal == ','
		       ? "is not a number as this file writes them (decimal "
			 "comma, thousands grouped by \".\" or a space); set "
			 "the mapping's \"decimal\" if the file writes them "
			 "otherwise"
		       : "is not a number as this file writes them (decimal "
			 "point, thousands grouped by \",\"); set the "
			 "mapping's \"decimal\" to \",\" if the file writes "
			 "decimal commas";
}

/* A whole quantity, 1 .. ORDO_MAX_QUANTITY. Returns NULL or why not. */
static const char *quantity_parse(const char *v, char decimal, int64_t *out)
{
	char num[CSV_NUMBER_MAX];
	const char *why = number_normalise(v, decimal, num, sizeof(num));
	const char *p = num, *dot;
	int64_t n = 0;

	if (why)
		return why;
	if (*p == '-') {
		/* "-0" is as much a quantity as "0". */
		for (p++; *p == '0' || *p == '.'; p++)
			;
		if (*p)
			return "is negative: a negative quantity (a "
			       "cancellation or a return) is not an order "
			       "line";
		return "must be at least 1";
	}
	dot = strchr(num, '.');
	if (dot)
		for (p = dot + 1; *p; p++)
			if (*p != '0')
				return "must be a whole number";
	for (p = num; *p && *p != '.'; p++) {
		n = n * 10 + (*p - '0');
		if (n > ORDO_MAX_QUANTITY)
			break;
	}
	if (n < 1)
		return "must be at least 1";
	if (n > ORDO_MAX_QUANTITY)
		return "is more than ordo's largest quantity "
		       "(ORDO_MAX_QUANTITY)";
	*out = n;
	return NULL;
}

/* Money, never negative, in currency. Returns NULL or why not (into
 * why_buf). */
static const char *money_value(const char *v, char decimal,
			       const char *currency, int64_t *out,
			       char *why_buf, size_t why_size)
{
	char num[CSV_NUMBER_MAX];
	const char *why = number_normalise(v, decimal, num, sizeof(num));
	int exponent = money_currency_exponent(currency);
	ordo_err one = ORDO_ERR_INIT;
	char *dot;

	if (why)
		return why;
	/* Zeros past the currency's decimals say nothing ("2.550" pence,
	 * "1000.00" yen); any other digit there is refused. */
	dot = strchr(num, '.');
	if (dot && strlen(dot + 1) > (size_t)exponent) {
		size_t i, decimals = strlen(dot + 1);

		for (i = (size_t)exponent; i < decimals; i++)
			if (dot[1 + i] != '0')
				break;
		if (i == decimals)
			dot[exponent == 0 ? 0 : 1 + exponent] = '\0';
	}
	if (money_parse(num, currency, false, out, "", &one) != ORDO_OK) {
		ordo_strlcpy(why_buf, one.message, why_size);
		ordo_err_clear(&one);
		return why_buf;
	}
	return NULL;
}

/* 1..max digits at *p into *val; returns how many (0: none). */
static int digits_read(const char **p, int max, int *val)
{
	int n = 0, v = 0;

	while (n < max && is_digit(**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*val = v;
	return n;
}

static bool ascii_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (ascii_lower(*s) != *prefix)
			return false;
	return true;
}

/*
 * A date, with or without a time and an offset (see csv.h), into UTC
 * seconds. Returns NULL or why it is not one.
 */
static const char *time_value(const char *v, csv_date_order dorder,
			      int64_t *out)
{
	static const char *const malformed =
		"is not a date ordo reads (\"2010-12-01\", \"2010-12-01 "
		"08:26:00\", \"2010-12-01T08:26:00Z\", or day, month and "
		"year in the mapping's date_order: \"01.12.2010\", "
		"\"12/1/2010 8:26\")";
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31};
	const char *p = v;
	int a, b, c, na, nb, nc, y, m, d;
	int hh = 0, mi = 0, ss = 0, off = 0;
	char sep;
	unsigned dim;

	na = digits_read(&p, 4, &a);
	sep = *p;
	if (na == 0 || (sep != '-' && sep != '/' && sep != '.'))
		return malformed;
	p++;
	nb = digits_read(&p, 2, &b);
	if (nb == 0 || *p != sep)
		return malformed;
	p++;
	nc = digits_read(&p, 4, &c);
	if (nc == 0 || is_digit(*p))
		return malformed;
	if (na == 4) {
		if (nc > 2)
			return malformed;
		y = a;
		m = b;
		d = c;
	} else if (nc == 4) {
		if (dorder == CSV_DATE_YMD)
			return "has its year last; set the mapping's "
			       "date_order to \"dmy\" or \"mdy\"";
		y = c;
		m = dorder == CSV_DATE_DMY ? b : a;
		d = dorder == CSV_DATE_DMY ? a : b;
	} else {
		return "must have a four-digit year";
	}
	if (y < 1 || m < 1 || m > 12)
		return "is not a date (no such month)";
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	if (d < 1 || (unsigned)d > dim)
		return "is not a date (no such day in its month)";

	if (*p == 'T' || *p == 't' || *p == ' ') {
		int nh;

		while (*p == ' ')
			p++;
		if (*p == 'T' || *p == 't')
			p++;
		nh = digits_read(&p, 2, &hh);
		if (nh == 0 || *p != ':')
			return malformed;
		p++;
		if (digits_read(&p, 2, &mi) != 2)
			return malformed;
		if (*p == ':') {
			p++;
			if (digits_read(&p, 2, &ss) != 2)
				return malformed;
			if (*p == '.' || *p == ',') {
				p++;
				if (!is_digit(*p))
					return malformed;
				while (is_digit(*p))
					p++;
			}
		}
		while (*p == ' ')
			p++;
		if (ascii_prefix(p, "am") || ascii_prefix(p, "pm")) {
			bool pm = ascii_lower(*p) == 'p';

			if (hh < 1 || hh > 12)
				return "is not a time (an AM/PM hour is 1 to "
				       "12)";
			hh = hh % 12 + (pm ? 12 : 0);
			p += 2;
			while (*p == ' ')
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (ascii_prefix(p, "utc") || ascii_prefix(p, "gmt")) {
			p += 3;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om = 0;

			p++;
			if (digits_read(&p, 2, &oh) != 2)
				return malformed;
			if (*p == ':')
				p++;
			if (is_digit(*p) && digits_read(&p, 2, &om) != 2)
				return malformed;
			if (oh > 23 || om > 59)
				return "has an offset out of range";
			off = sign * (oh * 3600 + om * 60);
		}
		if (*p)
			return malformed;
		if (hh > 23 || mi > 59 || ss > 59)
			return "is not a time (hours 0-23, minutes and "
			       "seconds 0-59)";
	} else if (*p) {
		return malformed;
	}
	*out = time_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 +
	       hh * 3600 + mi * 60 + ss - off;
	return NULL;
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
			if (!ascii_caseeq(st->columns[i], want))
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
					     delimiter_name(st->delim), list);
			else
				ordo_err_add(err, ORDO_EINVALID, path,
					     "\"%s\" is not a column of the "
					     "file; the header (read with "
					     "delimiter %s) has: %s",
					     want, delimiter_name(st->delim),
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
		rc = record_read(rd, r, &got, err);
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
		st->columns[i] = strdup(record_cell(r, (int)i));
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

		rc = record_read(rd, r, &got, err);
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
		id = record_cell(r, id_col);
		if (value_absent(id)) {
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
	v = record_cell(r, b->st->col[f]);
	return value_absent(v) ? NULL : v;
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
	why = money_value(v, b->st->map->decimal, b->currency, &amount,
			  why_buf, sizeof(why_buf));
	if (why) {
		problem(b, r->line, b->st->col[f], "%s %s",
			quoted(v, q, sizeof(q)), why);
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
	b->country_code = country_code(v);
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
		if (record_cell(r, (int)c)[0]) {
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
			ascii_upper_inplace(cur);
		}
		if (!money_currency_known(cur)) {
			problem(b, r->line, st->col[CSV_F_CURRENCY],
				"%s is not an ISO 4217 currency code",
				quoted(v, q, sizeof(q)));
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

		why = time_value(v, map->date_order, &t);
		if (why)
			problem(b, r->line, st->col[CSV_F_PLACED_AT], "%s %s",
				quoted(v, q, sizeof(q)), why);
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
				quoted(v, q, sizeof(q)));
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
	else if ((why = quantity_parse(v, map->decimal, &l->quantity)))
		problem(b, r->line, st->col[CSV_F_QUANTITY], "%s %s",
			quoted(v, q, sizeof(q)), why);
	v = field_value(b, r, CSV_F_UNIT_PRICE);
	if (!v)
		problem(b, r->line, st->col[CSV_F_UNIT_PRICE],
			"is empty: a line needs its price (write 0 for a "
			"free item)");
	else if ((why = money_value(v, map->decimal, b->currency,
				    &l->unit_price, why_buf,
				    sizeof(why_buf))))
		problem(b, r->line, st->col[CSV_F_UNIT_PRICE], "%s %s",
			quoted(v, q, sizeof(q)), why);

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
			lower[k] = ascii_lower(lower[k]);
		if (payment_status_parse(lower, &p) != 0) {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list), payment_status_name,
				     PAYMENT_STATUS_COUNT);
			problem(b, r->line, st->col[CSV_F_PAYMENT_STATUS],
				"%s is not a payment status; one of: %s",
				quoted(v, q, sizeof(q)), list);
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

		rc = record_read(&rd, r, &got, err);
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
	record_free(&st->rec);
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

	rc = text_prepare(buf ? buf : "", len, &st.text, err);
	if (rc != ORDO_OK)
		goto out;
	sum->converted = st.text.owned != NULL;
	st.delim = map->delimiter ? map->delimiter
				  : delimiter_detect(st.text.text, st.text.len);
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
	rc = text_prepare(buf ? buf : "", len, &text, err);
	if (rc != ORDO_OK)
		return rc;
	rd.text = text.text;
	rd.len = text.len;
	rd.delim = delimiter_detect(text.text, text.len);
	rd.pos = 0;
	rd.line = 1;
	while (rc == ORDO_OK) {
		rc = record_read(&rd, &r, &got, err);
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
			cells[i] = value_absent(record_cell(&r, (int)i))
					   ? ""
					   : record_cell(&r, (int)i);
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
	record_free(&r);
	free(text.owned);
	return rc;
}
