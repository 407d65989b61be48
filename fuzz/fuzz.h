/*
 * fuzz.h - what the fuzz targets share (common.c): libFuzzer's entry point,
 * a channel to decode with, and what ordo does next with an order a parser
 * made, so that a parser's output is fuzzed as well as its input.
 *
 * Every target runs under AddressSanitizer, UndefinedBehaviorSanitizer and
 * libFuzzer's leak check: a crash, an assertion, undefined behaviour or a
 * leak fails it. What a target checks besides (a round trip, an invariant)
 * it checks with FUZZ_CHECK, which aborts with the condition.
 */
#ifndef ORDO_FUZZ_FUZZ_H
#define ORDO_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/channel.h"
#include "core/order.h"
#include "core/order_change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: abort, naming it, when it fails. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n",           \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* The data as a NUL-terminated string (malloc'd; the caller frees). */
char *fuzz_text(const uint8_t *data, size_t size);

/* A channel of this kind named "fuzz", with USD for documents that name no
 * currency and a small SKU mapping (codes the samples use). channel_free
 * it. */
void fuzz_channel(ordo_channel *ch, channel_kind kind);

/*
 * What intake does with a decoded order, short of storing it: identify it,
 * open its units, check its lines (order_check must pass: a decoder must
 * never make an order the store would refuse as broken), fingerprint,
 * validate against a catalog, judge by the default review policy, index
 * for search, write it as the API answers it, and as the 940 that hands
 * it to a warehouse. o is changed (holds added), not freed.
 */
void fuzz_order_exercise(order *o);

/* o as the API writes it (malloc'd; the caller frees). */
char *fuzz_order_text(const order *o);

/*
 * A storefront's order is decoded the same bare (a webhook) and in its REST
 * envelope ({"<member>": ...}): decode the data wrapped so, with the same
 * decoder, and compare it with bare (the order the bare data made), as the
 * API writes both. Skipped when the data already has that member.
 */
typedef ordo_code (*fuzz_decode_fn)(const char *body, size_t len,
				    const ordo_channel *ch, order *o,
				    ordo_err *err);
void fuzz_envelope_check(const uint8_t *data, size_t size, const char *member,
			 fuzz_decode_fn decode, const ordo_channel *ch,
			 const order *bare);

/* A storefront's order webhook body: decoded with a channel of kind (a
 * SKU mapping, a default currency), bare and in its envelope member
 * (fuzz_envelope_check); an order it makes goes through what intake and
 * an update do with it (fuzz_order_exercise, fuzz_channel_update). */
void fuzz_storefront(const uint8_t *data, size_t size, channel_kind kind,
		     const char *member, fuzz_decode_fn decode);

/* X12 ordo wrote (a 997, an 855, a 940) must be X12 that ordo itself reads
 * without a problem: a partner's translator is stricter than ordo's
 * reader. */
void fuzz_x12_check(const char *text, size_t len);

/* The clean order changes are asked of (a US order of two lines, line
 * external ids "1" and "2", its units open). */
const order *fuzz_base_order(void);

/*
 * What ordo does with the n changes all asks of base, one after the other
 * on a copy of it: write each as it is stored while it waits for a
 * warehouse (native_change_json), which must read back as the same
 * change; describe it; plan it and apply it, after which the copy's
 * quantity identity must hold.
 */
void fuzz_changes_exercise(const order *base, const order_change *all,
			   size_t n);

/* As many changes as the app takes at once (APP_CHANNEL_CHANGES_MAX). */
#define FUZZ_CHANGES_MAX 20

/*
 * A storefront's update of an order (orders/updated): the changes that
 * make the clean order theirs, and theirs the clean order
 * (order_channel_changes), each put through fuzz_changes_exercise.
 */
void fuzz_channel_update(const order *theirs);

#endif
