#include "config.h"

#include "core/target.h"
#include "tap.h"

int main(void)
{
	struct target t;
	char err[128], buf[400];

	ok(target_parse("azureuser@203.0.113.10", &t, err, sizeof(err)) == 0, "user@ip parses");
	is_str(t.user, "azureuser", "user");
	is_str(t.host, "203.0.113.10", "host");
	ok(t.port == 22, "default port 22");
	ok(target_parse("vm1.example:2222", &t, err, sizeof(err)) == 0 && t.port == 2222 && !t.user[0],
	   "host:port without user");
	ok(target_parse("u@[2001:db8::1]:2200", &t, err, sizeof(err)) == 0 && t.port == 2200,
	   "bracketed IPv6 with port");
	is_str(t.host, "2001:db8::1", "IPv6 host without brackets");
	target_format(&t, buf, sizeof(buf));
	is_str(buf, "u@[2001:db8::1]:2200", "format puts brackets back");
	ok(target_parse("2001:db8::1", &t, err, sizeof(err)) == 0 && t.port == 22, "bare IPv6");
	ok(target_parse("host:0", &t, err, sizeof(err)) != 0, "port 0 refused");
	ok(target_parse("host:65536", &t, err, sizeof(err)) != 0, "port 65536 refused");
	ok(target_parse("host:22x", &t, err, sizeof(err)) != 0, "port with junk refused");
	ok(target_parse("a;rm -rf /@host", &t, err, sizeof(err)) != 0, "shell metacharacters in user");
	ok(target_parse("u@ho$t", &t, err, sizeof(err)) != 0, "shell metacharacters in host");
	ok(target_parse("-oProxyCommand=x", &t, err, sizeof(err)) != 0, "leading dash refused");
	ok(target_parse("u@h\x1b[2J", &t, err, sizeof(err)) != 0, "escape in host refused");
	ok(target_parse("", &t, err, sizeof(err)) != 0, "empty refused");
	ok(target_parse("u@[::1", &t, err, sizeof(err)) != 0, "unclosed bracket refused");
	return tap_done();
}
