/* ui_textview: the two text screens over everything — the boot-log viewer (the VM's serial
 * log, signature lines marked, searchable) and the rescue console (shell commands on the VM
 * by Run Command, their output scrolling back) — sharing one scrollable text view.
 *
 * Both read only the model (struct boot_log, struct rescue); the console hands a typed
 * command to the loop as UI_RESCUE_RUN.  Each draw erases and repaints the window; curses
 * sends only the cells that changed, so a tick of the elapsed time costs a few bytes.
 * Every line is cleaned (ui_text_clean) before it is drawn: serial logs and guest output
 * hold escapes.  Meaning never by attribute alone: signature lines carry '!', the line a
 * search found '>'. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ui/ui_priv.h"
#include "util/sanitize.h"

#define UI_CTRL(c) ((c) & 0x1f)
#define UI_TV_GUTTER 3           /* the boot log's marks ('>' found, '!' signature), a space */
#define UI_TV_LINE_MAX 2048      /* bytes of one line cleaned for the screen */

static const char ui_rescue_note[] =
	"Each command is a separate, non-interactive Run Command on the VM: as root, no "
	"terminal, no input, stopped after about 90 s; Azure answers in 20-60 s and keeps the "
	"last 4 KiB of output.  One at a time.  Enter run  Up/Down history  PgUp/PgDn scroll  "
	"Esc leave (the command goes on)";
/* where the whole note would take more than its rows */
static const char ui_rescue_note_short[] =
	"Each command: one non-interactive run, ~90 s limit; Esc leaves";

/* ---- the shared text view ---- */

static void ui_tv_sync(struct ui_tv *tv, const char *text, size_t len, unsigned serial)
{
	if (tv->indexed && tv->serial == serial)
		return;
	tv_index(&tv->idx, text, len);     /* out of memory: no line, the view stays empty */
	tv->indexed = true;
	tv->serial = serial;
	tv->match = -1;
	tv->placed = false;
}

static int ui_tv_page(const struct ui_tv *tv)
{
	return tv->rows > 1 ? tv->rows - 1 : 1;
}

static void ui_tv_scroll(struct ui_tv *tv, int delta)
{
	int n = tv->idx.n, rows = tv->rows > 0 ? tv->rows : 1;

	tv->top = tv_clamp(tv->top + delta, n, rows);
	tv->follow = tv->top >= tv_clamp(n, n, rows);
}

/* The scroll keys both screens share; false when ch is not one of them. */
static bool ui_tv_key(struct ui_tv *tv, int ch, bool letters)
{
	int page = ui_tv_page(tv);

	switch (ch) {
	case KEY_UP:
		ui_tv_scroll(tv, -1);
		return true;
	case KEY_DOWN:
		ui_tv_scroll(tv, 1);
		return true;
	case KEY_PPAGE:
		ui_tv_scroll(tv, -page);
		return true;
	case KEY_NPAGE:
		ui_tv_scroll(tv, page);
		return true;
	case KEY_HOME:
		ui_tv_scroll(tv, -tv->idx.n);
		return true;
	case KEY_END:
		ui_tv_scroll(tv, tv->idx.n);
		return true;
	}
	if (!letters)
		return false;
	switch (ch) {
	case 'k':
		return ui_tv_key(tv, KEY_UP, false);
	case 'j':
		return ui_tv_key(tv, KEY_DOWN, false);
	case 'b':
		return ui_tv_key(tv, KEY_PPAGE, false);
	case ' ':
		return ui_tv_key(tv, KEY_NPAGE, false);
	case 'g':
		return ui_tv_key(tv, KEY_HOME, false);
	case 'G':
		return ui_tv_key(tv, KEY_END, false);
	}
	return false;
}

/* Marks of line i of the boot log, "  " or ">!": the line the search found, a signature
 * line (with the attribute that doubles them). */
static attr_t ui_boot_mark(const struct ui_tv *tv, const struct boot_log *b, int i, char *mark)
{
	long line = b->first_line + i;
	attr_t a = A_NORMAL;

	mark[0] = mark[1] = ' ';
	for (int h = 0; h < b->n_hits; h++)
		if (b->hits[h].line == line) {
			mark[1] = '!';
			a = A_BOLD;
		}
	if (i == tv->match) {
		mark[0] = '>';
		a |= A_REVERSE;
	}
	return a;
}

