/* ui_view: paints the main screen (title, path diagram, verdict, checks, log, status) from
 * the model and the view state.  No I/O: everything goes to stdscr, and ui_draw() sends it.
 *
 * The screen is erased and redrawn into stdscr on every draw; curses compares it with what
 * the terminal shows and sends only the cells that differ, so this costs nothing on the line.
 * Meaning is always in the text (markers, "BROKEN", "[Name]", box shapes); colour and
 * reverse video are extras. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/remedy.h"
#include "ui/ui_priv.h"

#define UI_PANE_H 5              /* border, title, marker, hint, border */
#define UI_INDENT 9              /* evidence lines start under the check title */

/* ---- small helpers ---- */

static attr_t ui_state_attr(const struct ui *ui, enum state s)
{
	if (!ui->color)
		return s == ST_FAIL ? A_BOLD : A_NORMAL;
	switch (s) {
	case ST_FAIL:
		return COLOR_PAIR(1) | A_BOLD;
	case ST_OK:
		return COLOR_PAIR(2);
	case ST_WARN:
	case ST_UNKNOWN:
		return COLOR_PAIR(3);
	default:
		return A_NORMAL;
	}
}

static void ui_counts(const struct ui *ui, const struct model *m, enum comp_id c, int *ok,
		      int *fin, int *total)
{
	enum check_id ids[CK_COUNT];
	int n = ui_comp_checks(ui, c, ids);

	*ok = *fin = 0;
	*total = n;
	for (int i = 0; i < n; i++) {
		enum state s = m->checks[ids[i]].state;

		*ok += s == ST_OK;
		*fin += s != ST_PENDING && s != ST_RUNNING;
	}
}

/* The pane's one-line hint: progress while running, then how many checks passed. */
static void ui_hint(const struct ui *ui, const struct model *m, enum comp_id c, char *buf,
		    size_t len)
{
	int ok, fin, total;

	ui_counts(ui, m, c, &ok, &fin, &total);
	if (m->comp_state[c] == ST_SKIPPED)
		snprintf(buf, len, "n/a");
	else if (fin == 0 && m->comp_state[c] == ST_PENDING)
		snprintf(buf, len, "waiting");
	else if (fin < total)
		snprintf(buf, len, "%d/%d done", fin, total);
	else
		snprintf(buf, len, "%d/%d ok", ok, total);
}

static bool ui_is_verdict(const struct model *m, enum comp_id c)
{
	return m->verdict.present && m->verdict.comp == c;
}

static const char *ui_verdict_tag(const struct model *m)
{
	return m->verdict.confidence == CONF_LIKELY ? "LIKELY" : "BROKEN";
}

static void ui_center(const struct ui *ui, int y, int x, int w, const char *s)
{
	int cols = ui_text_cols(ui, s, (int)strlen(s));

	ui_puts(ui, stdscr, y, x + (cols < w ? (w - cols) / 2 : 0), s, w);
}

/* A section rule: "-- Label ------- right --"; '=' and a reverse label when focused. */
static void ui_rule(const struct ui *ui, int y, int w, const char *label, const char *right,
		    bool focused)
{
	const cchar_t *hl = focused ? &ui->g.fhl : &ui->g.hl;
	int x = 2, rcols = right && *right ? ui_text_cols(ui, right, (int)strlen(right)) : 0;

	ui_fill(stdscr, y, 0, w, hl);
	attr_t a = focused ? A_REVERSE | A_BOLD : A_BOLD;
	wattron(stdscr, a);
	mvwaddch(stdscr, y, x, ' ');
	x += 1 + ui_puts(ui, stdscr, y, x + 1, label, w - x - rcols - 6);
	mvwaddch(stdscr, y, x, ' ');
	wattroff(stdscr, a);
	if (rcols && x + rcols + 5 < w) {
		mvwaddch(stdscr, y, w - rcols - 4, ' ');
		ui_puts(ui, stdscr, y, w - rcols - 3, right, rcols);
		mvwaddch(stdscr, y, w - 3, ' ');
	}
}

/* ---- title bar ---- */

