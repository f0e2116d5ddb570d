/* ui_overlay: the help screen and the remedy menu, each a bordered window in a panel over
 * stdscr.  The help text is generated from the key table and the state markers; the menu
 * uses the curses menu library: the remedies the diagnosis makes applicable are its items. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/remedy.h"
#include "ui/ui_priv.h"

#define UI_HELP_MAX 64
#define UI_HELP_LEN 120
#define UI_HELP_W 74
#define UI_NO_REMEDY "No remedy applies to this component"
#define UI_NO_REMEDY_SHORT "No remedy applies"

/* What each marker means; the help screen's legend. */
static const struct {
	enum state s;
	const char *meaning;
} ui_legend[] = {
	{ST_OK, "checked and fine"},
	{ST_FAIL, "proven to break the path"},
	{ST_WARN, "suspicious, not proven"},
	{ST_UNKNOWN, "could not be checked (e.g. no Azure credentials)"},
	{ST_SKIPPED, "not applicable"},
	{ST_RUNNING, "running"},
	{ST_PENDING, "waiting to run"},
};

static int ui_help_text(const struct ui *ui, char out[][UI_HELP_LEN])
{
	int n = 0;
	const char *sel = ui->utf8 && !ui->opts.ascii ? "double box" : "box of # and =";

#define UI_LINE(...) \
	do { \
		if (n < UI_HELP_MAX) \
			snprintf(out[n++], UI_HELP_LEN, __VA_ARGS__); \
	} while (0)
	UI_LINE("Keys");
	for (int i = 0; i < ui_n_keys; i++)
		if ((ui_keys[i].ctx & UI_CTX_MAIN) && ui_keys[i].help)
			UI_LINE("  %-12s %s", ui_keys[i].label, ui_keys[i].help);
	UI_LINE("In this help and in the remedy menu");
	for (int i = 0; i < ui_n_keys; i++)
		if (!(ui_keys[i].ctx & UI_CTX_MAIN) && ui_keys[i].help)
			UI_LINE("  %-12s %s", ui_keys[i].label, ui_keys[i].help);
	UI_LINE("In the boot log (B)");
	UI_LINE("  %-12s %s", "j/k PgUp g/G", "scroll (also Up/Down, b/Space, PgDn, Home/End)");
	UI_LINE("  %-12s %s", "/  n  N", "search (Enter), next, previous; ASCII case ignored");
	UI_LINE("  %-12s %s", "!  >", "a line with a known failure; the line found");
	UI_LINE("In the rescue console (c)");
	UI_LINE("  %-12s %s", "Enter", "run the typed command on the VM (Run Command)");
	UI_LINE("  %-12s %s", "Up  Down", "command history (this session only)");
	UI_LINE("  %-12s %s", "PgUp  PgDn", "scroll the output (Home/End: oldest, newest)");
	UI_LINE("  %-12s %s", "Esc", "leave it (q too, on an empty line); a command goes on");
	UI_LINE("%s", "");
	UI_LINE("Markers");
	for (size_t i = 0; i < sizeof(ui_legend) / sizeof(ui_legend[0]); i++)
		UI_LINE("  %-12s %s", state_marker(ui_legend[i].s), ui_legend[i].meaning);
	UI_LINE("  %-12s %s", "^^ BROKEN ^^", "the verdict: first component proven to break");
	UI_LINE("  %-12s %s", "^^ LIKELY ^^", "the verdict when nothing is proven");
	UI_LINE("  %-12s the selected component (a %s)", "[Name]", sel);
	UI_LINE("%s", "");
	UI_LINE("The path runs Client -> Edge -> Endpoint -> NSG -> VM.  The verdict is the");
	UI_LINE("first component in that order that breaks it.  On a serial console, press =");
	UI_LINE("after resizing the terminal, and Ctrl-L if the screen gets garbled.");
#undef UI_LINE
	return n;
}

int ui_help_lines(const struct ui *ui)
{
	static char buf[UI_HELP_MAX][UI_HELP_LEN];

	return ui_help_text(ui, buf);
}

void ui_overlay_free(struct ui *ui)
{
	if (ui->menu) {
		unpost_menu(ui->menu);
		free_menu(ui->menu);
		ui->menu = NULL;
	}
	for (size_t i = 0; i < sizeof(ui->items) / sizeof(ui->items[0]); i++) {
		if (ui->items[i])
			free_item(ui->items[i]);
		ui->items[i] = NULL;
	}
	if (ui->ov_panel)
		del_panel(ui->ov_panel);
	if (ui->ov_sub)
		delwin(ui->ov_sub);
	if (ui->ov_win)
		delwin(ui->ov_win);
	ui->ov_panel = NULL;
	ui->ov_sub = ui->ov_win = NULL;
	ui->ov_built = UI_OV_NONE;
}