/* Draws rows lines of the view from row y, cols columns; with a boot log, its marks. */
static void ui_tv_body(struct ui *ui, struct ui_tv *tv, const char *text, size_t len,
		       const struct boot_log *b, int y, int rows, int cols)
{
	WINDOW *w = ui->ov_win;
	char raw[UI_TV_LINE_MAX], clean[UI_TV_LINE_MAX];
	int x = b ? UI_TV_GUTTER : 0;

	tv->rows = rows;
	tv->top = tv_clamp(tv->follow ? tv->idx.n : tv->top, tv->idx.n, rows);
	for (int r = 0; r < rows; r++) {
		int i = tv->top + r;
		size_t n, at;
		attr_t a = A_NORMAL;

		if (i >= tv->idx.n)
			break;
		at = tv_line(&tv->idx, text, len, i, &n);
		if (n >= sizeof(raw))
			n = sizeof(raw) - 1;
		memcpy(raw, text + at, n);
		raw[n] = '\0';
		ui_text_clean_flags(ui, clean, sizeof(clean), raw, n + 1, SANITIZE_DROP_SGR);
		if (b) {
			char mark[2];

			a = ui_boot_mark(tv, b, i, mark);
			mvwaddnstr(w, y + r, 0, mark, 2);
		}
		wattron(w, a);
		ui_puts(ui, w, y + r, x, clean, cols - x);
		wattroff(w, a);
	}
}

/* A screen's title: reverse across the first row. */
static void ui_tv_title(struct ui *ui, const char *title, int cols)
{
	wattron(ui->ov_win, A_REVERSE | A_BOLD);
	mvwhline(ui->ov_win, 0, 0, ' ', cols);
	ui_puts(ui, ui->ov_win, 0, 1, title, cols - 2);
	wattroff(ui->ov_win, A_REVERSE | A_BOLD);
}

static void ui_vm_name(const struct ui *ui, const struct model *m, char *out, size_t len)
{
	const char *slash = strrchr(m->target.azure_vm, '/');
	const char *name = slash ? slash + 1 : m->target.host;

	ui_text_clean(ui, out, len, name, strlen(name) + 1);
}

/* ---- the boot-log viewer ---- */

/* "line X-Y of N, 2 signature lines: emergency mode (line 812)"; on a narrow screen
 * "line X-Y/N ! 812 790". */
static void ui_boot_status(const struct ui_tv *tv, const struct boot_log *b, bool narrow,
			   char *out, size_t len)
{
	long first = b->first_line + tv->top, n = b->first_line - 1 + tv->idx.n;
	long last = b->first_line + (tv->top + tv->rows < tv->idx.n ? tv->top + tv->rows
					 : tv->idx.n) - 1;
	size_t o = (size_t)snprintf(out, len, narrow ? "line %ld-%ld/%ld" : "line %ld-%ld of %ld",
				    first, last, n);

	if (narrow) {
		for (int h = 0; h < b->n_hits && o < len; h++)
			o += (size_t)snprintf(out + o, len - o, "%s%ld", h ? " " : " ! ",
					      b->hits[h].line);
		return;
	}

	if (b->n_hits == 0 && o < len)
		o += (size_t)snprintf(out + o, len - o, ", no known failure signature");
	else if (o < len)
		o += (size_t)snprintf(out + o, len - o, ", %d signature line%s:", b->n_hits,
				      b->n_hits == 1 ? "" : "s");
	/* each signature once, with its lines: "fstab mount failed (line 790, 791)" */
	for (int h = 0; h < b->n_hits && o < len; h++) {
		bool seen = false;
		int more = 0;

		for (int k = 0; k < h; k++)
			seen |= strncmp(b->hits[k].what, b->hits[h].what, sizeof(b->hits[h].what)) == 0;
		if (seen)
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s %.*s (line %ld", o && out[o - 1] == ':' ?
				      "" : ",", (int)sizeof(b->hits[h].what), b->hits[h].what,
				      b->hits[h].line);
		for (int k = h + 1; k < b->n_hits && o < len; k++)
			if (strncmp(b->hits[k].what, b->hits[h].what, sizeof(b->hits[h].what)) == 0 &&
			    more++ < 3)
				o += (size_t)snprintf(out + o, len - o, ", %ld", b->hits[k].line);
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, "%s)", more > 3 ? ", ..." : "");
	}
}

