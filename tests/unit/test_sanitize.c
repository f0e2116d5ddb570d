#include "config.h"

#include "tap.h"
#include "util/sanitize.h"

/* Property: nothing below 0x20, no DEL, no C1 (as bytes or as U+0080..U+009F), no bidi. */
static int clean(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if (*u < 0x20 || *u == 0x7F)
			return 0;
		if (u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F)
			return 0;
		if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE)
			return 0;
	}
	return 1;
}

int main(void)
{
	char out[256];
	struct {
		const char *name, *in;
		size_t len;
		int flags;
		const char *want;
	} cases[] = {
		{"plain ASCII passes", "SSH-2.0-OpenSSH_9.2p1", 21, 0, "SSH-2.0-OpenSSH_9.2p1"},
		{"ESC [2J is neutralised", "a\x1b[2Jb", 6, 0, "a?[2Jb"},
		{"OSC title sequence", "\x1b]0;pwned\x07x", 11, 0, "?]0;pwned?x"},
		{"C1 CSI byte 0x9B (raw)", "a\x9b" "31m", 5, SANITIZE_UTF8, "a?31m"},
		{"C1 CSI as UTF-8 U+009B", "a\xc2\x9b" "b", 4, SANITIZE_UTF8, "a?b"},
		{"RTL override U+202E", "ab\xe2\x80\xae" "cd", 7, SANITIZE_UTF8, "ab?cd"},
		{"isolate U+2066", "\xe2\x81\xa6x", 4, SANITIZE_UTF8, "?x"},
		{"valid UTF-8 kept", "caf\xc3\xa9", 5, SANITIZE_UTF8, "caf\xc3\xa9"},
		{"UTF-8 as ? without UTF8 flag", "caf\xc3\xa9", 5, 0, "caf?"},
		{"invalid UTF-8 byte", "a\xff" "b", 3, SANITIZE_UTF8, "a?b"},
		{"overlong NUL encoding", "a\xc0\x80" "b", 4, SANITIZE_UTF8, "a??b"},
		{"surrogate half", "\xed\xa0\x80", 3, SANITIZE_UTF8, "???"},
		{"embedded NUL", "a\0b", 3, 0, "a?b"},
		{"CR BS LF", "a\rb\bc\n", 6, 0, "a?b?c?"},
		{"TAB becomes space", "a\tb", 3, 0, "a b"},
		{"DEL", "a\x7f", 2, 0, "a?"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sanitize(out, sizeof(out), cases[i].in, cases[i].len, cases[i].flags);
		is_str(out, cases[i].want, "%s", cases[i].name);
		ok(clean(out), "%s: output is clean", cases[i].name);
	}

	/* Truncation never splits a character and always terminates. */
	sanitize(out, 5, "ab\xc3\xa9\xc3\xa9", 6, SANITIZE_UTF8);
	is_str(out, "ab\xc3\xa9", "truncates on a character boundary");
	ok(sanitize(out, 1, "abc", 3, 0) == 0 && out[0] == '\0', "outlen 1 gives an empty string");

	{
		char s[] = "x\x1b[31mred\x1b[0m\xe2\x80\xae";

		sanitize_inplace(s, SANITIZE_UTF8);
		is_str(s, "x?[31mred?[0m?", "in place");
	}
	{
		const char *log = "[\x1b[0;32m  OK  \x1b[0m] Started\x1b[m ssh \x1b[2J\x1b]0;t\x07 \x1b[31";

		sanitize(out, sizeof(out), log, strlen(log), SANITIZE_DROP_SGR);
		is_str(out, "[  OK  ] Started ssh ?[2J?]0;t? ?[31",
		       "DROP_SGR: colour gone whole; other escapes and a cut one keep their stand-in");
		ok(clean(out), "DROP_SGR: output is clean");
		sanitize(out, sizeof(out), "\x1b[", 2, SANITIZE_DROP_SGR);
		is_str(out, "?[", "DROP_SGR: a bare ESC [ at the end");
	}
	ok(sanitize_is_clean("hello", 5, 0), "is_clean: plain");
	ok(!sanitize_is_clean("a\x1b", 2, 0), "is_clean: ESC");
	ok(!sanitize_is_clean("\xe2\x80\xae", 3, SANITIZE_UTF8), "is_clean: bidi");

	/* Every single byte value, alone and after a lead byte. */
	{
		int leaks = 0;

		for (int b = 0; b < 256; b++) {
			char in[2] = {(char)0xC2, (char)b};

			sanitize(out, sizeof(out), in + 1, 1, SANITIZE_UTF8);
			leaks += !clean(out);
			sanitize(out, sizeof(out), in, 2, SANITIZE_UTF8);
			leaks += !clean(out);
		}
		ok(leaks == 0, "all 256 byte values, alone and after a lead byte, sanitise cleanly (%d leaks)",
		   leaks);
	}
	return tap_done();
}
