/* ui: the screen's lifecycle, the key table and what keys do to the view state.
 * Painting lives in ui_view.c and ui_overlay.c; see ui_priv.h for the split. */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <term.h>

#include "ui/ui_priv.h"

#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESCDELAY_MS 25        /* a lone Esc must feel instant; keys arrive within it */
#define UI_INPUT_MAX 256         /* keys read per ui_input(): bounds a paste or resize storm */
#define UI_CPR_WAIT_MS 2000      /* how long an answer to the size query is awaited */

/* The key table: every binding, its help text and its status-line text.  The help screen
 * and the status line are generated from it; nothing else maps keys. */
const struct ui_key ui_keys[] = {
	{{KEY_LEFT, 'h'}, UI_CTX_MAIN, UI_CMD_PANE_PREV, "h  Left", "previous component", NULL, 0},
	{{KEY_RIGHT, 'l'}, UI_CTX_MAIN, UI_CMD_PANE_NEXT, "l  Right", "next component",
	 "h/l pane", 8},
	{{'1', '2', '3', '4', '5'}, UI_CTX_MAIN, UI_CMD_PANE_JUMP, "1-5",
	 "jump to a component (1 Client ... 5 VM)", NULL, 0},
	{{KEY_UP, 'k'}, UI_CTX_ALL, UI_CMD_UP, "k  Up", "previous check, or scroll up", NULL, 0},
	{{KEY_DOWN, 'j'}, UI_CTX_ALL, UI_CMD_DOWN, "j  Down", "next check, or scroll down",
	 "j/k check", 7},
	{{KEY_PPAGE, 'b'}, UI_CTX_ALL, UI_CMD_PGUP, "b  PgUp", "page up", NULL, 0},
	{{KEY_NPAGE, ' '}, UI_CTX_ALL, UI_CMD_PGDN, "Space  PgDn", "page down", NULL, 0},
	{{KEY_HOME, 'g'}, UI_CTX_ALL, UI_CMD_HOME, "g  Home", "first check (oldest log line)",
	 NULL, 0},
	{{KEY_END, 'G'}, UI_CTX_ALL, UI_CMD_END, "G  End", "last check (newest log line)", NULL, 0},
	{{'\t'}, UI_CTX_MAIN, UI_CMD_FOCUS_NEXT, "Tab", "focus: diagram, checks, log",
	 "Tab focus", 1},
	{{KEY_BTAB}, UI_CTX_MAIN, UI_CMD_FOCUS_PREV, "S-Tab", "focus backwards", NULL, 0},
	{{'\n', '\r', KEY_ENTER}, UI_CTX_MAIN, UI_CMD_EXPAND, "Enter",
	 "show or hide the selected check's evidence", "Enter evidence", 2},
	{{'r'}, UI_CTX_MAIN, UI_CMD_RERUN, "r", "run every probe again", "r rerun", 5},
	{{'f'}, UI_CTX_MAIN, UI_CMD_FIX, "f", "remedies for the selected component", "f fix", 6},
	{{'B'}, UI_CTX_MAIN, UI_CMD_BOOTLOG, "B",
	 "the VM's serial log (boot diagnostics), failures marked !", NULL, 0},
	{{'c'}, UI_CTX_MAIN, UI_CMD_RESCUE, "c",
	 "rescue console: shell commands on the VM by Run Command", NULL, 0},
	{{'?', KEY_F(1)}, UI_CTX_MAIN, UI_CMD_HELP, "?  F1", "this help", "? help", 9},
	{{UI_CTRL('L')}, UI_CTX_ALL, UI_CMD_REPAINT, "Ctrl-L", "repaint the whole screen", NULL, 0},
	{{'='}, UI_CTX_ALL, UI_CMD_RESIZE, "=",
	 "re-read the terminal size (for serial consoles)", NULL, 0},
	{{'q'}, UI_CTX_MAIN, UI_CMD_QUIT, "q", "quit", "q quit", 9},
	{{UI_ESC, 'q', '?'}, UI_CTX_HELP, UI_CMD_CLOSE, "Esc  q", "close this help or the menu",
	 "Esc close", 9},
	{{UI_ESC, 'q', 'f'}, UI_CTX_MENU, UI_CMD_CLOSE, "Esc  q", NULL, "Esc close", 9},
};
const int ui_n_keys = (int)(sizeof(ui_keys) / sizeof(ui_keys[0]));

