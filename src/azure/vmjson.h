/* vmjson: the facts sshtriage needs from a virtual machine's ARM answer — GET VM with
 * $expand=instanceView, or GET VM/instanceView.  Pure; never trusts a type. */
#ifndef SSHTRIAGE_AZURE_VMJSON_H
#define SSHTRIAGE_AZURE_VMJSON_H

#include <stddef.h>

#define VMJSON_NICS_MAX 8
#define VMJSON_STR 128
#define VMJSON_ID 512

struct vm_info {
	char name[VMJSON_STR];
	char location[VMJSON_STR];
	char provisioning[VMJSON_STR];   /* properties.provisioningState ("Succeeded") */
	char power[VMJSON_STR];          /* from PowerState/<x>: "running", "deallocated"... or "" */
	char power_display[VMJSON_STR];  /* displayStatus, e.g. "VM deallocated" */
	char agent[VMJSON_STR];          /* the VM agent's displayStatus, or "" */
	int n_nics;
	char nics[VMJSON_NICS_MAX][VMJSON_ID];
	int boot_diagnostics;            /* diagnosticsProfile.bootDiagnostics.enabled; -1 absent */
};

/* Fills vi from json (len bytes).  Returns 0, or -1 with a message for a body that is not
 * a VM or an instance view.  Missing optional parts are left empty. */
int vmjson_parse(const char *json, size_t len, struct vm_info *vi, char *err, size_t errlen);

/* retrieveBootDiagnosticsData: the serial log's SAS URL (https only) into out.  0, or -1
 * with a message. */
int vmjson_boot_log_uri(const char *json, size_t len, char *out, size_t outlen, char *err,
			size_t errlen);

#endif
