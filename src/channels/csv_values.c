/*
 * csv_values.c - the values of an order file's cells: countries by code
 * or name, quantities, money and dates as files write them, and a value
 * quoted for a message. See csv_int.h.
 */
#include "channels/csv.h"
#include "channels/csv_int.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"

/* A value quoted for a message: at most CSV_QUOTE_MAX bytes, cut between
 * characters, "..." when cut. */
const char *csv_quoted(const char *s, char *buf, size_t size)
{
	char cut[CSV_QUOTE_MAX + 1];

	if (ordo_strlcpy(cut, s, sizeof(cut)) != 0)
		snprintf(buf, size, "\"%s...\"", cut);
	else
		snprintf(buf, size, "\"%s\"", cut);
	return buf;
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
		if (csv_ascii_lower(*a) != csv_ascii_lower(*b))
			return false;
		a++;
		b++;
	}
}

/* The alpha-2 code of a country written as a code (alpha-2 or -3, any
 * case) or a name, or NULL when ordo does not know it. */
const char *csv_country_code(const char *s)
{
	size_t i, len = strlen(s);

	for (i = 0; i < ALIAS_COUNT; i++)
		if (country_name_eq(s, country_aliases[i].name))
			return country_aliases[i].code;
	for (i = 0; i < COUNTRY_COUNT; i++) {
		if ((len == 2 && csv_ascii_caseeq(s, countries[i].code)) ||
		    (len == 3 && csv_ascii_caseeq(s, countries[i].alpha3)) ||
		    country_name_eq(s, countries[i].name))
			return countries[i].code;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

bool csv_value_absent(const char *v)
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

		if (csv_is_digit(*s)) {
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
const char *csv_quantity_parse(const char *v, char decimal, int64_t *out)
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
const char *csv_money_value(const char *v, char decimal,
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

	while (n < max && csv_is_digit(**p)) {
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
		if (csv_ascii_lower(*s) != *prefix)
			return false;
	return true;
}

/*
 * A date, with or without a time and an offset (see csv.h), into UTC
 * seconds. Returns NULL or why it is not one.
 */
const char *csv_time_value(const char *v, csv_date_order dorder,
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
	if (nc == 0 || csv_is_digit(*p))
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
				if (!csv_is_digit(*p))
					return malformed;
				while (csv_is_digit(*p))
					p++;
			}
		}
		while (*p == ' ')
			p++;
		if (ascii_prefix(p, "am") || ascii_prefix(p, "pm")) {
			bool pm = csv_ascii_lower(*p) == 'p';

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
			if (csv_is_digit(*p) && digits_read(&p, 2, &om) != 2)
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
