/*
 * x12.h - EDI ANSI X12 interchanges (versions 004010 and 005010, and the
 * older ones partners still send): 850 purchase orders into ordo orders,
 * 860 purchase order changes into changes of them, and the replies ordo sends back, the 997 functional acknowledgment (with
 * a TA1 when the interchange envelope is at fault) and the 855 purchase
 * order acknowledgment.
 *
 * Everything works on a buffer alone: no storage, no clock (the caller
 * gives the time), no global state. The reader is meant to be fed any
 * bytes at all (it is fuzzed): every refusal names where it is and why.
 *
 * READING (x12_read)
 *
 * A file holds one or more interchanges (ISA ... IEA), each one or more
 * functional groups (GS ... GE), each one or more transaction sets
 * (ST ... SE). The ISA is fixed-width, 106 characters: the character after
 * "ISA" is the element separator, ISA16 the component separator, the
 * character after ISA16 the segment terminator; for ISA12 00402 and later
 * ISA11 is the repetition separator (before that it is the standards
 * identifier, "U"). Each interchange names its own separators. A UTF-8 BOM
 * and white space may come before an ISA; CR, LF and indentation may
 * follow any segment terminator (a terminator that is itself CR or LF
 * included); the last segment of the file may lack its terminator.
 *
 * Elements are never split on the repetition separator: no element ordo
 * reads repeats, and partners who write "U" there out of 4010 habit (the
 * Stedi 5010 sample does) would otherwise have every "U" in their data cut.
 *
 * Checked, each with the segment number (1-based from the file's first
 * segment, across interchanges) and, in a set, the position in it (ST is
 * 1): IEA01 = the number of groups, IEA02 = ISA13, GE01 = the number of
 * sets, GE02 = GS06, SE01 = the number of segments of the set (ST and SE
 * included), SE02 = ST02; every trailer present; segment IDs well formed;
 * no control character or invalid UTF-8 in any element; the X12_MAX_*
 * limits below. Control numbers are compared as numbers (IEA02 "3438"
 * closes ISA13 "000003438", as one real sample writes it); SE02 and ST02
 * as text. A set's GS01 need not match its type (two real samples carry
 * 850s in "IN" and "OW" groups): a set is read by its ST01.
 *
 * 850 PURCHASE ORDERS
 *
 * Every 850 set is decoded while reading (see x12_850.c for the mapping of
 * each segment). It becomes one order (x12_set_order) or a list of
 * problems, never half: an order is given only for a set with no problem
 * of its own, none in its group's envelope and none in its interchange's.
 * Other set types are recognised (x12_set_type_name) and reported as not
 * orders; they are acknowledged in the 997 like any set. The caller keys
 * duplicates on the sender (interchange sender_qualifier and sender, ISA05
 * and ISA06) with the PO number (set po_number, the order's external_id),
 * and on the interchange control number (interchange control, ISA13).
 *
 * PROBLEMS
 *
 * Each problem has a level and the X12 code a reply needs at that level:
 *
 *   X12_LEVEL_FILE         no code: outside any interchange (a file over
 *                          a limit, bytes where an ISA should be)
 *   X12_LEVEL_INTERCHANGE  TA1-05 interchange note code (element I18),
 *                          e.g. 1 = IEA02 does not match ISA13, 21 = IEA01
 *                          wrong, 23 = the file ends before the IEA
 *   X12_LEVEL_GROUP        AK9-05 functional group syntax error code
 *                          (716): 3 GE missing, 4 GE02 != GS06, 5 GE01
 *                          wrong
 *   X12_LEVEL_SET          AK5-02 transaction set syntax error code (718):
 *                          2 SE missing, 3 SE02 != ST02, 4 SE01 wrong,
 *                          6 bad ST01, 7 bad ST02, 23 ST02 not unique
 *   X12_LEVEL_SEGMENT      AK3-04 segment syntax error code (720): 1
 *                          unrecognized segment ID, 2 unexpected, 3
 *                          mandatory segment missing, 4 loop over its
 *                          maximum, 5 segment over its maximum use, 7 not
 *                          in proper sequence, 8 element errors
 *   X12_LEVEL_ELEMENT      AK4-03 data element syntax error code (723): 1
 *                          mandatory missing, 2 conditional required
 *                          missing, 3 too many elements, 4 too short, 5
 *                          too long, 6 invalid character, 7 invalid code
 *                          value, 8 invalid date, 9 invalid time; its
 *                          segment's AK3-04 is 8. Code 0 is a value X12's
 *                          syntax allows but ordo cannot take (a quantity
 *                          of zero, a CTT01 that does not count the PO1
 *                          lines): the 997 writes the AK3 with code 8 and
 *                          no AK4, since no AK4 code says it.
 *
 * REPLIES (x12_997_build, x12_855_build)
 *
 * A reply is a whole interchange in the original's separators, with the
 * original's ISA11, ISA12 and ISA15, sender and receiver swapped (ISA05/06
 * with ISA07/08, GS02 with GS03), control numbers and time from the
 * caller, each segment ended by the terminator and, optionally, "\n" (not
 * after a terminator that is itself a line feed).
 *
 * The 997: for an interchange whose ISA could be read, one 997 per named
 * group (AK1 GS01 GS06; per set AK2 ST01 ST02, AK3/AK4 for each segment and
 * element at fault, AK5 A or R with its codes; AK9 A, P or R with the
 * counts and codes). A set is "A" exactly when x12_set_order would give its
 * order (sets of other types: when their envelope is sound). When the
 * interchange itself is at fault (a field of the ISA, IEA01, IEA02, a
 * missing IEA, a GS that cannot be named) the reply starts with a TA1
 * rejecting it with the note code, and every set in it is "R". A TA1 "A"
 * is also sent when ISA14 asks for one. An ISA that cannot be read at all
 * (cut short, not fixed-width, a bad separator, unusable sender, receiver
 * or control number) leaves no one to answer: x12_997_build refuses, and
 * the interchange's problem carries the TA1 note code for the caller to
 * log or report by other means.
 *
 * The 855: for one 850 set and ordo's answer per line (x12_855_answer):
 * BAK (00; AD when every line is accepted as ordered, RD when every line
 * is rejected, AC otherwise, RJ with no lines at all), each PO1 echoed as
 * the partner wrote it followed by its ACK (IA, IQ, IB, IR), CTT, in the
 * 850's version (its ISA12 and GS08).
 *
 * OWNERSHIP
 *
 * x12_doc is the caller's (x12_doc_init, x12_doc_free); x12_read fills it
 * with a copy of the input and everything found in it, all owned by the
 * doc. The builders return malloc'd text the caller frees.
 */