static void ui_state_word(const struct model *m, char *buf, size_t len)
{
	if (!m->done)
		snprintf(buf, len, "running");
	else if (!m->verdict.present)
		snprintf(buf, len, "done: path works");
	else
		snprintf(buf, len, "done: %s at %s",
			 m->verdict.confidence == CONF_LIKELY ? "likely breaks" : "breaks",
			 comp_title(m->verdict.comp));
}

static void ui_draw_title(const struct ui *ui, const struct model *m, int w)
{
	char user[128], host[512], addr[128], target[800], right[4][160], state[64];
	long ms = m->elapsed_ms < 0 ? 0 : m->elapsed_ms;
	unsigned round = m->round ? m->round : 1;
	const char *prog = "sshtriage  ";
	int rcols, lcols, tcols, pcols = (int)strlen(prog), r;

	ui_text_clean(ui, user, sizeof(user), m->target.user, sizeof(m->target.user));
	ui_text_clean(ui, host, sizeof(host), m->target.host, sizeof(m->target.host));
	ui_text_clean(ui, addr, sizeof(addr), m->target.address,
		      sizeof(m->target.address));
	ui_state_word(m, state, sizeof(state));
	snprintf(target, sizeof(target), "%s%s%s:%d", user, *user ? "@" : "", host,
		 m->target.port);
	if (*addr && strcmp(addr, host) != 0) {
		size_t n = strlen(target);

		snprintf(target + n, sizeof(target) - n, " (%s)", addr);
	}
	/* the right side gets shorter before the target is cut; the state word stays */
	snprintf(right[0], sizeof(right[0]), "round %u  %ld.%lds  %s", round, ms / 1000,
		 ms % 1000 / 100, state);
	snprintf(right[1], sizeof(right[1]), "r%u %ld.%lds %s", round, ms / 1000,
		 ms % 1000 / 100, state);
	snprintf(right[2], sizeof(right[2]), "%s", state);
	snprintf(right[3], sizeof(right[3]), "%s", m->done ? "done" : "running");
	tcols = ui_text_cols(ui, target, (int)strlen(target));
	/* the longest right side that leaves the whole target, else the longest that leaves
	 * it 20 columns (the verdict line below says where it breaks anyway) */
	for (r = 0; r < 3; r++)
		if (pcols + tcols + 2 + ui_text_cols(ui, right[r], (int)strlen(right[r])) <= w - 2)
			break;
	if (r == 3)
		for (r = 0; r < 3; r++)
			if (pcols + 20 + 2 + ui_text_cols(ui, right[r], (int)strlen(right[r])) <=
			    w - 2)
				break;
	rcols = ui_text_cols(ui, right[r], (int)strlen(right[r]));

	wattron(stdscr, A_REVERSE);
	mvwhline(stdscr, 0, 0, ' ', w);
	lcols = ui_puts(ui, stdscr, 0, 1, prog, w - 2);
	ui_puts(ui, stdscr, 0, 1 + lcols, target, w - 1 - lcols - rcols - 2);
	if (rcols < w - 2) {
		wattron(stdscr, A_BOLD);
		ui_puts(ui, stdscr, 0, w - rcols - 1, right[r], rcols);
		wattroff(stdscr, A_BOLD);
	}
	wattroff(stdscr, A_REVERSE);
}

/* ---- the path diagram ---- */

static void ui_box(const struct ui *ui, int y, int x, int h, int w, bool dbl)
{
	const struct ui_glyphs *g = &ui->g;

	mvwadd_wch(stdscr, y, x, dbl ? &g->dul : &g->ul);
	ui_fill(stdscr, y, x + 1, w - 2, dbl ? &g->dhl : &g->hl);
	mvwadd_wch(stdscr, y, x + w - 1, dbl ? &g->dur : &g->ur);
	for (int i = 1; i < h - 1; i++) {
		mvwadd_wch(stdscr, y + i, x, dbl ? &g->dvl : &g->vl);
		mvwadd_wch(stdscr, y + i, x + w - 1, dbl ? &g->dvl : &g->vl);
	}
	mvwadd_wch(stdscr, y + h - 1, x, dbl ? &g->dll : &g->ll);
	ui_fill(stdscr, y + h - 1, x + 1, w - 2, dbl ? &g->dhl : &g->hl);
	mvwadd_wch(stdscr, y + h - 1, x + w - 1, dbl ? &g->dlr : &g->lr);
}