static void ui_boot_draw(struct ui *ui, const struct model *m)
{
	const struct boot_log *b = &m->boot_log;
	struct ui_tv *tv = &ui->boot_tv;
	int h = getmaxy(ui->ov_win), w = getmaxx(ui->ov_win), rows = h - 3;
	char title[160], vm[96], line[512], raw[512];

	ui_tv_sync(tv, b->text, b->len, b->serial);
	ui_vm_name(ui, m, vm, sizeof(vm));
	snprintf(title, sizeof(title), "Boot log of %s (serial console%s)", vm,
		 b->cut ? ", its last 256 KiB" : "");
	ui_tv_title(ui, title, w);
	if (b->len == 0) {
		/* nothing read: the check says why (or that it is still being read) */
		const struct check *k = &m->checks[CK_VM_BOOT_LOG];
		int y = 2, next, l;
		const char *s = line;

		if (k->state == ST_PENDING || k->state == ST_RUNNING)
			snprintf(line, sizeof(line), "The serial log is being read: this round is "
				 "still running.");
		else
			snprintf(line, sizeof(line), "No serial log was read: %s",
				 ui->clean[CK_VM_BOOT_LOG].summary[0] ?
				 ui->clean[CK_VM_BOOT_LOG].summary : "the triage did not ask Azure");
		for (l = (int)strlen(s); l > 0 && y < h - 2; y++) {
			int n = ui_text_wrap(ui, s, l, w - 4, &next);

			ui_put(ui, ui->ov_win, y, 2, s, n, w - 4);
			s += next;
			l -= next;
		}
		ui_puts(ui, ui->ov_win, h - 1, 1, "q close", w - 2);
		return;
	}
	if (!tv->placed) {
		/* opened on the first signature line, in context: what the operator came for */
		tv->placed = true;
		tv->rows = rows;
		tv->top = b->n_hits ? tv_show(0, (int)(b->hits[0].line - b->first_line),
					      tv->idx.n, rows, rows / 3) : 0;
	}
	ui_tv_body(ui, tv, b->text, b->len, b, 1, rows, w);
	ui_boot_status(tv, b, w < 60, line, sizeof(line));
	ui_text_clean(ui, raw, sizeof(raw), line, sizeof(line));
	wattron(ui->ov_win, A_BOLD);
	ui_puts(ui, ui->ov_win, h - 2, 1, raw, w - 2);
	wattroff(ui->ov_win, A_BOLD);
	if (ui->searching) {
		snprintf(line, sizeof(line), "/%s_", ui->search);
		ui_puts(ui, ui->ov_win, h - 1, 0, line, w);
	} else if (ui->tv_msg[0]) {
		ui_puts(ui, ui->ov_win, h - 1, 1, ui->tv_msg, w - 2);
	} else {
		ui_puts(ui, ui->ov_win, h - 1, 1, w >= 70 ? "j/k PgUp/PgDn g/G scroll  / search  "
			"n/N next/prev  ! failure  q close" : "j/k scroll  / search  n/N  q close",
			w - 2);
	}
}

static void ui_boot_search(struct ui *ui, const struct model *m, int dir, bool again)
{
	const struct boot_log *b = &m->boot_log;
	struct ui_tv *tv = &ui->boot_tv;
	bool wrapped;
	int from, i;
	char needle[UI_INPUT_LEN];

	if (!ui->search[0]) {
		snprintf(ui->tv_msg, sizeof(ui->tv_msg), "No search yet: / to type one");
		return;
	}
	from = tv->match >= 0 ? tv->match + (again ? dir : 0) : dir > 0 ? tv->top : tv->top + tv->rows - 1;
	i = tv_find(&tv->idx, b->text, b->len, ui->search, from, dir, &wrapped);
	/* what the operator typed is shown cleaned; it came from the keyboard, still */
	ui_text_clean(ui, needle, sizeof(needle), ui->search, sizeof(ui->search));
	if (i < 0) {
		snprintf(ui->tv_msg, sizeof(ui->tv_msg), "Not found: %.60s", needle);
		return;
	}
	tv->match = i;
	tv->top = tv_show(tv->top, i, tv->idx.n, tv->rows, 2);
	tv->follow = false;
	snprintf(ui->tv_msg, sizeof(ui->tv_msg), "%s%.50s: line %ld%s", dir > 0 ? "/" : "?",
		 needle, b->first_line + i, wrapped ? dir > 0 ? " (wrapped to the top)"
		 : " (wrapped to the bottom)" : "");
}