#ifndef ORDO_CHANNELS_X12_H
#define ORDO_CHANNELS_X12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/channel.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/order.h"
#include "core/order_change.h"

/*
 * LIMITS. Past one, what it bounds is refused, naming the limit.
 *
 * A file is a request body: a 500-line 850 is about 40 KiB, so the body
 * limit holds a batch of them. Past X12_MAX_FILE_BYTES or
 * X12_MAX_SEGMENTS the whole file is refused (nothing in it is taken):
 * 50,000 segments is more than a full file of short segments holds and
 * bounds the segment index to under a MiB. No standard segment ordo meets
 * has more than 30 elements (ACK has 29), and no element ordo reads is
 * longer than 264 bytes (MSG01): a segment past X12_MAX_ELEMENTS, or an
 * element past X12_MAX_ELEMENT_BYTES, is an error in its set (AK4 code 3
 * or 5). At most X12_MAX_PROBLEMS problems are kept per file; the rest
 * are counted (each owner's n_problems counts them all).
 */
#define X12_MAX_FILE_BYTES ORDO_MAX_BODY_BYTES
#define X12_MAX_SEGMENTS 50000
#define X12_MAX_ELEMENTS 64
#define X12_MAX_ELEMENT_BYTES 512
#define X12_MAX_PROBLEMS 256

/* No index: a problem outside any set, group or interchange. */
#define X12_NONE ((size_t)-1)