static void ui_frame(const struct ui *ui, WINDOW *w, const char *title, const char *foot)
{
	const struct ui_glyphs *g = &ui->g;
	int h = getmaxy(w), cols = getmaxx(w);

	wborder_set(w, &g->vl, &g->vl, &g->hl, &g->hl, &g->ul, &g->ur, &g->ll, &g->lr);
	wattron(w, A_BOLD);
	mvwaddch(w, 0, 2, ' ');
	mvwaddch(w, 0, 3 + ui_puts(ui, w, 0, 3, title, cols - 8), ' ');
	wattroff(w, A_BOLD);
	if (foot && *foot) {
		int fc = ui_text_cols(ui, foot, (int)strlen(foot));

		if (fc + 6 < cols) {
			mvwaddch(w, h - 1, cols - fc - 4, ' ');
			ui_puts(ui, w, h - 1, cols - fc - 3, foot, fc);
			mvwaddch(w, h - 1, cols - 3, ' ');
		}
	}
}

bool ui_overlay_window(struct ui *ui, int h, int w)
{
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	ui->ov_win = newwin(h, w, y < 0 ? 0 : y, x < 0 ? 0 : x);
	if (!ui->ov_win)
		return false;
	leaveok(ui->ov_win, TRUE);
	ui->ov_panel = new_panel(ui->ov_win);
	return ui->ov_panel != NULL;     /* on failure ui_overlay_draw() frees the window */
}

static void ui_help_draw(struct ui *ui)
{
	static char text[UI_HELP_MAX][UI_HELP_LEN];
	int n = ui_help_text(ui, text), h, w, rows, max;
	char foot[64];

	if (ui->ov_built != UI_OV_HELP) {
		h = n + 2 < LINES - 2 ? n + 2 : LINES - 2;
		w = UI_HELP_W < COLS - 2 ? UI_HELP_W : COLS - 2;
		if (!ui_overlay_window(ui, h, w))
			return;
		ui->ov_built = UI_OV_HELP;
	}
	h = getmaxy(ui->ov_win);
	w = getmaxx(ui->ov_win);
	rows = h - 2;
	max = n - rows > 0 ? n - rows : 0;
	if (ui->help_top > max)
		ui->help_top = max;
	werase(ui->ov_win);
	/* the longest footer that fits */
	if (max > 0) {
		snprintf(foot, sizeof(foot), "%d-%d of %d  j/k scroll  Esc close", ui->help_top + 1,
			 ui->help_top + rows, n);
		if ((int)strlen(foot) + 6 >= w)
			snprintf(foot, sizeof(foot), "%d-%d/%d", ui->help_top + 1,
				 ui->help_top + rows, n);
	} else {
		snprintf(foot, sizeof(foot), "Esc close");
	}
	ui_frame(ui, ui->ov_win, "sshtriage help", foot);
	for (int r = 0; r < rows && ui->help_top + r < n; r++) {
		const char *s = text[ui->help_top + r];
		bool heading = s[0] && s[0] != ' ';

		if (heading)
			wattron(ui->ov_win, A_BOLD);
		ui_puts(ui, ui->ov_win, 1 + r, 2, s, w - 4);
		if (heading)
			wattroff(ui->ov_win, A_BOLD);
	}
}

/* The remedies the diagnosis makes applicable to component c (ids into ids, at most max). */
static int ui_remedies_for(const struct model *m, enum comp_id c, enum remedy_id *ids, int max)
{
	enum remedy_id all[RM_COUNT];
	int n = remedy_applicable(m, all), k = 0;

	for (int i = 0; i < n && k < max; i++)
		if (remedy_comp(all[i]) == c)
			ids[k++] = all[i];
	return k;
}