static void ui_draw_pane(const struct ui *ui, const struct model *m, enum comp_id c, int y,
			 int x, int w)
{
	bool sel = ui->sel == c, verdict = ui_is_verdict(m, c);
	enum state st = m->comp_state[c];
	char hint[32], title[32];
	/* the verdict's pane: reverse video inside, on top of the text tag below it */
	attr_t base = verdict ? (A_REVERSE | (ui->color ? COLOR_PAIR(1) : 0)) : A_NORMAL;

	wattrset(stdscr, sel ? A_BOLD : A_NORMAL);
	ui_box(ui, y, x, UI_PANE_H, w, sel);
	wattrset(stdscr, base);
	for (int i = 1; i < UI_PANE_H - 1; i++)
		mvwhline(stdscr, y + i, x + 1, ' ', w - 2);
	snprintf(title, sizeof(title), sel ? "[%s]" : "%s", comp_title(c));
	wattrset(stdscr, base | A_BOLD);
	ui_center(ui, y + 1, x + 1, w - 2, title);
	wattrset(stdscr, verdict ? base | A_BOLD : ui_state_attr(ui, st));
	ui_center(ui, y + 2, x + 1, w - 2, state_marker(st));
	wattrset(stdscr, base);
	ui_hint(ui, m, c, hint, sizeof(hint));
	ui_center(ui, y + 3, x + 1, w - 2, hint);
	if (verdict) {
		char tag[32];

		snprintf(tag, sizeof(tag), "^^ %s ^^", ui_verdict_tag(m));
		wattrset(stdscr, A_BOLD);
		ui_center(ui, y + UI_PANE_H, x, w, tag);
	}
	wattrset(stdscr, A_NORMAL);
}

static int ui_draw_diagram_full(const struct ui *ui, const struct model *m, int y, int w)
{
	int gap = w >= 100 ? 3 : 2;
	int pw = (w - 2 - (COMP_COUNT - 1) * gap) / COMP_COUNT;
	int x;

	if (pw > 24)
		pw = 24;
	x = (w - (COMP_COUNT * pw + (COMP_COUNT - 1) * gap)) / 2;
	ui_rule(ui, y, w, "Path", NULL, ui->focus == UI_FOCUS_DIAGRAM);
	for (int c = 0; c < COMP_COUNT; c++) {
		int px = x + c * (pw + gap);

		ui_draw_pane(ui, m, (enum comp_id)c, y + 1, px, pw);
		if (c + 1 < COMP_COUNT) {
			ui_fill(stdscr, y + 3, px + pw, gap - 1, &ui->g.hl);
			mvwadd_wch(stdscr, y + 3, px + pw + gap - 1, &ui->g.rarrow);
		}
	}
	return 1 + UI_PANE_H + 1;
}

/* Below 80 columns: one line per component, the path running down a line on the left. */
static int ui_draw_diagram_stacked(const struct ui *ui, const struct model *m, int y, int w)
{
	for (int c = 0; c < COMP_COUNT; c++) {
		bool sel = (int)ui->sel == c, verdict = ui_is_verdict(m, (enum comp_id)c);
		enum state st = m->comp_state[c];
		attr_t base = verdict ? (A_REVERSE | (ui->color ? COLOR_PAIR(1) : 0)) : A_NORMAL;
		char hint[32], title[32];
		int x;

		ui_hint(ui, m, (enum comp_id)c, hint, sizeof(hint));
		snprintf(title, sizeof(title), sel ? "[%s]" : " %s", comp_title((enum comp_id)c));
		wattrset(stdscr, base);
		mvwhline(stdscr, y + c, 0, ' ', w);
		mvwaddstr(stdscr, y + c, 0, sel ? ">" : " ");
		mvwadd_wch(stdscr, y + c, 2, c + 1 < COMP_COUNT ? &ui->g.vl : &ui->g.darrow);
		wattrset(stdscr, base | (sel || verdict ? A_BOLD : 0));
		ui_puts(ui, stdscr, y + c, 4, title, 10);
		x = 15;
		wattrset(stdscr, verdict ? base | A_BOLD : ui_state_attr(ui, st));
		ui_puts(ui, stdscr, y + c, x, state_marker(st), 6);
		wattrset(stdscr, base);
		x += 7;
		if (verdict) {
			/* the tag before the counts: at 40 columns it must not be the part cut */
			char tag[32];

			snprintf(tag, sizeof(tag), "<< %s", ui_verdict_tag(m));
			wattrset(stdscr, base | A_BOLD);
			x += ui_puts(ui, stdscr, y + c, x, tag, w - x - 1) + 2;
			wattrset(stdscr, base);
		}
		if (x < w - 1)
			ui_puts(ui, stdscr, y + c, x, hint, w - x - 1);
		wattrset(stdscr, A_NORMAL);
	}
	return COMP_COUNT;
}