/* The open screen, for ui_restore_terminal(), which takes no argument. */
static struct ui *ui_live;

static long long ui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ui_comp_checks(const struct ui *ui, enum comp_id c, enum check_id *out)
{
	int n = 0;

	for (int i = 0; i < CK_COUNT; i++)
		if (check_comp((enum check_id)i) == c && !ui->hidden[i])
			out[n++] = (enum check_id)i;
	return n;
}

enum check_id ui_cursor_check(const struct ui *ui)
{
	enum check_id ids[CK_COUNT];
	int n = ui_comp_checks(ui, ui->sel, ids);
	int i = ui->check_cur[ui->sel];

	return ids[i < 0 ? 0 : i >= n ? n - 1 : i];
}

void ui_refresh_clean(struct ui *ui, const struct model *m)
{
	if (ui->clean_valid && ui->clean_gen == m->generation)
		return;
	for (int i = 0; i < CK_COUNT; i++) {
		const struct check *c = &m->checks[i];
		int n = c->n_evidence < 0 ? 0 : c->n_evidence;

		/* a cloud check that does not apply (skipped) is left out of the pane; the
		 * report still has it.  The first of each pane stays: it says why. */
		ui->hidden[i] = c->state == ST_SKIPPED && check_from_cloud((enum check_id)i) &&
				i != CK_ENDPOINT_CLOUD && i != CK_NSG_CLOUD && i != CK_VM_POWER;

		ui_text_clean(ui, ui->clean[i].summary, sizeof(ui->clean[i].summary), c->summary,
			      sizeof(c->summary));
		for (int e = 0; e < CHECK_EVIDENCE_MAX; e++) {
			if (e < n)
				ui_text_clean(ui, ui->clean[i].evidence[e],
					      sizeof(ui->clean[i].evidence[e]), c->evidence[e],
					      sizeof(c->evidence[e]));
			else
				ui->clean[i].evidence[e][0] = '\0';
		}
	}
	ui->clean_gen = m->generation;
	ui->clean_valid = true;
}

/* ---- opening and closing ---- */

static bool ui_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Refuses terminals that cannot do full-screen, without letting curses exit. */
static bool ui_term_usable(char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	const char *cup;
	int e = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "not a terminal: no full-screen view");
		return false;
	}
	if (!term || !*term) {
		snprintf(err, errlen, "TERM is not set: no full-screen view");
		return false;
	}
	if (strcmp(term, "dumb") == 0) {
		snprintf(err, errlen, "TERM=dumb cannot address the cursor: no full-screen view");
		return false;
	}
	if (setupterm(term, STDOUT_FILENO, &e) != OK) {
		snprintf(err, errlen, "unknown terminal type '%.40s': no full-screen view", term);
		return false;
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (!cup || cup == (const char *)-1) {
		snprintf(err, errlen, "terminal '%.40s' cannot address the cursor: "
			 "no full-screen view", term);
		return false;
	}
	return true;
}

static void ui_colors_init(struct ui *ui)
{
	const char *nc = getenv("NO_COLOR");
	short bg;

	ui->color = false;
	if (ui->opts.no_color || (nc && *nc) || !has_colors() || start_color() != OK)
		return;
	/* colour only doubles what the text markers already say */
	bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
	init_pair(1, COLOR_RED, bg);
	init_pair(2, COLOR_GREEN, bg);
	init_pair(3, COLOR_YELLOW, bg);
	ui->color = true;
}

/* Makes curses' idea of the size match rows x cols, or the pinned size when there is one. */
static void ui_apply_size(struct ui *ui, int rows, int cols)
{
	if (ui->pin_rows > 0)
		rows = ui->pin_rows;
	if (ui->pin_cols > 0)
		cols = ui->pin_cols;
	if (rows < 1 || cols < 1 || rows > 1000 || cols > 1000)
		return;
	if (rows != LINES || cols != COLS)
		resizeterm(rows, cols);
	/* one full repaint per real change, however many resize events said so */
	if (rows != ui->drawn_rows || cols != ui->drawn_cols) {
		ui->clear_pending = true;
		ui->dirty = true;
	}
}