static void ui_menu_draw(struct ui *ui, const struct model *m)
{
	enum remedy_id ids[UI_MENU_MAX];
	const char *titles[UI_MENU_MAX];
	char title[48];
	int n, rows, h, w, iw;

	if (ui->ov_built == UI_OV_MENU && ui->ov_comp == ui->sel && ui->ov_gen == m->generation)
		return;                  /* posted: the menu library keeps its window */
	ui_overlay_free(ui);
	n = ui_remedies_for(m, ui->sel, ids, UI_MENU_MAX - 1);
	for (int i = 0; i < n; i++)
		titles[i] = remedy_title(ids[i]);
	if (m->undo.id >= 0 && remedy_comp((enum remedy_id)m->undo.id) == ui->sel) {
		/* the last remedy applied to this VM can be taken back from its pane */
		snprintf(ui->undo_title, sizeof(ui->undo_title), "Undo %s (applied %.16s)",
			 remedy_name((enum remedy_id)m->undo.id), m->undo.applied);
		titles[n] = ui->undo_title;
		ids[n++] = UI_FIX_UNDO;
	}
	ui->menu_n = n;
	memcpy(ui->menu_ids, ids, sizeof(ids[0]) * (size_t)n);
	w = 60 < COLS - 2 ? 60 : COLS - 2;
	iw = w - 4;
	if (n == 0)                      /* the empty state: an item that cannot be chosen */
		titles[0] = iw > (int)strlen(UI_NO_REMEDY) ? UI_NO_REMEDY : UI_NO_REMEDY_SHORT;
	for (int i = 0; i < (n ? n : 1); i++) {
		ui->items[i] = new_item(titles[i], "");
		if (!ui->items[i])
			return;
		if (n == 0)
			item_opts_off(ui->items[i], O_SELECTABLE);
	}
	rows = n ? n : 1;
	if (rows > LINES - 6)            /* longer lists scroll inside the menu */
		rows = LINES - 6 > 1 ? LINES - 6 : 1;
	h = rows + 4;
	if (!ui_overlay_window(ui, h, w))
		return;
	ui->ov_sub = derwin(ui->ov_win, rows, iw, 2, 2);
	ui->menu = ui->ov_sub ? new_menu(ui->items) : NULL;
	if (!ui->menu)
		return;
	set_menu_win(ui->menu, ui->ov_win);
	set_menu_sub(ui->menu, ui->ov_sub);
	set_menu_mark(ui->menu, n ? "> " : "");
	set_menu_format(ui->menu, rows, 1);
	set_menu_grey(ui->menu, A_NORMAL);
	menu_opts_off(ui->menu, O_SHOWDESC);
	snprintf(title, sizeof(title), "Remedies for %s", comp_title(ui->sel));
	ui_frame(ui, ui->ov_win, title, "Esc close");
	if (post_menu(ui->menu) != E_OK)
		return;
	ui->ov_built = UI_OV_MENU;
	ui->ov_comp = ui->sel;
	ui->ov_gen = m->generation;
}

/* The remedy's preview (m->offer), over the whole screen but a margin. */
static void ui_preview_draw(struct ui *ui, const struct model *m)
{
	const struct remedy_offer *o = &m->offer;
	char title[80], foot[120], line[400];
	const char *p;
	int h, w, r = 0;
	bool destructive = remedy_destructive((enum remedy_id)ui->fix_choice);

	if (ui->ov_built != UI_OV_PREVIEW || ui->ov_gen != m->generation) {
		ui_overlay_free(ui);
		if (!ui_overlay_window(ui, LINES - 2, COLS - 2))
			return;
		ui->ov_built = UI_OV_PREVIEW;
		ui->ov_gen = m->generation;
	}
	h = getmaxy(ui->ov_win);
	w = getmaxx(ui->ov_win);
	werase(ui->ov_win);
	if (ui->fix_choice == UI_FIX_UNDO)
		snprintf(title, sizeof(title), "Undo %s?", remedy_name((enum remedy_id)m->undo.id));
	else
		snprintf(title, sizeof(title), "Apply %s?", remedy_name((enum remedy_id)ui->fix_choice));
	if (o->id != ui->fix_choice)
		snprintf(foot, sizeof(foot), "Esc cancel");
	else if (!o->ready)
		snprintf(foot, sizeof(foot), "Esc close");
	else if (destructive)
		snprintf(foot, sizeof(foot), "type %.40s, Enter: apply  Esc cancel", o->confirm);
	else
		snprintf(foot, sizeof(foot), "y apply  Esc cancel");
	ui_frame(ui, ui->ov_win, title, foot);
	if (o->id != ui->fix_choice) {
		ui_puts(ui, ui->ov_win, 1, 2, "Working out the change from what the triage read...", w - 4);
		return;
	}
	if (!o->ready) {
		ui_text_clean(ui, line, sizeof(line), o->error, sizeof(o->error));
		int len = (int)strlen(line), off = 0;

		ui_puts(ui, ui->ov_win, 1, 2, "It cannot be applied:", w - 4);
		/* wrapped: the why often says what to run instead */
		for (r = 2; r < h - 1 && off < len; r++) {
			int next, n = ui_text_wrap(ui, line + off, len - off, w - 4, &next);

			ui_put(ui, ui->ov_win, r, 2, line + off, r == h - 2 ? len - off : n, w - 4);
			off += next;
		}
		return;
	}
	/* the text as it will be sent; what does not fit is cut (--dry-run prints it all) */
	for (p = o->text; *p && r < h - 3; r++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		ui_text_clean(ui, line, sizeof(line), p, n < sizeof(line) ? n : sizeof(line) - 1);
		ui_puts(ui, ui->ov_win, 1 + r, 2, line, w - 4);
		p += n + (nl != NULL);
	}
	if (*p)
		ui_puts(ui, ui->ov_win, h - 2, 2, "... (the rest: sshtriage --fix ID --dry-run)", w - 4);
	if (destructive) {
		snprintf(line, sizeof(line), "DESTRUCTIVE. Type the VM's name: %s_", ui->typed);
		wattron(ui->ov_win, A_BOLD);
		ui_puts(ui, ui->ov_win, h - 2, 2, line, w - 4);
		wattroff(ui->ov_win, A_BOLD);
	}
}