/* ---- verdict ---- */

static void ui_draw_verdict(const struct ui *ui, const struct model *m, int y, int rows, int w)
{
	char clean[CHECK_SUMMARY_LEN * 2], text[sizeof(clean) + 64], head[64];
	const char *label;
	int len, off = 0, x;

	if (m->verdict.present) {
		/* "(likely)" right after the component, where a cut cannot hide it */
		ui_text_clean(ui, clean, sizeof(clean), m->verdict.summary,
			      sizeof(m->verdict.summary));
		snprintf(head, sizeof(head), "Breaks at %s%s:", comp_title(m->verdict.comp),
			 m->verdict.confidence == CONF_LIKELY ? " (likely)" : "");
		label = head;
		snprintf(text, sizeof(text), "%s", clean);
	} else if (m->done) {
		label = "";
		snprintf(text, sizeof(text), "The path works.");
	} else {
		int fin = 0;

		for (int i = 0; i < CK_COUNT; i++)
			fin += m->checks[i].state != ST_PENDING && m->checks[i].state != ST_RUNNING;
		label = "";
		snprintf(text, sizeof(text), "Probing... %d of %d checks finished.", fin, CK_COUNT);
	}
	wattron(stdscr, A_BOLD);
	x = 1 + ui_puts(ui, stdscr, y, 1, label, w - 2);
	wattroff(stdscr, A_BOLD);
	if (*label)
		x++;
	len = (int)strlen(text);
	for (int r = 0; r < rows && off < len; r++) {
		int next, cols = w - x - 1;
		int n = ui_text_wrap(ui, text + off, len - off, cols, &next);

		if (r == rows - 1 && off + next < len)
			ui_put(ui, stdscr, y + r, x, text + off, len - off, cols);
		else
			ui_put(ui, stdscr, y + r, x, text + off, n, cols);
		off += next;
		x = 1;
	}
}

/* ---- the checks of the selected component ---- */

static int ui_title_width(const struct ui *ui, enum comp_id c, int cols)
{
	enum check_id ids[CK_COUNT];
	int n = ui_comp_checks(ui, c, ids), tw = 0;

	for (int i = 0; i < n; i++) {
		int l = (int)strlen(check_title(ids[i]));

		if (l > tw)
			tw = l;
	}
	/* titles are short and say what a check is: the summary gives way first */
	if (tw > cols - UI_INDENT - 1)
		tw = cols - UI_INDENT - 1;
	return tw;
}

static void ui_dl_add(struct ui *ui, enum ui_dkind kind, enum check_id ck, int item, int off,
		      int len)
{
	if (ui->n_dl >= UI_MAX_DLINES)
		return;
	ui->dl[ui->n_dl++] = (struct ui_dline){(unsigned char)kind, (unsigned char)ck,
					       (unsigned char)item, off, len};
}

/* Adds the lines of s wrapped at cols, the first as kind, the rest as cont.  For evidence,
 * arg is the evidence index; for the summary, the offset of s in it. */
static void ui_dl_wrap(struct ui *ui, const char *s, int cols, enum ui_dkind kind,
		       enum ui_dkind cont, enum check_id ck, int arg)
{
	bool ev = kind == UI_DL_EVIDENCE;
	int len = (int)strlen(s), off = 0;