/* Room for AK4-04, the copy of the bad element (X12 allows 99). */
#define X12_VALUE_MAX 100

typedef enum {
	X12_LEVEL_FILE,
	X12_LEVEL_INTERCHANGE,
	X12_LEVEL_GROUP,
	X12_LEVEL_SET,
	X12_LEVEL_SEGMENT,
	X12_LEVEL_ELEMENT
} x12_level;

typedef struct {
	x12_level level;
	int code; /* the X12 code of its level (see PROBLEMS above) */
	bool limit; /* over one of the X12_MAX_* limits or ORDO_MAX_LINES */
	/* Where it belongs: indexes into the doc's arrays, X12_NONE above
	 * the problem's level. */
	size_t interchange, group, set;
	size_t segment;	 /* 1-based in the file; 0: the file's end */
	size_t position; /* 1-based in its set (ST = 1); 0 outside a set */
	char segment_id[4];
	unsigned element;   /* 1-based; 0: the segment as a whole */
	unsigned component; /* 1-based; 0: none */
	char value[X12_VALUE_MAX]; /* the element at fault ("" when none) */
	char reason[ORDO_MESSAGE_MAX];
} x12_problem;

/* One segment of the file: where it is in the doc's text (terminator
 * excluded), its ID ("" when malformed) and its number of elements. */
typedef struct {
	size_t offset, len;
	char id[4];
	char element_sep;
	unsigned n_elements;
} x12_segment;

typedef struct {
	/* The separators, sender, receiver and control number could be
	 * read: a reply can be addressed. */
	bool readable;
	char element_sep, component_sep, segment_term;
	char repetition_sep; /* 0 before 00402, or when ISA11 is no separator */
	char isa[17][16];    /* isa[1..16]: ISA01..ISA16 as written */
	char sender_qualifier[3], sender[16];	  /* ISA05, ISA06, trimmed */
	char receiver_qualifier[3], receiver[16]; /* ISA07, ISA08 */
	char version[6];			  /* ISA12 */
	char control[10];			  /* ISA13 */
	size_t segment;				  /* index of its ISA */
	size_t first_group, n_groups;
	bool has_trailer; /* IEA seen */
	size_t n_problems; /* of this level */
} x12_interchange;

typedef struct {
	size_t interchange;
	bool named; /* GS01 and GS06 usable, so a 997 can name it */
	char id[3];	      /* GS01 */
	char sender[16];      /* GS02 */
	char receiver[16];    /* GS03 */
	char control[10];     /* GS06 */
	char agency[3];	      /* GS07 */
	char version[13];     /* GS08, e.g. "004010VICS" */
	unsigned date_digits; /* of GS04: 8 (CCYYMMDD) or 6 */
	int64_t declared_sets; /* GE01, -1 when absent or not a number */
	size_t segment;	       /* index of its GS */
	size_t first_set, n_sets;
	bool has_trailer;
	size_t n_problems;
} x12_group;

typedef enum {
	X12_SET_ORDER,	   /* an 850 */
	X12_SET_NOT_ORDER, /* a type ordo knows that is not an order */
	X12_SET_UNKNOWN	   /* a type ordo does not know */
} x12_set_kind;

typedef struct {
	size_t group;
	char id[4];	  /* ST01, e.g. "850" */
	char control[10]; /* ST02 */
	x12_set_kind kind;
	size_t first;	 /* index of its ST */
	size_t end;	 /* index past its last segment (its SE if any) */
	bool has_trailer;
	/* An 850's BEG (or "" when it has none): BEG01 purpose ("00"
	 * original, "01" cancellation, "05" replace, ...), BEG02 type ("SA"
	 * stand-alone, "DS" drop ship, ...), BEG03 PO number. */
	char purpose[3], po_type[3];
	char po_number[ORDO_EXTERNAL_ID_MAX];
	size_t n_lines; /* an 850's PO1 segments */
	size_t n_problems; /* of its own (set, segment, element level) */
	/* No problem of its own, nor in its group or interchange: an 850's
	 * order can be taken; any set is "A" in the 997. */
	bool accepted;
} x12_set;