/* The kernel's idea of the size (0x0 when it has none, as on many serial lines). */
static void ui_tty_size(const struct ui *ui, int *rows, int *cols)
{
	struct winsize ws;

	*rows = *cols = 0;
	if (ioctl(ui->out_fd, TIOCGWINSZ, &ws) == 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Follows the kernel's size, except while a size is pinned: --lines/--cols pin it for good;
 * the terminal's own answer to "=" pins it until the kernel's size changes (a SIGWINCH or
 * stty), since on a serial line the kernel's size is stale. */
static void ui_size_from_tty(struct ui *ui)
{
	int rows, cols;

	ui_tty_size(ui, &rows, &cols);
	if (ui->pin_by_cpr && (rows != ui->pin_tty_rows || cols != ui->pin_tty_cols)) {
		ui->pin_by_cpr = false;
		ui->pin_rows = ui->pin_cols = 0;
	}
	if (rows > 0 && cols > 0)
		ui_apply_size(ui, rows, cols);
	else
		ui_apply_size(ui, LINES, COLS);
}

struct ui *ui_open(const struct ui_options *o, char *err, size_t errlen)
{
	struct ui *ui;

	if (!ui_term_usable(err, errlen))
		return NULL;
	ui = calloc(1, sizeof(*ui));
	if (ui)
		ui->dl = calloc(UI_MAX_DLINES, sizeof(*ui->dl));
	if (!ui || !ui->dl) {
		free(ui);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o)
		ui->opts = *o;
	ui->in_fd = STDIN_FILENO;
	ui->out_fd = STDOUT_FILENO;
	ui->utf8 = ui_locale_utf8();
	ui->scr = newterm(NULL, stdout, stdin);
	if (!ui->scr) {
		snprintf(err, errlen, "cannot open the terminal: no full-screen view");
		free(ui->dl);
		free(ui);
		return NULL;
	}
	ui_live = ui;
	if (!getenv("ESCDELAY"))     /* the operator's own setting wins (slow remote consoles) */
		set_escdelay(UI_ESCDELAY_MS);
	cbreak();
	noecho();
	nonl();
	curs_set(0);                 /* ERR on a vt100, which has no way to hide it */
	leaveok(stdscr, TRUE);       /* no cursor homing after each update: fewer bytes */
	ui->inwin = newwin(1, 1, 0, 0);
	if (!ui->inwin) {
		snprintf(err, errlen, "cannot open the terminal: no full-screen view");
		ui_close(ui);
		return NULL;
	}
	keypad(ui->inwin, TRUE);
	nodelay(ui->inwin, TRUE);
	untouchwin(ui->inwin);
	ui_colors_init(ui);
	ui_glyphs_init(ui);
	ui->pin_rows = ui->opts.rows > 0 ? ui->opts.rows : 0;
	ui->pin_cols = ui->opts.cols > 0 ? ui->opts.cols : 0;
	if (ui->pin_rows || ui->pin_cols)
		ui_apply_size(ui, LINES, COLS);
	ui->follow_verdict = true;
	ui->focus = UI_FOCUS_DIAGRAM;
	ui->boot_tv.match = ui->rescue_tv.match = -1;
	hist_init(&ui->hist);
	ui->dirty = true;
	return ui;
}

void ui_restore_terminal(void)
{
	if (ui_live && !isendwin())
		endwin();
}

void ui_suspend(struct ui *ui)
{
	if (ui && ui->scr && !isendwin())
		endwin();
}

void ui_resume(struct ui *ui)
{
	if (!ui || !ui->scr)
		return;
	/* endwin() even when we did not stop ourselves (SIGSTOP): the next doupdate() then
	 * sends every mode curses needs again, whatever the terminal went through meanwhile */
	if (!isendwin())
		endwin();
	ui_touch(ui);
}

void ui_close(struct ui *ui)
{
	if (!ui)
		return;
	ui_overlay_free(ui);
	ui_textview_free(ui);
	if (ui->inwin)
		delwin(ui->inwin);
	if (ui->scr) {
		if (!isendwin())
			endwin();
		delscreen(ui->scr);
	}
	if (ui_live == ui)
		ui_live = NULL;
	free(ui->dl);
	free(ui);
}

int ui_fd(const struct ui *ui)
{
	return ui ? ui->in_fd : -1;
}

void ui_touch(struct ui *ui)
{
	if (!ui)
		return;
	ui->clear_pending = true;
	ui->dirty = true;
}

/* ---- keys ---- */

static const struct ui_key *ui_key_lookup(unsigned ctx, int ch)
{
	for (int i = 0; i < ui_n_keys; i++) {
		if (!(ui_keys[i].ctx & ctx))
			continue;
		for (int k = 0; k < UI_KEYS_PER_ROW && ui_keys[i].keys[k]; k++)
			if (ui_keys[i].keys[k] == ch)
				return &ui_keys[i];
	}
	return NULL;
}

static void ui_select(struct ui *ui, int c)
{
	ui->sel = (enum comp_id)((c + COMP_COUNT) % COMP_COUNT);
	ui->follow_verdict = false;
}

/* Keeps the cursor's check visible, and all of its block when the block fits. */
static void ui_detail_show_cursor(struct ui *ui)
{
	int first, last, rows = ui->detail_rows > 0 ? ui->detail_rows : 1;
	int *top = &ui->detail_top[ui->sel];

	ui_detail_block(ui, ui->check_cur[ui->sel], &first, &last);
	if (last - first + 1 > rows)
		last = first + rows - 1;
	if (last >= *top + rows)
		*top = last - rows + 1;
	if (first < *top)
		*top = first;
	if (*top > ui->n_dl - rows)
		*top = ui->n_dl - rows;
	if (*top < 0)
		*top = 0;
}

/* Down: scroll through a long block first, then move to the next check. */
static void ui_detail_step(struct ui *ui, const struct model *m, int dir)
{
	enum check_id ids[CK_COUNT];
	int n = ui_comp_checks(ui, ui->sel, ids);
	int *cur = &ui->check_cur[ui->sel], *top = &ui->detail_top[ui->sel];
	int first, last, rows = ui->detail_rows > 0 ? ui->detail_rows : 1;

	ui_detail_build(ui, m, ui->detail_cols);
	ui_detail_block(ui, *cur, &first, &last);
	if (dir > 0 && last >= *top + rows) {
		(*top)++;
		return;
	}
	if (dir < 0 && first < *top) {
		(*top)--;
		return;
	}
	if (*cur + dir < 0 || *cur + dir >= n)
		return;
	*cur += dir;
	ui_detail_build(ui, m, ui->detail_cols);
	ui_detail_show_cursor(ui);
}

static void ui_log_scroll(struct ui *ui, const struct model *m, int delta)
{
	int max = m->log_len - (ui->log_rows > 0 ? ui->log_rows : 1);

	ui->log_back += delta;
	if (ui->log_back > max)
		ui->log_back = max;
	if (ui->log_back < 0)
		ui->log_back = 0;
}

static void ui_help_scroll(struct ui *ui, int delta)
{
	int max = ui_help_lines(ui) - (LINES - 4);

	ui->help_top += delta;
	if (ui->help_top > max)
		ui->help_top = max;
	if (ui->help_top < 0)
		ui->help_top = 0;
}

static bool ui_log_visible(const struct ui *ui)
{
	return ui->log_rows > 0;
}

static void ui_move(struct ui *ui, const struct model *m, enum ui_cmd cmd)
{
	int page = ui->detail_rows > 1 ? ui->detail_rows - 1 : 1;

	if (ui->overlay == UI_OV_MENU)
		return;                  /* the menu moves itself (ui_menu_key) */
	if (ui->overlay == UI_OV_HELP) {
		int hp = LINES > 6 ? LINES - 6 : 1;
		int d = cmd == UI_CMD_UP ? -1 : cmd == UI_CMD_DOWN ? 1 : cmd == UI_CMD_PGUP ? -hp
			: cmd == UI_CMD_PGDN ? hp : cmd == UI_CMD_HOME ? -10000 : 10000;

		ui_help_scroll(ui, d);
		return;
	}
	if (ui->focus == UI_FOCUS_LOG) {
		int lp = ui->log_rows > 1 ? ui->log_rows - 1 : 1;
		int d = cmd == UI_CMD_UP ? 1 : cmd == UI_CMD_DOWN ? -1 : cmd == UI_CMD_PGUP ? lp
			: cmd == UI_CMD_PGDN ? -lp : cmd == UI_CMD_HOME ? MODEL_LOG_MAX
			: -MODEL_LOG_MAX;

		ui_log_scroll(ui, m, d);
		return;
	}
	switch (cmd) {
	case UI_CMD_UP:
		ui_detail_step(ui, m, -1);
		break;
	case UI_CMD_DOWN:
		ui_detail_step(ui, m, 1);
		break;
	case UI_CMD_PGUP:
		for (int i = 0; i < page; i++)
			ui_detail_step(ui, m, -1);
		break;
	case UI_CMD_PGDN:
		for (int i = 0; i < page; i++)
			ui_detail_step(ui, m, 1);
		break;
	case UI_CMD_HOME:
	case UI_CMD_END: {
		enum check_id ids[CK_COUNT];
		int n = ui_comp_checks(ui, ui->sel, ids);

		ui->check_cur[ui->sel] = cmd == UI_CMD_HOME ? 0 : n - 1;
		ui_detail_build(ui, m, ui->detail_cols);
		ui_detail_show_cursor(ui);
		break;
	}
	default:
		break;
	}
}

static void ui_toggle_expand(struct ui *ui, const struct model *m)
{
	enum check_id ck = ui_cursor_check(ui);
	int first, last;

	ui_detail_build(ui, m, ui->detail_cols);
	ui_detail_block(ui, ui->check_cur[ui->sel], &first, &last);
	/* toggle what the operator sees, and pin it */
	ui->expand[ck] = last > first ? UI_EXP_CLOSED : UI_EXP_OPEN;
	ui_detail_build(ui, m, ui->detail_cols);
	ui_detail_show_cursor(ui);
}

static void ui_msg_clear(struct ui *ui)
{
	ui->msg[0] = '\0';
	ui->msg_rows = ui->msg_cols = 0;
}

/* A status message about the size; ui_draw() drops it once the size moves on. */
static void ui_size_msg(struct ui *ui, const char *more)
{
	snprintf(ui->msg, sizeof(ui->msg), "Terminal size %dx%d%s", COLS, LINES, more);
	ui->msg_rows = LINES;
	ui->msg_cols = COLS;
}

/* The size query for consoles that send no SIGWINCH: ask the terminal where the cursor
 * lands when sent to row 999, column 999 (what xterm's resize(1) does).  The answer
 * arrives as input and is parsed by ui_cpr_feed(). */
static void ui_query_size(struct ui *ui)
{
	static const char q[] = "\0337\033[999;999H\033[6n\0338";
	ssize_t w;

	ui_size_from_tty(ui);
	ui_size_msg(ui, ", asking the terminal...");
	do
		w = write(ui->out_fd, q, sizeof(q) - 1);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)sizeof(q) - 1) {
		ui->cpr_active = true;
		ui->cpr_state = 0;
		ui->cpr_deadline_ms = ui_now_ms() + UI_CPR_WAIT_MS;
	}
}

