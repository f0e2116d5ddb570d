/* fixture: files under tests/fixtures.  fixture_file returns one whole (relpath from there),
 * NUL-terminated, its length in *len (malloc'd, caller frees), or NULL.  fixture_body returns
 * the answer body of a recorded Azure example (tests/fixtures/azure/...): the files wrap it as
 * {"parameters":..., "responses":{"200":{"body":...}}}; it is re-printed as compact JSON
 * (malloc'd, caller frees), or NULL. */
#ifndef SSHTRIAGE_TESTS_FIXTURE_H
#define SSHTRIAGE_TESTS_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *fixture_file(const char *relpath, size_t *len)
{
	char path[1024], *text = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, relpath);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		text = malloc((size_t)n + 1);
		if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
			text[n] = '\0';
			*len = (size_t)n;
		} else {
			free(text);
			text = NULL;
		}
	}
	fclose(f);
	return text;
}

static inline char *fixture_body(const char *relpath, const char *status, size_t *len)
{
	size_t n = 0;
	char *text = fixture_file(relpath, &n), *out = NULL;
	cJSON *root;

	if (!text)
		return NULL;
	root = cJSON_ParseWithLength(text, n);
	out = cJSON_PrintUnformatted(cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "responses"), status), "body"));
	cJSON_Delete(root);
	free(text);
	if (out)
		*len = strlen(out);
	return out;
}

#endif