typedef struct {
	char *text; /* a copy of the input, NUL-terminated; owned */
	size_t len;
	size_t n_segments;
	x12_segment *segments;
	size_t n_interchanges;
	x12_interchange *interchanges;
	size_t n_groups;
	x12_group *groups;
	size_t n_sets;
	x12_set *sets;
	/* Kept in file order (by segment); at most X12_MAX_PROBLEMS. */
	size_t n_problems;
	x12_problem *problems;
	size_t n_file_problems; /* of X12_LEVEL_FILE, dropped ones too */
	size_t n_dropped;	/* problems not kept */
	bool refused; /* over X12_MAX_FILE_BYTES or X12_MAX_SEGMENTS */
} x12_doc;

/* An empty doc. */
void x12_doc_init(x12_doc *d);
/* Free everything the doc holds and make it empty. Safe on an empty doc. */
void x12_doc_free(x12_doc *d);

/*
 * Read the len bytes at buf (any bytes; NUL is not an end) into d
 * (x12_doc_init'ed, freed by the caller with x12_doc_free whatever the
 * result; read into it once). Every 850 is decoded with ch (its SKU
 * mapping and default currency; a zeroed channel has neither).
 *
 * Returns ORDO_OK when nothing at all is wrong (sets of other types are
 * not problems); ORDO_EINVALID when anything is, with one detail per
 * problem in err (field "segment N" or "segment N PO1-03", the reason as
 * message); ORDO_ELIMIT when anything is over a limit; ORDO_ENOMEM. Apart
 * from ORDO_ENOMEM, d holds what was found whatever the result, so that
 * the 997 can be built from it.
 */
ordo_code x12_read(const char *buf, size_t len, const ordo_channel *ch,
		   x12_doc *d, ordo_err *err);

/* A set type's name ("Purchase Order" for "850"), or NULL when ordo does
 * not know the type. */
const char *x12_set_type_name(const char *st01);

/* "file", "interchange", "group", "set", "segment", "element". */
const char *x12_level_name(x12_level level);

/*
 * The order of set `set` of d (an index into d->sets) into o
 * (order_init'ed, freed by the caller with order_free whatever the
 * result), decoded with the same channel x12_read was given. ch->name
 * becomes o->channel, the set's text (ST to SE) o->source with source_type
 * "application/edi-x12"; lines have all units open; id, tenant and times
 * of receipt are the caller's. A set that is not an 850 is ORDO_EINVALID;
 * one that is not accepted is refused with its problems (and those of its
 * group and interchange) as details: never half an order.
 */
ordo_code x12_set_order(const x12_doc *d, size_t set, const ordo_channel *ch,
			order *o, ordo_err *err);

/* What a reply needs from the caller. */
typedef struct {
	/* ISA13 and IEA02 of the reply: 1 .. 999999999. */
	int64_t interchange_control;
	/* GS06 and GE02 of the reply's first group; the next one is one
	 * more, and so on: 1 .. 999999999 for every group. */
	int64_t group_control;
	ordo_time now; /* ISA09/ISA10, GS04/GS05, BAK09 (UTC) */
	bool newline;  /* "\n" after each segment terminator */
} x12_reply_opts;

/*
 * The 997 (with a TA1 where the interchange is at fault, see REPLIES
 * above) for interchange `interchange` of d, as one interchange of text:
 * *out (malloc'd, NUL-terminated, the caller frees) and *out_len. A
 * reply with no group (a TA1 alone) is possible. Refused: an index out of
 * range, options out of range, an interchange whose ISA could not be read
 * (ORDO_EINVALID, naming why); ORDO_ENOMEM.
 */
ordo_code x12_997_build(const x12_doc *d, size_t interchange,
			const x12_reply_opts *opts, char **out, size_t *out_len,
			ordo_err *err);