/* Feeds one input byte to the parser of ESC [ rows ; cols R.  True if it was consumed. */
static bool ui_cpr_feed(struct ui *ui, int ch)
{
	if (!ui->cpr_active)
		return false;
	if (ui_now_ms() > ui->cpr_deadline_ms) {
		ui->cpr_active = false;
		return false;
	}
	switch (ui->cpr_state) {
	case 0:
		if (ch != UI_ESC)
			return false;
		ui->cpr_rows = ui->cpr_cols = 0;
		ui->cpr_state = 1;
		return true;
	case 1:
		if (ch != '[')
			break;
		ui->cpr_state = 2;
		return true;
	case 2:
	case 3: {
		int *v = ui->cpr_state == 2 ? &ui->cpr_rows : &ui->cpr_cols;

		if (ch >= '0' && ch <= '9' && *v < 10000) {
			*v = *v * 10 + (ch - '0');
			return true;
		}
		if (ch == ';' && ui->cpr_state == 2) {
			ui->cpr_state = 3;
			return true;
		}
		if (ch == 'R' && ui->cpr_state == 3) {
			ui->cpr_active = false;
			/* the terminal knows best: this overrides --lines/--cols too */
			ui->pin_rows = ui->cpr_rows;
			ui->pin_cols = ui->cpr_cols;
			ui->pin_by_cpr = true;
			ui_tty_size(ui, &ui->pin_tty_rows, &ui->pin_tty_cols);
			ui_apply_size(ui, ui->cpr_rows, ui->cpr_cols);
			ui->dirty = true;
			ui_size_msg(ui, "");
			return true;
		}
		break;
	}
	}
	ui->cpr_state = 0;
	return false;
}

