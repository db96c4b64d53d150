/*
 * ddb_item.c: DynamoDB items checked before anything is written: attribute
 * value types (S N B BOOL NULL M L SS NS BS), the table's key attributes
 * with the schema's types, the 400 KB item limit, and a key string that
 * finds duplicates.
 */
#include "ddb_item.h"
#include "core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 32, MAX_ITEM_BYTES = 400 * 1024 };

/* A DynamoDB number: optional sign, digits with at most one point, an
 * optional exponent; at most 38 significant digits, and a magnitude from
 * 1E-130 to below 1E+126 (or zero), as DynamoDB takes them. */
static int
valid_number(const char *s)
{
	int digits = 0, sig = 0, leading = 1, points = 0, int_digits = 0, first_sig = -1;
	long exp = 0, adjusted;

	if (*s == '-' || *s == '+')
		s++;
	for (; isdigit((unsigned char)*s) || *s == '.'; s++) {
		if (*s == '.') {
			if (++points > 1)
				return 0;
			continue;
		}
		if (!points)
			int_digits++;
		if (*s != '0' && leading) {
			leading = 0;
			first_sig = digits; /* its index among all the digits */
		}
		digits++;
		if (!leading)
			sig++;
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		int neg;

		s++;
		neg = *s == '-';
		if (*s == '-' || *s == '+')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		for (; isdigit((unsigned char)*s); s++)
			if (exp < 100000)
				exp = exp * 10 + (*s - '0');
		if (neg)
			exp = -exp;
	}
	if (*s != '\0' || sig > 38)
		return 0;
	if (leading)
		return 1; /* zero */
	/* The power of ten of the first significant digit. */
	adjusted = (long)(int_digits - 1 - first_sig) + exp;
	return adjusted >= -130 && adjusted <= 125;
}

static int
valid_base64(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s; s++, n++) {
		if (*s == '=') {
			pad++;
			continue;
		}
		if (pad || !(isalnum((unsigned char)*s) || *s == '+' || *s == '/'))
			return 0;
	}
	return n % 4 == 0 && pad <= 2;
}

static int
set_of(const json_t *v, const char *type, char *why, size_t n, const char *path)
{
	const json_t *e, *f;
	size_t i, k;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return snprintf(why, n, "%s: %s must be a non-empty array", path, type), -1;
	json_array_foreach(v, i, e)
	{
		const char *s = json_string_value(e);

		if (!s)
			return snprintf(why, n, "%s: %s holds a non-string", path, type), -1;
		if (strcmp(type, "NS") == 0 && !valid_number(s))
			return snprintf(why, n, "%s: '%s' in NS is not a number", path, s), -1;
		if (strcmp(type, "BS") == 0 && !valid_base64(s))
			return snprintf(why, n, "%s: BS holds a value that is not base64", path),
			       -1;
		json_array_foreach(v, k, f) if (k < i && json_equal(e, f)) return snprintf(
		        why, n, "%s: %s holds '%s' twice", path, type, s),
		        -1;
	}
	return 0;
}

int
devenv_ddb_check_value(const json_t *v, const char *path, char *why, size_t n, int depth)
{
	const char *type;
	json_t *inner;

	if (depth > MAX_DEPTH)
		return snprintf(why, n, "%s: nested more than %d levels", path, MAX_DEPTH), -1;
	if (!json_is_object(v) || json_object_size(v) != 1)
		return snprintf(why, n, "%s: an attribute value is an object with one type key",
		                path),
		       -1;
	json_object_foreach((json_t *)v, type, inner)
	{
		char sub[512];
		const char *key;
		json_t *e;
		size_t i;

		if (strcmp(type, "S") == 0) {
			if (!json_is_string(inner))
				return snprintf(why, n, "%s: S must be a string", path), -1;
		} else if (strcmp(type, "N") == 0) {
			if (!json_is_string(inner) || !valid_number(json_string_value(inner)))
				return snprintf(why, n, "%s: N must be a number in a string", path),
				       -1;
		} else if (strcmp(type, "B") == 0) {
			if (!json_is_string(inner) || !valid_base64(json_string_value(inner)))
				return snprintf(why, n, "%s: B must be base64 in a string", path),
				       -1;
		} else if (strcmp(type, "BOOL") == 0) {
			if (!json_is_boolean(inner))
				return snprintf(why, n, "%s: BOOL must be true or false", path), -1;
		} else if (strcmp(type, "NULL") == 0) {
			if (!json_is_true(inner))
				return snprintf(why, n, "%s: NULL must be true", path), -1;
		} else if (strcmp(type, "M") == 0) {
			if (!json_is_object(inner))
				return snprintf(why, n, "%s: M must be an object", path), -1;
			json_object_foreach(inner, key, e)
			{
				snprintf(sub, sizeof(sub), "%s.%s", path, key);
				if (devenv_ddb_check_value(e, sub, why, n, depth + 1))
					return -1;
			}
		} else if (strcmp(type, "L") == 0) {
			if (!json_is_array(inner))
				return snprintf(why, n, "%s: L must be an array", path), -1;
			json_array_foreach(inner, i, e)
			{
				snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
				if (devenv_ddb_check_value(e, sub, why, n, depth + 1))
					return -1;
			}
		} else if (strcmp(type, "SS") == 0 || strcmp(type, "NS") == 0 ||
		           strcmp(type, "BS") == 0) {
			return set_of(inner, type, why, n, path);
		} else {
			return snprintf(why, n, "%s: unknown attribute type '%s'", path, type), -1;
		}
	}
	return 0;
}