/* ordo's answer to one PO1 line. */
typedef enum {
	X12_LINE_ACCEPTED,	   /* ACK IA, with the quantity ordered */
	X12_LINE_QUANTITY_CHANGED, /* ACK IQ, with `quantity` */
	X12_LINE_BACKORDERED,	   /* ACK IB, with `quantity` and `date` */
	X12_LINE_REJECTED	   /* ACK IR, with quantity 0 */
} x12_line_answer;

typedef struct {
	x12_line_answer answer;
	/* Units confirmed (QUANTITY_CHANGED, 1 .. ORDO_MAX_QUANTITY) or
	 * backordered (BACKORDERED, 1 .. ORDO_MAX_QUANTITY); unused
	 * otherwise. */
	int64_t quantity;
	/* BACKORDERED: when the units are expected to ship (ACK04 068,
	 * ACK05), 0 for no date; unused otherwise. */
	ordo_time date;
} x12_855_line;

typedef struct {
	/* One answer per PO1 of the 850, in order; or none at all (n_lines
	 * 0): the whole order rejected, BAK02 RJ, no lines echoed. */
	size_t n_lines;
	const x12_855_line *lines;
	/* BAK08, the seller's order number (ordo's order id); NULL or ""
	 * for none. At most 30 characters, none of them a separator. */
	const char *order_id;
} x12_855_answer;

/*
 * The 855 for 850 set `set` of d (whose BEG gave a PO number and date),
 * as one interchange of text: *out (malloc'd, NUL-terminated, the caller
 * frees) and *out_len. Refused (ORDO_EINVALID, naming why): a set that is
 * not an 850 or has no usable BEG, an interchange whose ISA could not be
 * read, a group that cannot be named, a number of answers other than 0 or
 * the set's PO1 count, an answer out of range, options out of range;
 * ORDO_ENOMEM.
 */
ordo_code x12_855_build(const x12_doc *d, size_t set,
			const x12_855_answer *answer,
			const x12_reply_opts *opts, char **out, size_t *out_len,
			ordo_err *err);

/* Element el (1-based) of segment seg as text, trimmed, in buf (cut to
 * fit size); the trimmed length before any cut, 0 when absent or empty. */
size_t x12_element(const x12_doc *d, size_t seg, unsigned el, char *buf,
		   size_t size);

/* The product ID qualifiers ordo reads (element 235), in the order a
 * line's SKU is looked for: first a code the channel's mapping names, in
 * x12_sku_mapped_order, then a code taken as the SKU itself, in
 * x12_sku_plain_order. */
#define X12_PRODUCT_QUALIFIERS 17
extern const char *const x12_sku_mapped_order[X12_PRODUCT_QUALIFIERS];
extern const char *const x12_sku_plain_order[X12_PRODUCT_QUALIFIERS];

/*
 * SHIP NOTICES (x12_set_notices, x12_ship.c)
 *
 * What left a warehouse, as it reports it: an 856 ship notice or a 945
 * warehouse shipping advice becomes one notice per order it ships.
 *
 *   856  one per order level (HL03 "O"); the order is its PRF01 (the
 *        buyer's PO number, or the ordo order id a 940 gave). Carrier:
 *        TD503 (the SCAC), else TD505 (routing). Tracking: REF 2I
 *        (tracking number), else CN (carrier's reference), else BM (bill
 *        of lading), else BSN02 (the shipment's ID); shipped: DTM 011.
 *        Read at the shipment level (before the first order level) and
 *        within the order's own. Lines: each item's LIN (LIN01 the
 *        line's ID, then qualifier / product ID pairs) with its SN1
 *        (SN101 the line's ID when LIN gave none, SN102 units shipped).
 *   945  one per set; the order is W0602 (the depositor's order number:
 *        the ordo order id a 940 gave), else W0606 (the PO number).
 *        Carrier: W2702, else W2703. Tracking: N9 2I, CN or BM, else
 *        W0604; shipped: G62 11, else W0603. Lines: each W12's units
 *        shipped (W1203) with its pairs W1207/W1208 and W1216/W1217, and
 *        W1206 (UPC case code) as UK.
 *
 * A line shipping no unit is left out. A notice ordo cannot read as a
 * shipment (a quantity that is not a whole number, no order named, no
 * line) carries why in `problem`, with the segment at fault.
 */
