/* ui_priv: what the ui_*.c files share.  Not for use outside src/ui/.
 *
 * ui.c owns the screen, the key table and the view state; ui_view.c draws the main screen
 * from the model and that state; ui_overlay.c draws the help and remedy overlays (panels);
 * ui_textview.c draws the two text screens over everything (the boot-log viewer and the
 * rescue console) and reads their keys; ui_text.c measures, cleans and wraps text.  Only ui_view.c and ui_overlay.c paint, and
 * only from ui_draw(). */
#ifndef SSHTRIAGE_UI_UI_PRIV_H
#define SSHTRIAGE_UI_UI_PRIV_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1       /* cchar_t and the *_set drawing calls */
#endif
#include <curses.h>
#include <menu.h>
#include <panel.h>

#include "ui/ui.h"
#include "util/history.h"
#include "util/textview.h"

#define UI_MIN_COLS 40           /* below this (or UI_MIN_LINES) only "too small" is shown */
#define UI_MIN_LINES 12
#define UI_FULL_COLS 80          /* the five boxed panes need this much */
#define UI_FULL_LINES 20
#define UI_MAX_DLINES 1024       /* bound on the detail pane's line list */
#define UI_ESC 27
#define UI_MENU_MAX 32           /* remedies one component's menu can list */
#define UI_INPUT_LEN 256         /* a line typed into the rescue console or a search */

enum ui_focus { UI_FOCUS_DIAGRAM, UI_FOCUS_DETAIL, UI_FOCUS_LOG, UI_FOCUS_COUNT };
enum ui_overlay { UI_OV_NONE, UI_OV_HELP, UI_OV_MENU, UI_OV_PREVIEW, UI_OV_BOOTLOG, UI_OV_RESCUE };
enum ui_layout { UI_LAYOUT_FULL, UI_LAYOUT_STACKED, UI_LAYOUT_TINY };

/* Per-check evidence visibility: AUTO follows the cursor (and shows everything when it all
 * fits); OPEN and CLOSED are what the operator asked for with Enter. */
enum ui_expand { UI_EXP_AUTO, UI_EXP_OPEN, UI_EXP_CLOSED };

/* Commands the key table maps to. */
enum ui_cmd {
	UI_CMD_NONE,
	UI_CMD_PANE_PREV, UI_CMD_PANE_NEXT, UI_CMD_PANE_JUMP,
	UI_CMD_UP, UI_CMD_DOWN, UI_CMD_PGUP, UI_CMD_PGDN, UI_CMD_HOME, UI_CMD_END,
	UI_CMD_FOCUS_NEXT, UI_CMD_FOCUS_PREV, UI_CMD_EXPAND,
	UI_CMD_RERUN, UI_CMD_FIX, UI_CMD_BOOTLOG, UI_CMD_RESCUE, UI_CMD_HELP, UI_CMD_REPAINT, UI_CMD_RESIZE,
	UI_CMD_CLOSE, UI_CMD_QUIT,
};

/* Contexts a key row applies in. */
enum { UI_CTX_MAIN = 1, UI_CTX_HELP = 2, UI_CTX_MENU = 4, UI_CTX_ALL = 7 };

#define UI_KEYS_PER_ROW 6

struct ui_key {
	int keys[UI_KEYS_PER_ROW];   /* 0-terminated when shorter */
	unsigned ctx;
	enum ui_cmd cmd;
	const char *label;           /* how the help screen names the key(s) */
	const char *help;            /* help screen text */
	const char *status;          /* status-line text, NULL: not on the status line */
	int keep;                    /* status-line priority: lowest is dropped first */
};

extern const struct ui_key ui_keys[];
extern const int ui_n_keys;

/* Line-drawing set: single box, double box (the selected pane), arrows, ellipsis. */
struct ui_glyphs {
	cchar_t hl, vl, ul, ur, ll, lr;
	cchar_t dhl, dvl, dul, dur, dll, dlr;
	cchar_t fhl;                 /* rule of the focused section */
	cchar_t rarrow, darrow;
	const char *ellipsis;        /* "..." or U+2026 */
	int ellipsis_cols;
};