/* wgetch() found nothing although poll() said the terminal was readable: a hangup, an
 * error, or "readable" with no byte to read, which is end of file. */
static bool ui_tty_gone(const struct ui *ui)
{
	struct pollfd p = {ui->in_fd, POLLIN, 0};
	int avail = 0;

	if (poll(&p, 1, 0) < 0)
		return errno != EINTR && errno != EAGAIN && errno != ENOMEM;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	if (!(p.revents & POLLIN))
		return false;
	return ioctl(ui->in_fd, FIONREAD, &avail) != 0 || avail == 0;
}

static void ui_focus_move(struct ui *ui, int dir)
{
	int n = ui_log_visible(ui) ? UI_FOCUS_COUNT : UI_FOCUS_COUNT - 1;

	ui->focus = (enum ui_focus)(((int)ui->focus + dir + n) % n);
}

static enum ui_action ui_command(struct ui *ui, const struct model *m, const struct ui_key *k,
				 int ch)
{
	switch (k->cmd) {
	case UI_CMD_PANE_PREV:
		ui_select(ui, (int)ui->sel - 1);
		break;
	case UI_CMD_PANE_NEXT:
		ui_select(ui, (int)ui->sel + 1);
		break;
	case UI_CMD_PANE_JUMP:
		ui_select(ui, ch - '1');
		break;
	case UI_CMD_UP:
	case UI_CMD_DOWN:
	case UI_CMD_PGUP:
	case UI_CMD_PGDN:
	case UI_CMD_HOME:
	case UI_CMD_END:
		ui_move(ui, m, k->cmd);
		break;
	case UI_CMD_FOCUS_NEXT:
		ui_focus_move(ui, 1);
		break;
	case UI_CMD_FOCUS_PREV:
		ui_focus_move(ui, -1);
		break;
	case UI_CMD_EXPAND:
		if (ui->focus != UI_FOCUS_LOG)
			ui_toggle_expand(ui, m);
		break;
	case UI_CMD_RERUN:
		return UI_RERUN;
	case UI_CMD_FIX:
		ui->overlay = UI_OV_MENU;
		break;
	case UI_CMD_BOOTLOG:
		ui->overlay = UI_OV_BOOTLOG;
		ui->searching = false;
		ui->tv_msg[0] = '\0';
		break;
	case UI_CMD_RESCUE:
		ui_rescue_open(ui, m);
		break;
	case UI_CMD_HELP:
		ui->overlay = UI_OV_HELP;
		ui->help_top = 0;
		break;
	case UI_CMD_REPAINT:
		ui->clear_pending = true;
		break;
	case UI_CMD_RESIZE:
		ui_query_size(ui);
		break;
	case UI_CMD_CLOSE:
		ui->overlay = UI_OV_NONE;
		break;
	case UI_CMD_QUIT:
		return UI_QUIT;
	case UI_CMD_NONE:
		break;
	}
	return UI_NONE;
}