enum ui_action ui_preview_key(struct ui *ui, const struct model *m, int ch)
{
	const struct remedy_offer *o = &m->offer;
	bool ready = o->id == ui->fix_choice && o->ready;

	ui->ov_gen = 0;              /* redraw the typed name */
	if (ch == UI_ESC || (ch == 'q' && !remedy_destructive((enum remedy_id)ui->fix_choice))) {
		ui->overlay = UI_OV_NONE;
		snprintf(ui->msg, sizeof(ui->msg), "Nothing was changed");
		return UI_FIX_CANCEL;
	}
	if (!ready)
		return UI_NONE;
	if (!remedy_destructive((enum remedy_id)ui->fix_choice)) {
		if (ch != 'y' && ch != 'Y')
			return UI_NONE;
		ui->overlay = UI_OV_NONE;
		return UI_FIX_APPLY;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (strcmp(ui->typed, o->confirm) != 0) {
			snprintf(ui->msg, sizeof(ui->msg), "That is not the VM's name: nothing was changed");
			ui->typed_len = 0;
			ui->typed[0] = '\0';
			return UI_NONE;
		}
		ui->overlay = UI_OV_NONE;
		return UI_FIX_APPLY;
	}
	if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && ui->typed_len > 0)
		ui->typed[--ui->typed_len] = '\0';
	else if (ch > 32 && ch < 127 && ui->typed_len < (int)sizeof(ui->typed) - 1) {
		ui->typed[ui->typed_len++] = (char)ch;
		ui->typed[ui->typed_len] = '\0';
	}
	return UI_NONE;
}

void ui_overlay_draw(struct ui *ui, const struct model *m)
{
	/* ov_win, not ov_built: a half-built overlay (a failed allocation) goes too */
	if (ui->ov_win &&
	    (ui->ov_built != ui->overlay || ui->ov_lines != LINES || ui->ov_cols != COLS ||
	     ui->layout == UI_LAYOUT_TINY))
		ui_overlay_free(ui);
	ui->ov_lines = LINES;
	ui->ov_cols = COLS;
	if (ui->layout == UI_LAYOUT_TINY)
		return;
	if (ui->overlay == UI_OV_HELP)
		ui_help_draw(ui);
	else if (ui->overlay == UI_OV_MENU)
		ui_menu_draw(ui, m);
	else if (ui->overlay == UI_OV_PREVIEW)
		ui_preview_draw(ui, m);
	else if (ui->overlay == UI_OV_BOOTLOG || ui->overlay == UI_OV_RESCUE)
		ui_textview_draw(ui, m);
	if (ui->ov_win)
		touchwin(ui->ov_win);
}

bool ui_menu_key(struct ui *ui, int ch)
{
	int req;

	if (!ui->menu)
		return false;
	switch (ch) {
	case KEY_UP:
	case 'k':
		req = REQ_UP_ITEM;
		break;
	case KEY_DOWN:
	case 'j':
		req = REQ_DOWN_ITEM;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		int i = item_index(current_item(ui->menu));

		/* the loop works the change out; the preview shows it before anything happens */
		if (i >= 0 && i < ui->menu_n) {
			ui->fix_choice = (int)ui->menu_ids[i];
			ui->overlay = UI_OV_PREVIEW;
			ui->typed_len = 0;
			ui->typed[0] = '\0';
			ui->pending_act = UI_FIX_PLAN;
		}
		return true;
	}
	default:
		return false;
	}
	menu_driver(ui->menu, req);
	return true;
}