#define X12_NOTICE_IDS 8 /* product ID pairs kept per line */

typedef struct {
	char q[3];
	char id[ORDO_CHANNEL_CODE_MAX];
} x12_product_id;

typedef struct {
	char line_id[ORDO_EXTERNAL_ID_MAX]; /* the partner's line ID, "" */
	x12_product_id ids[X12_NOTICE_IDS];
	size_t n_ids;
	int64_t quantity;
	size_t segment; /* its SN1 or W12, 1-based in the file */
} x12_notice_line;

typedef struct {
	size_t segment; /* its HL or W06, 1-based in the file */
	char order_ref[ORDO_EXTERNAL_ID_MAX];
	char carrier[ORDO_METHOD_MAX];
	char tracking[ORDO_EXTERNAL_ID_MAX];
	int64_t shipped_at; /* UTC seconds; 0 when not said */
	size_t n_lines;
	x12_notice_line *lines; /* owned */
	char problem[ORDO_MESSAGE_MAX]; /* "" = none */
} x12_notice;

/* Whether set `set` of d is a ship notice (856) or advice (945). */
bool x12_set_is_notice(const x12_doc *d, size_t set);
/* The notices of set `set` (an 856 or 945) into *out (n of them; free
 * with x12_notices_free). ORDO_EINVALID for another set; ORDO_ENOMEM. */
ordo_code x12_set_notices(const x12_doc *d, size_t set, x12_notice **out,
			  size_t *n, ordo_err *err);
void x12_notices_free(x12_notice *v, size_t n);
/* The SKU a notice line names: a code of the channel's mapping first,
 * then a code taken as the SKU itself (the qualifier orders above); false
 * when it names none. */
bool x12_notice_line_sku(const ordo_channel *ch, const x12_notice_line *l,
			 char *sku, size_t size);
/* The same for any n product ID pairs. */
bool x12_ids_sku(const ordo_channel *ch, const x12_product_id *ids, size_t n,
		 char *sku, size_t size);

/*
 * 860 PURCHASE ORDER CHANGES (x12_change.c)
 *
 * A buyer's 860 read as the changes it asks of the order its 850 placed:
 *
 *   BCH   BCH01 purpose: 01 cancellation (the whole order), 04 change;
 *         another (05 replace, ...) asks nothing ordo takes (`problem`);
 *         BCH03 the PO number, the order's external id
 *   N1    ST loop (N1-02 name, N2, N3 lines, N4 city, state, postal code,
 *         country): a new ship-to address, whole
 *   POC   POC01 the line's ID (its PO1-01 in the 850), POC02 the change:
 *         AI a line added, DI a line deleted, QD QI QC CA PQ its quantity
 *         (POC03, the quantity now ordered); PC (price only) asks nothing
 *         ordo takes - ordo keeps the price ordered - and neither does
 *         another code (`problem` of the line); POC06 an added line's
 *         unit price, POC08/09, 10/11, ... its product ID pairs
 *   PID   PID05 an added line's title
 *
 * x12_changes_of() turns them into ordo's changes of the order as ordo
 * has it: lines found by their ID, a new line's SKU as an 850's is read.
 */
typedef struct {
	size_t segment;			    /* its POC, 1-based in the file */
	char code[3];			    /* POC02 */
	char line_id[ORDO_EXTERNAL_ID_MAX]; /* POC01 */
	int64_t quantity;		    /* POC03; -1 when not given */
	char price[32];			    /* POC06 as written, or "" */
	x12_product_id ids[X12_NOTICE_IDS];
	size_t n_ids;
	char title[ORDO_TITLE_MAX]; /* PID05 */
	char problem[ORDO_MESSAGE_MAX]; /* "" = none */
} x12_change_line;

typedef struct {
	char purpose[3]; /* BCH01 */
	char po_number[ORDO_EXTERNAL_ID_MAX];
	bool has_ship_to;
	order_address ship_to;
	char ship_to_problem[ORDO_MESSAGE_MAX]; /* "" = none */
	size_t n_lines;
	x12_change_line *lines;	       /* owned */
	char problem[ORDO_MESSAGE_MAX]; /* of the set; "" = none */
} x12_po_change;