int ui_fix_choice(const struct ui *ui)
{
	return ui ? ui->fix_choice : -1;
}

enum ui_action ui_input(struct ui *ui, const struct model *m)
{
	enum ui_action act = UI_NONE;
	bool resized = false;

	if (!ui)
		return UI_NONE;
	for (int n = 0; n < UI_INPUT_MAX && act == UI_NONE; n++) {
		unsigned ctx = ui->overlay == UI_OV_HELP ? UI_CTX_HELP
			       : ui->overlay == UI_OV_MENU ? UI_CTX_MENU : UI_CTX_MAIN;
		const struct ui_key *k;
		int ch;

		untouchwin(ui->inwin);
		ch = wgetch(ui->inwin);
		if (ch == ERR) {
			if (n == 0 && ui_tty_gone(ui))
				return UI_HANGUP;
			break;
		}
		if (ui_cpr_feed(ui, ch))
			continue;
		ui->dirty = true;
		if (ch == KEY_RESIZE) {
			/* curses already resized (or our own resizeterm() queued it); a storm of
			 * these costs one repaint */
			resized = true;
			continue;
		}
		ui_msg_clear(ui);
		if (ui->overlay == UI_OV_BOOTLOG || ui->overlay == UI_OV_RESCUE) {
			/* Ctrl-L everywhere, and "=" where it cannot be typed text */
			k = ch == UI_CTRL('L') || (ch == '=' && ui->overlay == UI_OV_BOOTLOG &&
						   !ui->searching) ? ui_key_lookup(UI_CTX_ALL, ch) : NULL;
			if (k)
				act = ui_command(ui, m, k, ch);
			else if (ui->overlay == UI_OV_BOOTLOG)
				act = ui_bootlog_key(ui, m, ch);
			else
				act = ui_rescue_key(ui, m, ch);
			continue;
		}
		if (ui->overlay == UI_OV_PREVIEW) {
			act = ui_preview_key(ui, m, ch);
			continue;
		}
		if (ui->overlay == UI_OV_MENU && ui_menu_key(ui, ch)) {
			act = ui->pending_act;
			ui->pending_act = UI_NONE;
			continue;
		}
		k = ui_key_lookup(ctx, ch);
		if (k)
			act = ui_command(ui, m, k, ch);
		else if (ctx == UI_CTX_MAIN)
			snprintf(ui->msg, sizeof(ui->msg), "Unknown key: press ? for help");
	}
	if (resized)
		ui_size_from_tty(ui);
	return act;
}

