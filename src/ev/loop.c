#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>

#include "ev/loop.h"
#include "ev/sig.h"
#include "util/clock.h"

#define MAX_FDS 16

enum loop_end loop_run(struct engine *e, struct model *m, struct ui *ui, int *sig)
{
	long long last_paint = 0;
	bool dirty = true;       /* something may need painting */

	*sig = 0;
	for (;;) {
		struct pollfd fds[MAX_FDS];
		int n = 0, nw, timeout = engine_timeout(e);
		long long now = clock_ms();

		if (!ui && m->done)
			return LOOP_DONE;
		if (ui) {
			/* Capped repaint: at most one frame per UI_REPAINT_MS, and none at all
			 * while nothing changed (ui_draw checks the generation). */
			long long wait = last_paint + UI_REPAINT_MS - now;

			if (dirty && wait <= 0) {
				if (ui_draw(ui, m))
					last_paint = now;
				dirty = false;
			} else if (dirty && (timeout < 0 || wait < timeout)) {
				timeout = (int)wait;
			}
			fds[n].fd = ui_fd(ui);
			fds[n].events = POLLIN;
			n++;
		}
		fds[n].fd = sig_fd();
		fds[n].events = POLLIN;
		n++;
		nw = engine_pollfds(e, fds + n, MAX_FDS - n);
		if (poll(fds, (nfds_t)(n + nw), timeout) < 0 && errno != EINTR)
			return LOOP_QUIT;
		if (fds[ui ? 1 : 0].revents & POLLIN) {
			*sig = sig_drain();
			if (*sig)
				return LOOP_SIGNAL;
		}
		engine_handle(e, fds + n, nw, m);
		dirty = true;
		if (ui && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			switch (ui_input(ui, m)) {
			case UI_QUIT:
				return LOOP_QUIT;
			case UI_RERUN:
				engine_start(e, m);
				break;
			default:
				break;
			}
			if (fds[0].revents & (POLLHUP | POLLERR))
				return LOOP_QUIT;
		}
	}
}
