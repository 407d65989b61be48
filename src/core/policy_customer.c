/*
 * policy_customer.c - the customer identity behind customer.orders_count
 * and customer.defects_count: which earlier orders are "the same
 * customer's". The store keeps this key on every order and counts by it,
 * so it must never change for an order already stored.
 *
 * The key is the lower-cased, trimmed email; else the phone's digits (so
 * "+1 (555) 010-0000" and "15550100000" match); else the lower-cased,
 * trimmed name; else "" (no identity: such an order has no earlier ones).
 */
#include "core/policy_int.h"

#include <string.h>

/* ---- customer identity -------------------------------------------------- */

/* Copy s lower-cased without surrounding white space; false if empty. */
static bool key_lower(const char *s, char *out, size_t size)
{
	size_t len, i, n = 0;

	while (*s && is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return false;
	for (i = 0; i < len && n + 1 < size; i++)
		out[n++] = ascii_lower(s[i]);
	out[n] = '\0';
	return true;
}

void policy_customer_key(const order_customer *c, char *out, size_t size)
{
	size_t n = 0, i;

	if (!out || size == 0)
		return;
	out[0] = '\0';
	if (!c)
		return;
	if (key_lower(c->email, out, size))
		return;
	for (i = 0; c->phone[i] && n + 1 < size; i++)
		if (is_digit(c->phone[i]))
			out[n++] = c->phone[i];
	out[n] = '\0';
	if (n > 0)
		return;
	if (!key_lower(c->name, out, size))
		out[0] = '\0';
}
