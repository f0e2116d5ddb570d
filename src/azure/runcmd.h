/* runcmd: read the answer of a Run Command (RunShellScript).  Pure.
 * Linux VMs answer with one status whose message is
 *   "Enable succeeded: \n[stdout]\n...\n[stderr]\n..."
 * and Windows VMs with two statuses, ComponentStatus/StdOut/... and .../StdErr/...; both
 * shapes are read.  The guest's output is outside input: the caller sanitises it before
 * showing it. */
#ifndef SSHTRIAGE_AZURE_RUNCMD_H
#define SSHTRIAGE_AZURE_RUNCMD_H

#include <stdbool.h>
#include <stddef.h>

#define RUNCMD_OUT_MAX 65536     /* Azure itself keeps only the last 4 KiB of each stream */

struct runcmd_result {
	bool succeeded;          /* the extension ran the script ("succeeded" in the code) */
	char code[96];           /* e.g. "ProvisioningState/succeeded" */
	char *out, *err;         /* NUL-terminated, owned by the result */
	size_t out_len, err_len;
};

/* Parses json (len bytes): the answer itself, or the Azure-AsyncOperation status body that
 * holds it in properties.output.  Returns 0, or -1 with a message.  Free with runcmd_free. */
int runcmd_parse(const char *json, size_t len, struct runcmd_result *r, char *errmsg, size_t errlen);
void runcmd_free(struct runcmd_result *r);

/* The value of "KEY=value" on its own line in text (what the guest scripts print), copied
 * into val.  Returns false when absent. */
bool runcmd_field(const char *text, const char *key, char *val, size_t vallen);

#endif
