/* fuzz_vmjson: the virtual machine mapper (GET VM, instance view) and the boot diagnostics
 * answer (retrieveBootDiagnosticsData).
 *
 * Properties: no crash, leak or over-read (the input sits in a buffer of its exact size); a
 * failure always leaves a message; every field is NUL-terminated; n_nics and
 * boot_diagnostics keep their documented ranges; a boot log URL is https only and, as it
 * becomes a request line, holds no space or control byte (as a nextLink). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/vmjson.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_info vi;
	char *in = fuzz_copy(data, size), err[256] = "", uri[1024];
	int rc;

	memset(&vi, 'x', sizeof(vi));   /* what the parser leaves unset must not look terminated */
	rc = vmjson_parse(in, size, &vi, err, sizeof(err));
	fuzz_check_err(rc < 0, err, sizeof(err));
	if (rc == 0) {
		FUZZ_STR(vi.name);
		FUZZ_STR(vi.location);
		FUZZ_STR(vi.provisioning);
		FUZZ_STR(vi.power);
		FUZZ_STR(vi.power_display);
		FUZZ_STR(vi.agent);
		if (vi.n_nics < 0 || vi.n_nics > VMJSON_NICS_MAX || vi.boot_diagnostics < -1 ||
		    vi.boot_diagnostics > 1)
			abort();
		for (int i = 0; i < vi.n_nics; i++)
			FUZZ_STR(vi.nics[i]);
	}
	/* a small buffer too: a URL that does not fit is an error, never a cut URL */
	for (size_t len = sizeof(uri); len >= 16; len /= 8) {
		rc = vmjson_boot_log_uri(in, size, uri, len, err, sizeof(err));
		fuzz_check_err(rc < 0, err, sizeof(err));
		if (rc == 0 && (!memchr(uri, '\0', len) || strncmp(uri, "https://", 8) != 0))
			abort();
		for (size_t i = 0; rc == 0 && uri[i]; i++)
			if ((unsigned char)uri[i] <= ' ' || uri[i] == 0x7f)
				abort();
	}
	free(in);
	return 0;
}