	if (cols < 1)
		cols = 1;
	do {
		int next, n = ui_text_wrap(ui, s + off, len - off, cols, &next);

		ui_dl_add(ui, kind, ck, ev ? arg : 0, ev ? off : arg + off, n);
		kind = cont;
		off += next;
	} while (off < len && ui->n_dl < UI_MAX_DLINES);
}

static int ui_summary_x(const struct ui *ui, enum comp_id c, int cols)
{
	return UI_INDENT + ui_title_width(ui, c, cols) + 2;
}

/* The summary's room on a check's row; 0 when too narrow to be worth it. */
static int ui_summary_room(const struct ui *ui, enum comp_id c, int cols)
{
	int room = cols - ui_summary_x(ui, c, cols);

	return room >= 12 ? room : 0;
}

/* A check's block: its row (the summary cut with an ellipsis, len -1, unless the check is
 * open), then when open the rest of the summary, the id and outcome, and the evidence. */
static void ui_detail_emit(struct ui *ui, const struct model *m, int cols, bool open_all)
{
	enum check_id ids[CK_COUNT];
	int n = ui_comp_checks(ui, ui->sel, ids), cur = ui->check_cur[ui->sel];
	int room = ui_summary_room(ui, ui->sel, cols), tcols = cols - UI_INDENT;

	ui->n_dl = 0;
	for (int i = 0; i < n; i++) {
		enum check_id ck = ids[i];
		const struct check *c = &m->checks[ck];
		const struct ui_clean_check *cl = &ui->clean[ck];
		int slen = (int)strlen(cl->summary), rest = 0, len = 0;
		bool cut = slen && ui_text_cols(ui, cl->summary, slen) > room;
		/* showing everything leaves out checks with nothing more to say */
		bool more = c->n_evidence > 0 || cut;
		bool open = c->state != ST_PENDING &&
			    (ui->expand[ck] == UI_EXP_OPEN ||
			     (ui->expand[ck] == UI_EXP_AUTO && ((open_all && more) || i == cur)));

		if (!open) {
			ui_dl_add(ui, UI_DL_CHECK, ck, 0, 0, -1);
			continue;
		}
		/* open: the summary flows from the row onto the lines below it */
		if (room && slen)
			len = ui_text_wrap(ui, cl->summary, slen, room, &rest);
		ui_dl_add(ui, UI_DL_CHECK, ck, 0, 0, len);
		if (rest < slen)
			ui_dl_wrap(ui, cl->summary + rest, tcols, UI_DL_SUMMARY, UI_DL_SUMMARY, ck,
				   rest);
		ui_dl_add(ui, UI_DL_META, ck, 0, 0, 0);
		for (int e = 0; e < c->n_evidence && e < CHECK_EVIDENCE_MAX; e++)
			ui_dl_wrap(ui, cl->evidence[e], tcols - 2, UI_DL_EVIDENCE, UI_DL_EVCONT,
				   ck, e);
	}
}

void ui_detail_build(struct ui *ui, const struct model *m, int cols)
{
	enum check_id ids[CK_COUNT];
	int n = ui_comp_checks(ui, ui->sel, ids);

	if (ui->check_cur[ui->sel] >= n)
		ui->check_cur[ui->sel] = n - 1;
	if (ui->check_cur[ui->sel] < 0)
		ui->check_cur[ui->sel] = 0;
	if (cols < 20)
		cols = 20;
	ui_refresh_clean(ui, m);
	/* when every check's evidence fits, show it all; otherwise the cursor's and pinned */
	ui_detail_emit(ui, m, cols, true);
	if (ui->n_dl > ui->detail_rows)
		ui_detail_emit(ui, m, cols, false);
}

void ui_detail_block(const struct ui *ui, int idx, int *first, int *last)
{
	int seen = -1;

	*first = *last = 0;
	for (int i = 0; i < ui->n_dl; i++) {
		if (ui->dl[i].kind == UI_DL_CHECK && ++seen == idx + 1)
			return;
		if (seen == idx) {
			if (ui->dl[i].kind == UI_DL_CHECK)
				*first = i;
			*last = i;
		}
	}
}

