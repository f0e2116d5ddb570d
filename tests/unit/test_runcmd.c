#include "config.h"

#include "azure/runcmd.h"
#include "fixture.h"
#include "tap.h"

static int parse(const char *json, struct runcmd_result *r)
{
	char err[128];

	return runcmd_parse(json, strlen(json), r, err, sizeof(err));
}

int main(void)
{
	struct runcmd_result r;
	size_t len;
	char *body = fixture_body("azure/compute/VirtualMachineRunCommand.json", "200", &len);
	char val[64];

	ok(body && runcmd_parse(body, len, &r, val, sizeof(val)) == 0, "fixture (Windows shape) parses");
	ok(r.succeeded, "succeeded");
	is_str(r.out, "This is a sample script with parameters value1 value2", "StdOut component");
	is_str(r.err, "", "StdErr component");
	runcmd_free(&r);
	free(body);

	ok(parse("{\"value\":[{\"code\":\"ProvisioningState/succeeded\",\"level\":\"Info\","
		 "\"message\":\"Enable succeeded: \\n[stdout]\\nSSHD=active\\nPORTS=22\\n\\n[stderr]\\nwarn: x\\n\"}]}",
		 &r) == 0, "Linux shape parses");
	is_str(r.out, "SSHD=active\nPORTS=22\n", "stdout split out");
	is_str(r.err, "warn: x\n", "stderr split out");
	ok(runcmd_field(r.out, "PORTS", val, sizeof(val)) && strcmp(val, "22") == 0, "field PORTS");
	ok(runcmd_field(r.out, "SSHD", val, sizeof(val)) && strcmp(val, "active") == 0, "field SSHD");
	ok(!runcmd_field(r.out, "SSH", val, sizeof(val)), "a prefix of a key is not the key");
	runcmd_free(&r);

	ok(parse("{\"value\":[{\"code\":\"ProvisioningState/failed\",\"message\":\"Enable failed: timeout\"}]}", &r) == 0 &&
	   !r.succeeded, "a failed run is parsed, not succeeded");
	runcmd_free(&r);
	ok(parse("{\"value\":[{\"code\":\"ProvisioningState/succeeded\",\"message\":\"[stdout]\\n\\u001b]0;x\\u0007hi\\n[stderr]\\n\"}]}", &r) == 0 &&
	   strchr(r.out, 0x1b) != NULL, "escapes are kept as bytes (the view sanitises)");
	runcmd_free(&r);

	ok(parse("{\"value\":[]}", &r) != 0, "no statuses");
	ok(parse("{\"value\":[{\"message\":7}]}", &r) != 0, "no code");
	ok(parse("{\"value\":{}}", &r) != 0, "object for array");
	ok(parse("{\"value\":[{\"code\":\"x\",", &r) != 0, "truncated");
	ok(parse("null", &r) != 0, "null");
	{
		char val2[4];

		ok(runcmd_field("K=abcdef\n", "K", val2, sizeof(val2)) && strcmp(val2, "abc") == 0,
		   "a long value is cut to the buffer");
	}
	return tap_done();
}
