/* fuzz_classify: the probes' classifiers of bytes from the network and from other programs:
 * the SSH banner read, the session command's output, the vantage host's report and
 * `nft list ruleset` output.
 *
 * Properties: no crash, leak or over-read (the banner bytes sit in a buffer of their exact
 * size); the identification line returned lies inside the bytes received; the offending
 * nft rule is NUL-terminated in its buffer. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "probe/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_copy(data, size), *text = fuzz_cstr(data, size), rule[256];
	struct banner_obs o = {in, size, size % 2, size % 3 == 0, size % 5 == 0, (long)(size % 3000),
			       (long)size};
	const char *line = NULL;
	size_t ll = 0;

	classify_banner(&o, &line, &ll);
	if (line && (line < in || line + ll > in + size))
		abort();
	banner_complete(in, size);
	classify_session((int)(size % 256) - 1, text, "tok");
	classify_vantage(text);
	memset(rule, 'x', sizeof(rule));
	if (classify_nft_output_block(text, 22, rule, sizeof(rule)))
		FUZZ_STR(rule);
	free(text);
	free(in);
	return 0;
}