/* The bytes DynamoDB counts for a value (close enough to enforce 400 KB). */
static size_t
value_size(const json_t *v)
{
	const char *type;
	json_t *inner, *e;
	size_t size = 0, i;
	const char *key;

	json_object_foreach((json_t *)v, type, inner)
	{
		if (json_is_string(inner)) {
			size += json_string_length(inner);
			if (strcmp(type, "B") == 0)
				size = size * 3 / 4;
		} else if (json_is_object(inner)) {
			size += 3;
			json_object_foreach(inner, key, e) size += strlen(key) + value_size(e) + 1;
		} else if (json_is_array(inner)) {
			size += 3;
			json_array_foreach(inner, i, e) size +=
			        json_is_string(e) ? json_string_length(e) : value_size(e) + 1;
		} else {
			size += 1;
		}
	}
	return size;
}

int
devenv_ddb_check_item(const json_t *item, const json_t *table, char *why, size_t n)
{
	const json_t *ks = json_object_get(table, "KeySchema"), *k, *defs, *d;
	const char *name;
	json_t *v;
	size_t i, j, size = 0;

	if (!json_is_object(item))
		return snprintf(why, n, "an item is an object of attribute values"), -1;
	json_object_foreach((json_t *)item, name, v)
	{
		if (devenv_ddb_check_value(v, name, why, n, 0))
			return -1;
		size += strlen(name) + value_size(v);
	}
	if (size > MAX_ITEM_BYTES)
		return snprintf(why, n, "the item is %zu bytes, over DynamoDB's 400 KB", size), -1;
	defs = json_object_get(table, "AttributeDefinitions");
	json_array_foreach(ks, i, k)
	{
		const char *attr = json_string_value(json_object_get(k, "AttributeName"));
		const char *want = NULL, *have = NULL;
		const json_t *val = attr ? json_object_get(item, attr) : NULL;

		if (!attr)
			continue;
		json_array_foreach(defs, j, d) if (json_equal(json_object_get(d, "AttributeName"),
		                                              json_object_get(k, "AttributeName")))
		        want = json_string_value(json_object_get(d, "AttributeType"));
		if (!val)
			return snprintf(why, n, "key attribute '%s' is missing", attr), -1;
		json_object_foreach((json_t *)val, have, v) break;
		if (want && have && strcmp(want, have) != 0)
			return snprintf(why, n, "key attribute '%s' is %s, the schema says %s",
			                attr, have, want),
			       -1;
		if (have && json_is_string(v) && json_string_length(v) == 0)
			return snprintf(why, n, "key attribute '%s' is empty", attr), -1;
	}
	return 0;
}

/* A number's canonical form (sign, significant digits, power of ten), so
 * that equal numbers written differently compare equal. Checked numbers
 * only (at most 38 significant digits). */
static const char *
number_key(char *out, size_t n, const char *s)
{
	char digits[64];
	int neg = *s == '-', nd = 0, int_digits = 0, points = 0, first = -1, idx = 0;
	long exp = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; isdigit((unsigned char)*s) || *s == '.'; s++) {
		if (*s == '.') {
			points = 1;
			continue;
		}
		if (!points)
			int_digits++;
		if (*s != '0' && first < 0)
			first = idx;
		if (first >= 0 && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *s;
		idx++;
	}
	if (*s == 'e' || *s == 'E')
		exp = strtol(s + 1, NULL, 10);
	while (nd > 0 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (first < 0)
		snprintf(out, n, "0");
	else
		snprintf(out, n, "%s%se%ld", neg ? "-" : "", digits,
		         (long)(int_digits - 1 - first) + exp);
	return out;
}

char *
devenv_ddb_item_key(const json_t *item, const json_t *table)
{
	const json_t *ks = json_object_get(table, "KeySchema"), *k;
	size_t i, cap = 64, n = 0;
	char *key = xmalloc(cap), canon[96];

	/* type:value of each key attribute; values are S, N or B strings. */
	json_array_foreach(ks, i, k)
	{
		const char *attr = json_string_value(json_object_get(k, "AttributeName"));
		const json_t *v = attr ? json_object_get(item, attr) : NULL, *inner = NULL;
		const char *type = "", *text = "";

		if (json_is_object(v) && json_object_size(v) == 1) {
			type = json_object_iter_key(json_object_iter((json_t *)v));
			inner = json_object_iter_value(json_object_iter((json_t *)v));
			text = json_is_string(inner) ? json_string_value(inner) : "";
			/* 1, 1.0 and 10e-1 are one key to DynamoDB. */
			if (strcmp(type, "N") == 0)
				text = number_key(canon, sizeof(canon), text);
		}
		while (n + strlen(type) + strlen(text) + 3 > cap) {
			cap *= 2;
			key = xrealloc(key, cap);
		}
		n += (size_t)snprintf(key + n, cap - n, "%s:%s\x1f", type, text);
	}
	key[n] = '\0';
	return key;
}

const json_t *
devenv_ddb_find_table(const json_t *schema, const char *name)
{
	const json_t *t;
	size_t i;

	json_array_foreach(schema, i,
	                   t) if (json_is_string(json_object_get(t, "TableName")) &&
	                          strcmp(json_string_value(json_object_get(t, "TableName")),
	                                 name) == 0) return t;
	return NULL;
}
