/* ui: the full-screen view of a triage.  The only module that includes curses.
 *
 * The event loop owns the terminal descriptor: it polls ui_fd() and calls ui_input() when
 * it is readable, and calls ui_draw() at most every UI_REPAINT_MS.  ui_draw() renders the
 * model and does no other I/O; it writes nothing when neither the model's generation nor
 * the view state changed, so an idle screen costs no bytes on a 9600-baud line. */
#ifndef SSHTRIAGE_UI_UI_H
#define SSHTRIAGE_UI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

#define UI_REPAINT_MS 100

struct ui_options {
	bool ascii;              /* ASCII line drawing even in a UTF-8 locale (--ascii) */
	bool no_color;           /* --no-color or NO_COLOR set */
	int rows, cols;          /* --lines/--cols: fixed size for serial consoles; 0 = ask (not "lines": term.h macro) */
};

/* What a key asked the loop to do. */
enum ui_action {
	UI_NONE,                 /* nothing for the loop (the view may have changed) */
	UI_QUIT,
	UI_RERUN,                /* start a new probe round */
	UI_HANGUP,               /* the terminal is gone (end of file, error, hangup) */
	UI_FIX_PLAN,             /* work out the remedy ui_fix_choice() and offer its preview */
	UI_FIX_APPLY,            /* the operator confirmed the offer */
	UI_FIX_CANCEL,           /* the operator turned the offer down */
	UI_RESCUE_RUN,           /* run ui_rescue_command() on the VM (the rescue console) */
};

struct ui;

/* Opens the screen with newterm() on the controlling terminal.  Returns NULL and a message
 * in err when the terminal cannot do full-screen (unknown or dumb TERM, not a tty): the
 * caller then falls back to line output.  The caller frees with ui_close(). */
struct ui *ui_open(const struct ui_options *o, char *err, size_t errlen);
/* Restores the terminal and frees; NULL-safe and idempotent. */
void ui_close(struct ui *ui);
/* Restores the terminal only (endwin); for the fatal-signal path, where nothing else may
 * run after it but the re-raise. */
void ui_restore_terminal(void);
/* Ctrl-Z: puts the terminal back as the shell had it, before the process stops. */
void ui_suspend(struct ui *ui);
/* After SIGCONT, stopped by us or by anyone: curses re-establishes its modes and the next
 * ui_draw() repaints the whole screen (the terminal was someone else's meanwhile). */
void ui_resume(struct ui *ui);

int ui_fd(const struct ui *ui);
/* Reads every pending key without blocking; maps keys through the key table.  Call it when
 * poll() says the terminal is readable: nothing to read then means the terminal is gone
 * (UI_HANGUP), so a dead line cannot make the loop spin. */
enum ui_action ui_input(struct ui *ui, const struct model *m);
/* The remedy (enum remedy_id) the operator chose from the menu. */
int ui_fix_choice(const struct ui *ui);
/* ui_fix_choice() for the menu's undo entry (m->undo): take back the last remedy */
#define UI_FIX_UNDO RM_COUNT
/* The command typed into the rescue console (valid until the next ui_input). */
const char *ui_rescue_command(const struct ui *ui);
/* Repaints what changed since the last call; returns true if it wrote anything. */
bool ui_draw(struct ui *ui, const struct model *m);
/* Forces a full repaint at the next ui_draw (Ctrl-L, SIGCONT, resize). */
void ui_touch(struct ui *ui);

#endif