/* Layout-independent state updates before a draw: size checks, the verdict following,
 * a new round. */
static void ui_sync(struct ui *ui, const struct model *m)
{
	ui_refresh_clean(ui, m);     /* which checks the panes list, before indexing them */
	if (m->round != ui->seen_round) {
		ui->seen_round = m->round;
		ui_msg_clear(ui);
		ui->verdict_seen = false;
		for (int i = 0; i < CK_COUNT; i++)
			if (ui->expand[i] == UI_EXP_CLOSED)
				ui->expand[i] = UI_EXP_AUTO;
	}
	if (m->verdict.present && !ui->verdict_seen && m->verdict.comp < COMP_COUNT) {
		ui->verdict_seen = true;
		if (ui->follow_verdict) {
			enum check_id ids[CK_COUNT];
			int n = ui_comp_checks(ui, m->verdict.comp, ids);

			ui->sel = m->verdict.comp;
			for (int i = 0; i < n; i++)
				if (ids[i] == m->verdict.check)
					ui->check_cur[ui->sel] = i;
			ui->detail_top[ui->sel] = 0;
		}
	}
}

bool ui_draw(struct ui *ui, const struct model *m)
{
	if (!ui || !m)
		return false;
	/* A SIGWINCH only interrupts the loop's poll(): notice the new size here too.  Costs
	 * one ioctl; a serial line's size does not change, so it never repaints there. */
	ui_size_from_tty(ui);
	if (ui->drawn_once && !ui->dirty &&
	    m->generation == ui->drawn_gen && m->round == ui->seen_round)
		return false;
	if (ui->msg_rows && (ui->msg_rows != LINES || ui->msg_cols != COLS))
		ui_msg_clear(ui);
	ui_sync(ui, m);
	ui_refresh_clean(ui, m);
	if (ui->clear_pending) {
		clearok(curscr, TRUE);
		ui->clear_pending = false;
	}
	ui_view_draw(ui, m);
	ui_overlay_draw(ui, m);
	/* stdscr first (the panel deck only holds it once a panel exists), then the overlays,
	 * which ui_overlay_draw() touched so they land on top */
	wnoutrefresh(stdscr);
	update_panels();
	doupdate();
	ui->drawn_once = true;
	ui->drawn_rows = LINES;
	ui->drawn_cols = COLS;
	ui->dirty = false;
	ui->drawn_gen = m->generation;
	return true;
}
