/* fuzz_guestfix: the remedy result reader (the stdout of a guestfix_script, via Run
 * Command), and the script builder with a user name and port from outside.
 *
 * Properties: no crash, leak or over-read (the stdout sits in a buffer of its exact size);
 * the joined fields are NUL-terminated within GUESTFIX_TEXT; the listen list keeps its bound
 * and holds valid distinct ports that guestfix_listens finds; tri-states and the remedy id
 * keep their ranges; complete == begun && ended; FIX_OK is never yes after a FIX_ERR; the
 * counts are not negative; a script is built
 * only for a known remedy with the parameter it needs valid, fits GUESTFIX_SCRIPT_MAX, and
 * holds the user name only as a valid one. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/guest.h"
#include "azure/guestfix.h"
#include "fuzz.h"

static void check_result(const struct guestfix_result *r, int taken)
{
	if (taken < 0 || taken > r->lines || r->complete != (r->begun && r->ended) || r->id < -1 ||
	    r->id >= GUESTFIX_COUNT || (!r->begun && r->id != -1))
		abort();
	fuzz_check_tri(r->ok);
	fuzz_check_tri(r->sshd_active);
	fuzz_check_tri(r->sshd_socket);
	if (r->n_err > 0 && r->ok == GUEST_YES)
		abort();
	FUZZ_STR(r->did);
	FUZZ_STR(r->err);
	FUZZ_STR(r->note);
	FUZZ_STR(r->before);
	FUZZ_STR(r->after);
	if (r->n_did < 0 || r->n_err < 0 || r->n_note < 0 || r->lines < 0 || r->bad_lines < 0 ||
	    r->long_lines < 0 || r->unknown_keys < 0)
		abort();
	if (r->n_listen < 0 || r->n_listen > GUESTFIX_LISTEN_MAX || (r->n_listen && !r->have_listen))
		abort();
	for (int i = 0; i < r->n_listen; i++) {
		if (r->listen[i] < 1 || r->listen[i] > 65535 || !guestfix_listens(r, r->listen[i]))
			abort();
		for (int j = 0; j < i; j++)
			if (r->listen[i] == r->listen[j])
				abort();
	}
}

static void script(const char *in, size_t n)
{
	static char out[GUESTFIX_SCRIPT_MAX];
	char user[48];
	size_t un = n > 3 ? (n - 3 < sizeof(user) - 1 ? n - 3 : sizeof(user) - 1) : 0;
	enum guestfix_id id = n ? (enum guestfix_id)((unsigned char)in[0] % (GUESTFIX_COUNT + 1)) : 0;
	int port = n > 2 ? (unsigned char)in[1] * 256 + (unsigned char)in[2] : 22, len;
	bool valid;

	if (un)
		memcpy(user, in + 3, un);
	user[un] = '\0';
	valid = id < GUESTFIX_COUNT && (!guestfix_needs_user(id) || guest_user_ok(user)) &&
		(!guestfix_needs_port(id) || (port >= 1 && port <= 65535));
	len = guestfix_script(id, user, port, out, sizeof(out));
	if ((len >= 0) != valid || (len >= 0 && (size_t)len != strlen(out)) || (len < 0 && out[0]))
		abort();
	if (len >= 0 && guestfix_needs_user(id) && strchr(user, '\''))
		abort();
	/* too small a buffer is an error, never a cut script */
	if (len > 0 && guestfix_script(id, user, port, out, (size_t)len) != -1)
		abort();
	if (id < GUESTFIX_COUNT) {
		enum guestfix_id back;

		if (!guestfix_name(id) || !guestfix_lookup(guestfix_name(id), &back) || back != id ||
		    !guestfix_describe(id)[0])
			abort();
	} else if (guestfix_name(id) || guestfix_describe(id)[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guestfix_result r;
	char *in = fuzz_copy(data, size);
	int taken;

	memset(&r, 'x', sizeof(r));
	taken = guestfix_parse(in, size, &r);
	check_result(&r, taken);
	script(in, size);
	free(in);
	return 0;
}