/* Whether set `set` of d is an 860. */
bool x12_set_is_change(const x12_doc *d, size_t set);
/* Read 860 set `set` into *c (x12_po_change_free it). ORDO_EINVALID for
 * another set; ORDO_ENOMEM. */
ordo_code x12_set_change(const x12_doc *d, size_t set, x12_po_change *c,
			 ordo_err *err);
void x12_po_change_free(x12_po_change *c);

/*
 * The changes c asks of o (the order its PO number names), into out (at
 * most max, *n of them): a cancellation, or each line's change then the
 * address. What cannot be asked (a line o lacks, a code ordo does not
 * take, an added line naming no product) is said in not_applied ("what:
 * why; ...", "" when all was taken).
 */
void x12_changes_of(const x12_po_change *c, const order *o,
		    const ordo_channel *ch, order_change *out, size_t max,
		    size_t *n, char *not_applied, size_t size);

/*
 * OUTBOUND (x12_out.c)
 *
 * The 855 of an order as it stands, made again from the 850 it came in
 * (source, the order's source text; the set whose PO number is
 * po_number): lines in the 850's order, x12_line_answer_of each, or none
 * at all for an order rejected whole. ISA13 and GS06 are control
 * (taken modulo 999999999, plus 1).
 */
x12_855_line x12_line_answer_of(int64_t quantity, int64_t open,
			     int64_t cancelled);
ordo_code x12_855_of(const char *source, const char *po_number,
		     const char *order_id, const x12_855_line *lines,
		     size_t n_lines, int64_t control, ordo_time now,
		     char **out, size_t *out_len, ordo_err *err);

/* The depositor order number ordo gives an order in a 940 (W0502, at
 * most 22): "ORDO" and its seq; x12_depositor_seq reads one back (0 when
 * ref is none). */
#define X12_DEPOSITOR_REF_MAX 24
void x12_depositor_ref(int64_t seq, char out[X12_DEPOSITOR_REF_MAX]);
int64_t x12_depositor_seq(const char *ref);

/* Whether s is an ISA identity as a channel names it: "QQ:ID", the
 * qualifier (ISA05/ISA07, 2 letters or digits) and the ID (1 to 15), printable
 * ASCII with none of the separators ordo writes ("*~>") nor "^|". */
bool x12_edi_id_ok(const char *s);

/*
 * The 940 warehouse shipping order that hands a fulfillment to a
 * warehouse, or takes it back (cancel), 004010, separators "*", ">" and
 * "~" (each segment on a line of its own): ISA/GS (OW) from sender to
 * receiver ("QQ:ID" each), W05 (N, or F to cancel; W0502 the depositor
 * order number, x12_depositor_ref of the order, which the warehouse's 945
 * names back; W0503 the PO number, when it fits its 22), N1 ST (the
 * ship-to name, else the order id) with N3/N4 when the address has them
 * (a region of more than 2 letters left out), N9 CO the ordo order id, N9
 * ZZ the shipping method, G62 10 the date, per line LX, W01 (quantity,
 * EA, VN and the SKU) and G69 (the title), W76 the units in all. Text is
 * cut to each element's width and its separators become spaces. ISA13 is
 * control, 1 .. 999999999 (a larger number is taken modulo).
 */
typedef struct {
	const char *sku, *title;
	int64_t quantity;
} x12_940_line;

typedef struct {
	const char *sender, *receiver; /* "QQ:ID" */
	int64_t control;
	ordo_time now;
	bool cancel;
	const char *depositor_ref, *order_id, *po_number;
	const char *ship_to_name;
	const order_address *ship_to;
	const char *method; /* "" = none */
	size_t n_lines;
	const x12_940_line *lines;
} x12_940_order;

ordo_code x12_940_build(const x12_940_order *o, char **out, size_t *out_len,
			ordo_err *err);

#endif