static void ui_draw_dline(const struct ui *ui, const struct model *m, const struct ui_dline *d,
			  int y, int w)
{
	const struct check *c = &m->checks[d->ck];
	const struct ui_clean_check *cl = &ui->clean[d->ck];
	bool cursor = d->ck == ui_cursor_check(ui);
	char meta[128];

	switch (d->kind) {
	case UI_DL_CHECK: {
		int tw = ui_title_width(ui, ui->sel, w), sx = ui_summary_x(ui, ui->sel, w);
		bool rev = cursor && ui->focus == UI_FOCUS_DETAIL;

		if (rev) {
			wattron(stdscr, A_REVERSE);
			mvwhline(stdscr, y, 0, ' ', w);
		}
		if (cursor)
			mvwaddstr(stdscr, y, 0, ">");
		if (!rev)
			wattron(stdscr, ui_state_attr(ui, c->state));
		ui_puts(ui, stdscr, y, 2, state_marker(c->state), 6);
		if (!rev)
			wattroff(stdscr, ui_state_attr(ui, c->state));
		ui_puts(ui, stdscr, y, UI_INDENT, check_title(d->ck), tw);
		if (ui_summary_room(ui, ui->sel, w) && d->len < 0)
			ui_puts(ui, stdscr, y, sx, cl->summary, w - sx);
		else if (ui_summary_room(ui, ui->sel, w))
			ui_put(ui, stdscr, y, sx, cl->summary, d->len, w - sx);
		if (rev)
			wattroff(stdscr, A_REVERSE);
		break;
	}
	case UI_DL_META: {
		/* the check's report id and outcome; on a narrow screen the numbers matter more */
		const char *id = check_name(d->ck);

		for (int pass = 0; pass < 2; pass++) {
			if (c->state == ST_RUNNING)
				snprintf(meta, sizeof(meta), "%s%srunning", pass ? "" : id,
					 pass ? "" : ": ");
			else
				snprintf(meta, sizeof(meta), "%s%s%s, %ld ms%s", pass ? "" : id,
					 pass ? "" : ": ", outcome_name(c->outcome), c->elapsed_ms,
					 c->n_evidence ? "" : ", no evidence");
			if ((int)strlen(meta) <= w - UI_INDENT)
				break;
		}
		ui_puts(ui, stdscr, y, UI_INDENT, meta, w - UI_INDENT);
		break;
	}
	case UI_DL_SUMMARY:
		ui_put(ui, stdscr, y, UI_INDENT, cl->summary + d->off, d->len, w - UI_INDENT);
		break;
	case UI_DL_EVIDENCE:
	case UI_DL_EVCONT:
		if (d->kind == UI_DL_EVIDENCE)
			mvwaddstr(stdscr, y, UI_INDENT, "-");
		ui_put(ui, stdscr, y, UI_INDENT + 2, cl->evidence[d->item] + d->off, d->len,
		       w - UI_INDENT - 2);
		break;
	}
}

static void ui_draw_detail(struct ui *ui, const struct model *m, int y, int rows, int w)
{
	int *top = &ui->detail_top[ui->sel];
	char label[200], right[48] = "", objs[sizeof(m->objects[0])];
	int ok, fin, total;

	ui->detail_rows = rows;
	ui->detail_cols = w;
	ui_detail_build(ui, m, w);
	if (*top > ui->n_dl - rows)
		*top = ui->n_dl - rows;
	if (*top < 0)
		*top = 0;
	ui_counts(ui, m, ui->sel, &ok, &fin, &total);
	/* the Azure objects the pane stands for, when the cloud side named them */
	ui_text_clean(ui, objs, sizeof(objs), m->objects[ui->sel], sizeof(m->objects[ui->sel]));
	snprintf(label, sizeof(label), "%s checks%s%s", comp_title(ui->sel), *objs ? ": " : "", objs);
	if (ui->n_dl > rows)
		snprintf(right, sizeof(right), "%d-%d of %d", *top + 1,
			 *top + rows < ui->n_dl ? *top + rows : ui->n_dl, ui->n_dl);
	ui_rule(ui, y, w, label, right, ui->focus == UI_FOCUS_DETAIL);
	for (int r = 0; r < rows && *top + r < ui->n_dl; r++)
		ui_draw_dline(ui, m, &ui->dl[*top + r], y + 1 + r, w);
}

