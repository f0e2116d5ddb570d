#include "config.h"

#include <stdlib.h>

#include "azure/vmjson.h"
#include "fixture.h"
#include "tap.h"

int main(void)
{
	struct vm_info vi;
	char err[128];
	size_t len = 0;
	char *body = fixture_body("azure/compute/VirtualMachine_Get.json", "200", &len);

	ok(body != NULL, "fixture VirtualMachine_Get.json read");
	ok(vmjson_parse(body, len, &vi, err, sizeof(err)) == 0, "VM GET parses");
	is_str(vi.name, "myVM", "name");
	is_str(vi.location, "West US", "location");
	is_str(vi.provisioning, "Succeeded", "provisioningState");
	ok(vi.n_nics == 1 && strstr(vi.nics[0], "/networkInterfaces/") != NULL, "one NIC id");
	free(body);

	body = fixture_body("azure/compute/VirtualMachine_Get_InstanceView.json", "200", &len);
	ok(body != NULL, "fixture VirtualMachine_Get_InstanceView.json read");
	ok(vmjson_parse(body, len, &vi, err, sizeof(err)) == 0, "instance view parses");
	is_str(vi.power, "running", "PowerState/running");
	is_str(vi.power_display, "VM running", "displayStatus");
	is_str(vi.agent, "Ready", "VM agent ready");
	free(body);

	{
		const char *dealloc = "{\"name\":\"vm1\",\"properties\":{\"provisioningState\":\"Succeeded\","
				      "\"instanceView\":{\"statuses\":[{\"code\":\"ProvisioningState/succeeded\"},"
				      "{\"code\":\"PowerState/deallocated\",\"displayStatus\":\"VM deallocated\"}]}}}";

		ok(vmjson_parse(dealloc, strlen(dealloc), &vi, err, sizeof(err)) == 0 &&
		   strcmp(vi.power, "deallocated") == 0, "expanded instance view: deallocated");
	}
	{
		const char *bad[] = {"{\"1\":1,", "[]", "null", "{\"properties\":[]}", "{\"statuses\":{}}",
				     "{\"properties\":{\"networkProfile\":{\"networkInterfaces\":[1,null,{\"id\":7}]}}}"};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int rc = vmjson_parse(bad[i], strlen(bad[i]), &vi, err, sizeof(err));

			ok(rc == -1 || (vi.n_nics == 0 && vi.power[0] == '\0'), "bad input %zu handled", i);
		}
	}
	{
		/* an ambiguous answer is no fact: a duplicated power state, trailing data, a NUL */
		static const char dup[] = "{\"name\":\"vm1\",\"properties\":{\"instanceView\":{\"statuses\":["
			"{\"code\":\"PowerState/deallocated\",\"code\":\"PowerState/running\"}]}}}";
		static const char trailing[] = "{\"statuses\":[{\"code\":\"PowerState/running\"}]} x";
		static const char nul[] = "{\"statuses\":[{\"code\":\"PowerState/running\\u0000x\"}]}";
		static const char ok_twice[] = "{\"statuses\":[{\"code\":\"PowerState/running\"},"
			"{\"code\":\"ProvisioningState/succeeded\"}]}";

		ok(vmjson_parse(dup, strlen(dup), &vi, err, sizeof(err)) == -1 &&
		   strstr(err, "given twice") != NULL, "a key given twice in a nested object is refused");
		ok(vmjson_parse(trailing, strlen(trailing), &vi, err, sizeof(err)) == -1 &&
		   strstr(err, "trailing") != NULL, "trailing data is refused");
		ok(vmjson_parse(nul, strlen(nul), &vi, err, sizeof(err)) == -1 &&
		   strstr(err, "NUL") != NULL, "a \\u0000 is refused");
		ok(vmjson_parse(ok_twice, strlen(ok_twice), &vi, err, sizeof(err)) == 0 &&
		   strcmp(vi.power, "running") == 0, "the same key in two objects is no duplicate");
	}
	{
		static const char good[] = "{\"serialConsoleLogBlobUri\":\"https://st.blob.core.windows.net/b/vm.log?sv=1&sig=x\"}";
		static const char crlf[] = "{\"serialConsoleLogBlobUri\":\"https://st.blob.core.windows.net/x\\r\\nHost: evil\"}";
		static const char del[] = "{\"serialConsoleLogBlobUri\":\"https://st.blob.core.windows.net/x\x7f\"}";
		char uri[256];

		ok(vmjson_boot_log_uri(good, strlen(good), uri, sizeof(uri), err, sizeof(err)) == 0 &&
		   strcmp(uri, "https://st.blob.core.windows.net/b/vm.log?sv=1&sig=x") == 0, "boot log SAS URL");
		ok(vmjson_boot_log_uri(crlf, strlen(crlf), uri, sizeof(uri), err, sizeof(err)) == -1 && uri[0] == '\0',
		   "a boot log URL with CR LF is refused");
		ok(vmjson_boot_log_uri(del, strlen(del), uri, sizeof(uri), err, sizeof(err)) == -1,
		   "a boot log URL with DEL is refused (fuzz_vmjson)");
	}
	return tap_done();
}