/* A scrollable text view over a model text (the boot log, the rescue transcript): its
 * line index, rebuilt when the text's serial moves, and where it stands. */
struct ui_tv {
	struct tv_lines idx;         /* owned; freed by ui_textview_free() */
	unsigned serial;
	bool indexed;
	int top;                     /* first line shown */
	int rows;                    /* body rows at the last draw: the page */
	int match;                   /* the line the last search found; -1 none */
	bool follow;                 /* stays on the newest lines as text arrives */
	bool placed;                 /* positioned once for this text */
};

/* One line of the detail pane. */
enum ui_dkind { UI_DL_CHECK, UI_DL_META, UI_DL_SUMMARY, UI_DL_EVIDENCE, UI_DL_EVCONT };

struct ui_dline {
	unsigned char kind;          /* enum ui_dkind */
	unsigned char ck;            /* enum check_id */
	unsigned char item;          /* evidence index */
	int off, len;                /* byte range in the cleaned text */
};

/* The model's strings after sanitize(), refreshed whenever the generation moves. */
struct ui_clean_check {
	char summary[CHECK_SUMMARY_LEN];
	char evidence[CHECK_EVIDENCE_MAX][CHECK_EVIDENCE_LEN];
};

struct ui {
	SCREEN *scr;
	WINDOW *inwin;               /* never painted: wgetch() on it cannot refresh anything */
	int in_fd, out_fd;
	struct ui_options opts;
	bool utf8, color;
	struct ui_glyphs g;

	/* view state */
	enum comp_id sel;
	bool follow_verdict;         /* the selection follows the verdict until the operator moves */
	int check_cur[COMP_COUNT];   /* cursor: index among the component's checks */
	int detail_top[COMP_COUNT];  /* first detail line shown */
	unsigned char expand[CK_COUNT];
	bool verdict_seen;           /* the verdict's component was selected once this round */
	unsigned seen_round;
	enum ui_focus focus;
	int log_back;                /* lines scrolled back from the newest */
	enum ui_overlay overlay;
	int help_top;
	char msg[96];                /* one-shot status-line message */
	int msg_rows, msg_cols;      /* a message about this size; 0: not about the size */

	/* overlays (panels over stdscr) */
	WINDOW *ov_win, *ov_sub;
	PANEL *ov_panel;
	MENU *menu;
	ITEM *items[UI_MENU_MAX + 1];  /* NULL-terminated for new_menu() */
	enum remedy_id menu_ids[UI_MENU_MAX]; /* what the items stand for (UI_FIX_UNDO: undo) */
	char undo_title[80];           /* the undo item's text (the menu keeps a pointer) */
	int fix_choice;              /* the remedy chosen from the menu */
	enum ui_action pending_act;  /* an action a key of an overlay asked for */
	char typed[64];              /* the VM's name typed for a destructive remedy */
	int typed_len;
	int menu_n;
	unsigned ov_gen;             /* the model generation the menu was built from */
	int ov_lines, ov_cols;       /* screen size the overlay was built for */
	enum ui_overlay ov_built;
	enum comp_id ov_comp;

	/* the text screens (ui_textview.c) */
	struct ui_tv boot_tv, rescue_tv;
	bool searching;              /* typing a search in the boot log */
	char search[UI_INPUT_LEN];   /* being typed, then the last one */
	int search_len;
	char tv_msg[96];             /* one-shot message on a text screen's last line */
	char rescue_in[UI_INPUT_LEN];    /* the console's input line */
	char rescue_draft[UI_INPUT_LEN]; /* what was typed before browsing the history */
	char rescue_cmd[UI_INPUT_LEN];   /* the command handed to the loop */
	int rescue_in_len;
	struct history hist;         /* in memory only: commands may hold secrets */

	/* layout of the last draw, for paging in ui_input() */
	enum ui_layout layout;
	int detail_rows, detail_cols, log_rows;

	/* repaint economy */
	bool drawn_once, dirty, clear_pending;
	unsigned drawn_gen;
	int drawn_rows, drawn_cols;   /* size of the last draw */