/* ---- log and status ---- */

static void ui_draw_log(struct ui *ui, const struct model *m, int y, int rows, int w)
{
	char right[48] = "", line[MODEL_LOG_LEN];
	int max = m->log_len - rows, first;

	if (max < 0)
		max = 0;
	if (ui->log_back > max)
		ui->log_back = max;
	first = m->log_len - rows - ui->log_back;
	if (first < 0)
		first = 0;
	if (ui->log_back > 0)
		snprintf(right, sizeof(right), "%d newer below", ui->log_back);
	else if (m->arm_in_flight > 0)
		snprintf(right, sizeof(right), "Azure: %d call%s under way", m->arm_in_flight,
			 m->arm_in_flight == 1 ? "" : "s");
	ui_rule(ui, y, w, "Log", right, ui->focus == UI_FOCUS_LOG);
	for (int r = 0; r < rows; r++) {
		const char *s = model_log_line(m, first + r);

		if (!s)
			break;
		ui_text_clean(ui, line, sizeof(line), s, MODEL_LOG_LEN);
		ui_puts(ui, stdscr, y + 1 + r, 1, line, w - 2);
	}
}

/* The status line's key hints for the current context, fitted into cols. */
int ui_status_keys(const struct ui *ui, char *buf, size_t len, int cols)
{
	unsigned ctx = ui->overlay == UI_OV_HELP ? UI_CTX_HELP
		       : ui->overlay == UI_OV_MENU ? UI_CTX_MENU : UI_CTX_MAIN;
	const struct ui_key *hk[32];
	const char *hint[32];
	int n = 0, total = 0;
	size_t o = 0;

	for (int i = 0; i < ui_n_keys && n < 32; i++) {
		const struct ui_key *k = &ui_keys[i];
		const char *s = k->status;

		if (!s || !(k->ctx & ctx))
			continue;
		/* only the keys that apply now: Up/Down scroll in the log and the help; Enter
		 * does nothing in the log */
		if (k->cmd == UI_CMD_DOWN && (ctx == UI_CTX_HELP || ui->focus == UI_FOCUS_LOG))
			s = "j/k scroll";
		if (k->cmd == UI_CMD_DOWN && ctx == UI_CTX_MENU)
			s = NULL;
		if (k->cmd == UI_CMD_EXPAND && ui->focus == UI_FOCUS_LOG)
			s = NULL;
		if (!s)
			continue;
		hk[n] = k;
		hint[n++] = s;
		total += (total ? 2 : 0) + (int)strlen(s);
	}
	/* too long: drop the least useful hints; "? help" and "q quit" stay */
	while (total > cols && n > 0) {
		int drop = 0;

		for (int i = 1; i < n; i++)
			if (hk[i]->keep < hk[drop]->keep)
				drop = i;
		if (hk[drop]->keep >= 9)
			break;
		total -= (int)strlen(hint[drop]) + 2;
		memmove(&hint[drop], &hint[drop + 1], (size_t)(n - drop - 1) * sizeof(hint[0]));
		memmove(&hk[drop], &hk[drop + 1], (size_t)(n - drop - 1) * sizeof(hk[0]));
		n--;
	}
	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "  " : "", hint[i]);
	return (int)o;
}

