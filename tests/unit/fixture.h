/* fixture: the answer body of a recorded Azure example (tests/fixtures/azure/...).  The
 * files wrap it as {"parameters":..., "responses":{"200":{"body":...}}}; this returns that
 * body re-printed as compact JSON (malloc'd, caller frees), or NULL. */
#ifndef SSHTRIAGE_TESTS_FIXTURE_H
#define SSHTRIAGE_TESTS_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *fixture_body(const char *relpath, const char *status, size_t *len)
{
	char path[1024], *text, *out = NULL;
	FILE *f;
	long n;
	cJSON *root;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, relpath);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
		root = cJSON_ParseWithLength(text, (size_t)n);
		out = cJSON_PrintUnformatted(cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(root, "responses"), status), "body"));
		cJSON_Delete(root);
	}
	fclose(f);
	free(text);
	if (out)
		*len = strlen(out);
	return out;
}

#endif