enum ui_action ui_bootlog_key(struct ui *ui, const struct model *m, int ch)
{
	struct ui_tv *tv = &ui->boot_tv;

	ui->tv_msg[0] = '\0';
	ui_tv_sync(tv, m->boot_log.text, m->boot_log.len, m->boot_log.serial);
	if (ui->searching) {
		if (ch == UI_ESC) {
			ui->searching = false;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			ui->searching = false;
			tv->match = -1;
			ui_boot_search(ui, m, 1, false);
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && ui->search_len > 0) {
			ui->search[--ui->search_len] = '\0';
		} else if (ch >= 32 && ch < 127 && ui->search_len < UI_INPUT_LEN - 1) {
			ui->search[ui->search_len++] = (char)ch;
			ui->search[ui->search_len] = '\0';
		}
		return UI_NONE;
	}
	if (ui_tv_key(tv, ch, true))
		return UI_NONE;
	switch (ch) {
	case '/':
		ui->searching = true;
		ui->search_len = 0;
		ui->search[0] = '\0';
		break;
	case 'n':
		ui_boot_search(ui, m, 1, true);
		break;
	case 'N':
		ui_boot_search(ui, m, -1, true);
		break;
	case 'q':
	case UI_ESC:
		ui->overlay = UI_OV_NONE;
		break;
	default:
		snprintf(ui->tv_msg, sizeof(ui->tv_msg), "Unknown key here: q closes the boot log");
		break;
	}
	return UI_NONE;
}

/* ---- the rescue console ---- */

void ui_rescue_open(struct ui *ui, const struct model *m)
{
	if (!m->target.azure_vm[0]) {
		snprintf(ui->msg, sizeof(ui->msg), "No rescue console: Run Command needs the Azure "
			 "VM (--azure-vm)");
		return;
	}
	ui->overlay = UI_OV_RESCUE;
	ui->rescue_tv.follow = true;
	ui->tv_msg[0] = '\0';
}

const char *ui_rescue_command(const struct ui *ui)
{
	return ui ? ui->rescue_cmd : "";
}

static void ui_rescue_status(const struct model *m, char *out, size_t len)
{
	const struct rescue *r = &m->rescue;

	if (r->state == ST_RUNNING)
		snprintf(out, len, "running for %ld s%s", r->elapsed_ms / 1000,
			 r->queued ? "; the next waits (Azure runs one at a time)" : "");
	else if (r->queued)
		snprintf(out, len, "the command waits for the probes or a remedy to end");
	else if (r->state == ST_PENDING)
		snprintf(out, len, "no command run yet");
	else
		snprintf(out, len, "last: %.*s", (int)sizeof(r->status), r->status);
}

static void ui_rescue_draw(struct ui *ui, const struct model *m)
{
	struct ui_tv *tv = &ui->rescue_tv;
	int h = getmaxy(ui->ov_win), w = getmaxx(ui->ov_win), y = 1, next, l, max_note;
	char title[160], vm[96], line[UI_INPUT_LEN + CHECK_SUMMARY_LEN + 64], clean[sizeof(line)];
	const char *s = ui_rescue_note;

	ui_tv_sync(tv, m->rescue.text, m->rescue.len, m->rescue.serial);
	ui_vm_name(ui, m, vm, sizeof(vm));
	snprintf(title, sizeof(title), "Rescue console: %s (Azure Run Command)", vm);
	ui_tv_title(ui, title, w);
	/* the note: never more than a third of the screen; the short one when it would be */
	max_note = (h - 4) / 3 > 1 ? (h - 4) / 3 : 1;
	for (int lines = 0, left = (int)strlen(s); left > 0; lines++) {
		ui_text_wrap(ui, s, left, w - 2, &next);
		s += next;
		left -= next;
		if (lines >= max_note) {
			s = ui_rescue_note_short;
			break;
		}
	}
	if (s != ui_rescue_note_short)
		s = ui_rescue_note;
	wattron(ui->ov_win, A_BOLD);
	for (l = (int)strlen(s); l > 0 && y <= max_note; y++) {
		int n = ui_text_wrap(ui, s, l, w - 2, &next);

		ui_put(ui, ui->ov_win, y, 1, s, n, w - 2);
		s += next;
		l -= next;
	}
	wattroff(ui->ov_win, A_BOLD);
	ui_fill(ui->ov_win, y, 0, w, &ui->g.hl);
	y++;
	ui_tv_body(ui, tv, m->rescue.text, m->rescue.len, NULL, y, h - 2 - y, w);
	ui_fill(ui->ov_win, h - 2, 0, w, &ui->g.hl);
	if (ui->tv_msg[0])
		snprintf(line, sizeof(line), " %s ", ui->tv_msg);
	else {
		ui_rescue_status(m, line + 1, sizeof(line) - 2);
		line[0] = ' ';
		strcat(line, " ");
	}
	ui_text_clean(ui, clean, sizeof(clean), line, sizeof(line));
	wattron(ui->ov_win, A_BOLD);
	ui_puts(ui, ui->ov_win, h - 2, 2, clean, w - 4);
	wattroff(ui->ov_win, A_BOLD);
	/* the input line: its end when it is longer than the screen */
	{
		int room = w - 3, len = ui->rescue_in_len;
		const char *in = ui->rescue_in + (len > room ? len - room : 0);

		snprintf(line, sizeof(line), "$ %s_", in);
		ui_puts(ui, ui->ov_win, h - 1, 0, line, w);
	}
}