	/* a size that overrides the kernel's: --lines/--cols, or the answer to "=" (then only
	 * until the kernel's size moves away from pin_tty_*) */
	int pin_rows, pin_cols, pin_tty_rows, pin_tty_cols;
	bool pin_by_cpr;

	/* cursor position report (answer to "=" on consoles without SIGWINCH) */
	bool cpr_active;
	int cpr_state, cpr_rows, cpr_cols;
	long long cpr_deadline_ms;

	/* cleaned model text and the detail pane's lines */
	unsigned clean_gen;
	bool clean_valid;
	bool hidden[CK_COUNT];       /* not listed in its pane (set by ui_refresh_clean) */
	struct ui_clean_check clean[CK_COUNT];
	struct ui_dline *dl;
	int n_dl;
};

/* ui.c */
/* The checks of c the panes list (skipped ones left out), in table order. */
int ui_comp_checks(const struct ui *ui, enum comp_id c, enum check_id *out);
enum check_id ui_cursor_check(const struct ui *ui);
void ui_refresh_clean(struct ui *ui, const struct model *m);

/* ui_text.c */
int ui_text_cols(const struct ui *ui, const char *s, int len);
/* Bytes of s (len) that fit in cols columns; *used gets the columns they take. */
int ui_text_fit(const struct ui *ui, const char *s, int len, int cols, int *used);
/* One wrapped line of at most cols columns from s (len): returns its length in bytes and
 * stores in *next the offset where the following line starts (spaces at the break skipped). */
int ui_text_wrap(const struct ui *ui, const char *s, int len, int cols, int *next);
/* Sanitises src (at most srcmax bytes, NUL or not) into dst (dstlen) for this terminal:
 * SANITIZE_UTF8 in a UTF-8 locale, and characters the terminal cannot place in a cell
 * become '?'. */
void ui_text_clean(const struct ui *ui, char *dst, size_t dstlen, const char *src,
		   size_t srcmax);
/* The same with more sanitize() flags (SANITIZE_DROP_SGR for serial logs). */
void ui_text_clean_flags(const struct ui *ui, char *dst, size_t dstlen, const char *src,
			 size_t srcmax, int flags);
/* Draws at most cols columns of s (len) at y,x; ends with an ellipsis when it had to cut.
 * Returns the columns drawn. */
int ui_put(const struct ui *ui, WINDOW *w, int y, int x, const char *s, int len, int cols);
int ui_puts(const struct ui *ui, WINDOW *w, int y, int x, const char *s, int cols);
void ui_glyphs_init(struct ui *ui);
void ui_fill(WINDOW *w, int y, int x, int cols, const cchar_t *c);

/* ui_textview.c */
void ui_textview_draw(struct ui *ui, const struct model *m);
/* Keys while a text screen is open. */
enum ui_action ui_bootlog_key(struct ui *ui, const struct model *m, int ch);
enum ui_action ui_rescue_key(struct ui *ui, const struct model *m, int ch);
/* Opens the rescue console, or says why it cannot open (in ui->msg). */
void ui_rescue_open(struct ui *ui, const struct model *m);
void ui_textview_free(struct ui *ui);

/* ui_view.c */
void ui_view_draw(struct ui *ui, const struct model *m);
/* Builds the detail pane's lines for the selected component at the given width. */
void ui_detail_build(struct ui *ui, const struct model *m, int cols);
/* First and last detail line of the check at index idx of the selected component. */
void ui_detail_block(const struct ui *ui, int idx, int *first, int *last);
int ui_status_keys(const struct ui *ui, char *buf, size_t len, int cols);

/* ui_overlay.c */
void ui_overlay_draw(struct ui *ui, const struct model *m);
void ui_overlay_free(struct ui *ui);
/* A window of h x w in the middle of the screen, in a panel (ui->ov_win, ui->ov_panel). */
bool ui_overlay_window(struct ui *ui, int h, int w);
int ui_help_lines(const struct ui *ui);
bool ui_menu_key(struct ui *ui, int ch);
/* Keys of the remedy preview: y applies (or the VM's name typed, then Enter, for a
 * destructive one), Esc turns it down. */
enum ui_action ui_preview_key(struct ui *ui, const struct model *m, int ch);

#endif