static void ui_draw_status(const struct ui *ui, const struct model *m, int y, int w)
{
	char keys[256], fix[CHECK_SUMMARY_LEN + 96], clean[sizeof(fix)];
	const char *msg = ui->msg;
	int x = 1;

	/* a remedy under way, or the round that shows what it did, says so here */
	if (m->fix.id >= 0 && (m->fix.state == ST_RUNNING || m->fix.round == m->round)) {
		if (m->fix.state == ST_RUNNING)
			snprintf(fix, sizeof(fix), "%s%s under way: %s", remedy_name((enum remedy_id)m->fix.id),
				 m->fix.undo ? " undo" : "", m->fix.status);
		else
			snprintf(fix, sizeof(fix), "%s%s %s", remedy_name((enum remedy_id)m->fix.id),
				 m->fix.undo ? " undo" : "", m->fix.status);
		ui_text_clean(ui, clean, sizeof(clean), fix, sizeof(fix));
		if (!msg[0])
			msg = clean;
	} else if (m->rescue.state == ST_RUNNING && !msg[0]) {
		/* left the console while its command runs: it goes on, and says so here */
		snprintf(clean, sizeof(clean), "rescue command running for %ld s (c: console)",
			 m->rescue.elapsed_ms / 1000);
		msg = clean;
	}
	wattron(stdscr, A_REVERSE);
	mvwhline(stdscr, y, 0, ' ', w);
	if (msg[0]) {
		wattron(stdscr, A_BOLD);
		x += ui_puts(ui, stdscr, y, x, msg, w - 2) + 3;
		wattroff(stdscr, A_BOLD);
	}
	if (x < w - 10) {
		ui_status_keys(ui, keys, sizeof(keys), w - x - 1);
		ui_puts(ui, stdscr, y, x, keys, w - x - 1);
	}
	wattroff(stdscr, A_REVERSE);
}

/* ---- too small ---- */

static void ui_draw_tiny(const struct ui *ui, int h, int w)
{
	char text[96];
	int len, off = 0, rows = 0, y;

	snprintf(text, sizeof(text), "Terminal too small (need %dx%d, have %dx%d)", UI_MIN_COLS,
		 UI_MIN_LINES, w, h);
	len = (int)strlen(text);
	for (int o = 0, next; o < len; o += next, rows++)
		ui_text_wrap(ui, text + o, len - o, w, &next);
	y = rows < h ? (h - rows) / 2 : 0;
	for (int r = 0; off < len && y + r < h; r++) {
		int next, n = ui_text_wrap(ui, text + off, len - off, w, &next);

		mvwaddnstr(stdscr, y + r, n < w ? (w - n) / 2 : 0, text + off, n);
		off += next;
	}
}

/* ---- the whole screen ---- */

void ui_view_draw(struct ui *ui, const struct model *m)
{
	int h = LINES, w = COLS, y = 0, vrows, avail, lrows;

	werase(stdscr);
	wattrset(stdscr, A_NORMAL);
	ui_refresh_clean(ui, m);   /* sanitised text and which checks the panes list */
	if (w < UI_MIN_COLS || h < UI_MIN_LINES) {
		ui->layout = UI_LAYOUT_TINY;
		ui->log_rows = 0;
		ui_draw_tiny(ui, h, w);
		return;
	}
	ui->layout = w >= UI_FULL_COLS && h >= UI_FULL_LINES ? UI_LAYOUT_FULL : UI_LAYOUT_STACKED;
	ui_draw_title(ui, m, w);
	y = 1;
	if (ui->layout == UI_LAYOUT_FULL) {
		y += ui_draw_diagram_full(ui, m, y, w);
		vrows = 2;
	} else {
		y += ui_draw_diagram_stacked(ui, m, y, w);
		vrows = h >= 16 ? 2 : 1;
	}
	ui_draw_verdict(ui, m, y, vrows, w);
	y += vrows;
	/* what is left goes to the checks, and to the log when the checks keep 4 rows */
	avail = h - y - 1;
	if (ui->layout == UI_LAYOUT_FULL) {
		lrows = 3 + (h - 24) / 4;
		if (lrows > 10)
			lrows = 10;
		if (lrows < 1)
			lrows = 1;
	} else {
		lrows = avail >= 8 ? avail - 6 : 0;
		if (lrows > 3)
			lrows = 3;
	}
	if (avail - (lrows + 1) < 3)
		lrows = 0;
	ui->log_rows = lrows;
	if (lrows == 0 && ui->focus == UI_FOCUS_LOG)
		ui->focus = UI_FOCUS_DETAIL;
	ui_draw_detail(ui, m, y, avail - 1 - (lrows ? lrows + 1 : 0), w);
	if (lrows)
		ui_draw_log(ui, m, h - 2 - lrows, lrows, w);
	ui_draw_status(ui, m, h - 1, w);
}