static void ui_rescue_set_input(struct ui *ui, const char *s)
{
	snprintf(ui->rescue_in, sizeof(ui->rescue_in), "%s", s);
	ui->rescue_in_len = (int)strlen(ui->rescue_in);
}

enum ui_action ui_rescue_key(struct ui *ui, const struct model *m, int ch)
{
	struct ui_tv *tv = &ui->rescue_tv;
	const char *h;

	ui->tv_msg[0] = '\0';
	ui_tv_sync(tv, m->rescue.text, m->rescue.len, m->rescue.serial);
	switch (ch) {
	case KEY_UP:
		if (ui->hist.pos < 0)
			snprintf(ui->rescue_draft, sizeof(ui->rescue_draft), "%s", ui->rescue_in);
		h = hist_prev(&ui->hist);
		if (h)
			ui_rescue_set_input(ui, h);
		return UI_NONE;
	case KEY_DOWN:
		h = hist_next(&ui->hist);
		ui_rescue_set_input(ui, h ? h : ui->rescue_draft);
		return UI_NONE;
	case UI_ESC:
		ui->overlay = UI_OV_NONE;
		return UI_NONE;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (!ui->rescue_in_len)
			return UI_NONE;
		if (m->rescue.queued) {
			snprintf(ui->tv_msg, sizeof(ui->tv_msg), "One command waits already (Azure "
				 "runs one at a time): Enter again after it");
			return UI_NONE;
		}
		/* while one runs, the loop holds this one back; the status line says so */
		snprintf(ui->rescue_cmd, sizeof(ui->rescue_cmd), "%s", ui->rescue_in);
		hist_add(&ui->hist, ui->rescue_in);
		ui_rescue_set_input(ui, "");
		ui->rescue_draft[0] = '\0';
		tv->follow = true;
		return UI_RESCUE_RUN;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (ui->rescue_in_len > 0)
			ui->rescue_in[--ui->rescue_in_len] = '\0';
		return UI_NONE;
	case UI_CTRL('U'):
		ui_rescue_set_input(ui, "");
		return UI_NONE;
	}
	if (ch == 'q' && !ui->rescue_in_len) {
		ui->overlay = UI_OV_NONE;
		return UI_NONE;
	}
	if (ui_tv_key(tv, ch, false))
		return UI_NONE;
	if (ch >= 32 && ch < 127 && ui->rescue_in_len < UI_INPUT_LEN - 1) {
		ui->rescue_in[ui->rescue_in_len++] = (char)ch;
		ui->rescue_in[ui->rescue_in_len] = '\0';
	}
	return UI_NONE;
}

/* ---- both ---- */

void ui_textview_draw(struct ui *ui, const struct model *m)
{
	if (ui->ov_built != ui->overlay) {
		if (!ui_overlay_window(ui, LINES, COLS))
			return;
		ui->ov_built = ui->overlay;
	}
	werase(ui->ov_win);
	if (ui->overlay == UI_OV_BOOTLOG)
		ui_boot_draw(ui, m);
	else
		ui_rescue_draw(ui, m);
}

void ui_textview_free(struct ui *ui)
{
	tv_free(&ui->boot_tv.idx);
	tv_free(&ui->rescue_tv.idx);
	ui->boot_tv.indexed = ui->rescue_tv.indexed = false;
}
