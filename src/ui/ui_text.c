/* ui_text: measuring, cleaning and wrapping text for the screen.
 *
 * After ui_text_clean() a string holds only printable characters; in a non-UTF-8 locale
 * that means ASCII, one byte per column, so the multibyte paths below run only in UTF-8. */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "ui/ui_priv.h"
#include "util/sanitize.h"

/* Decodes one character at s; returns its byte length (at least 1) and its columns. */
static int ui_char(const struct ui *ui, const char *s, int len, int *cols)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	if (!ui->utf8 || (unsigned char)s[0] < 0x80) {
		*cols = 1;
		return 1;
	}
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, (size_t)len, &st);
	if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
		*cols = 1;
		return 1;
	}
	w = wcwidth(wc);
	*cols = w < 0 ? 1 : w;
	return (int)n;
}

int ui_text_cols(const struct ui *ui, const char *s, int len)
{
	int cols = 0, c;

	for (int i = 0; i < len; i += ui_char(ui, s + i, len - i, &c), cols += c)
		;
	return cols;
}

int ui_text_fit(const struct ui *ui, const char *s, int len, int cols, int *used)
{
	int i = 0, u = 0;

	while (i < len) {
		int c, n = ui_char(ui, s + i, len - i, &c);

		if (u + c > cols)
			break;
		u += c;
		i += n;
	}
	if (used)
		*used = u;
	return i;
}

int ui_text_wrap(const struct ui *ui, const char *s, int len, int cols, int *next)
{
	int fit = ui_text_fit(ui, s, len, cols, NULL);
	int cut = fit;

	if (fit == 0 && len > 0) {
		/* a character wider than the line: take it anyway so wrapping always advances */
		int c;

		fit = cut = ui_char(ui, s, len, &c);
	} else if (fit < len && s[fit] != ' ') {
		/* break after the last space in the line, when there is one */
		for (int i = fit; i > 0; i--) {
			if (s[i - 1] == ' ') {
				cut = i;
				break;
			}
		}
	}
	*next = cut;
	while (*next < len && s[*next] == ' ')
		(*next)++;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	return cut;
}

void ui_text_clean(const struct ui *ui, char *dst, size_t dstlen, const char *src,
		   size_t srcmax)
{
	ui_text_clean_flags(ui, dst, dstlen, src, srcmax, 0);
}

void ui_text_clean_flags(const struct ui *ui, char *dst, size_t dstlen, const char *src,
			 size_t srcmax, int flags)
{
	/* model strings are fixed arrays: never read past one, terminated or not */
	size_t n = strnlen(src, srcmax < dstlen - 1 ? srcmax : dstlen - 1), o = 0;

	sanitize(dst, dstlen, src, n, flags | (ui->utf8 ? SANITIZE_UTF8 : 0));
	if (!ui->utf8)
		return;
	/* sanitize() passes every printable code point; the terminal can only place those
	 * wcwidth() knows, so unassigned ones become '?' to keep the columns right. */
	n = strlen(dst);
	for (size_t i = 0; i < n;) {
		mbstate_t st;
		wchar_t wc;
		size_t k;

		memset(&st, 0, sizeof(st));
		k = mbrtowc(&wc, dst + i, n - i, &st);
		if (k == 0 || k == (size_t)-1 || k == (size_t)-2) {
			dst[o++] = '?';
			i++;
		} else if (wcwidth(wc) < 0) {
			dst[o++] = '?';
			i += k;
		} else {
			memmove(dst + o, dst + i, k);
			o += k;
			i += k;
		}
	}
	dst[o] = '\0';
}

int ui_put(const struct ui *ui, WINDOW *w, int y, int x, const char *s, int len, int cols)
{
	int used, n;

	if (cols <= 0 || len <= 0)
		return 0;
	n = ui_text_fit(ui, s, len, cols, &used);
	if (n < len) {
		/* cut: leave room for the ellipsis */
		int room = cols - ui->g.ellipsis_cols;

		n = room > 0 ? ui_text_fit(ui, s, len, room, &used) : 0;
		mvwaddnstr(w, y, x, s, n);
		if (room >= 0)
			mvwaddstr(w, y, x + used, ui->g.ellipsis);
		return used + (room >= 0 ? ui->g.ellipsis_cols : 0);
	}
	mvwaddnstr(w, y, x, s, n);
	return used;
}

int ui_puts(const struct ui *ui, WINDOW *w, int y, int x, const char *s, int cols)
{
	return ui_put(ui, w, y, x, s, (int)strlen(s), cols);
}

void ui_fill(WINDOW *w, int y, int x, int cols, const cchar_t *c)
{
	if (cols > 0)
		mvwhline_set(w, y, x, c, cols);
}

static void ui_glyph(cchar_t *c, wchar_t wide, wchar_t narrow, bool utf8)
{
	wchar_t s[2] = {utf8 ? wide : narrow, 0};

	setcchar(c, s, A_NORMAL, 0, NULL);
}

void ui_glyphs_init(struct ui *ui)
{
	struct ui_glyphs *g = &ui->g;
	bool u = ui->utf8 && !ui->opts.ascii;

	/* Unicode box characters rather than WACS_*: ncurses would otherwise pick the
	 * terminal's alternate character set, which many serial terminals get wrong. */
	ui_glyph(&g->hl, 0x2500, '-', u);
	ui_glyph(&g->vl, 0x2502, '|', u);
	ui_glyph(&g->ul, 0x250C, '+', u);
	ui_glyph(&g->ur, 0x2510, '+', u);
	ui_glyph(&g->ll, 0x2514, '+', u);
	ui_glyph(&g->lr, 0x2518, '+', u);
	ui_glyph(&g->dhl, 0x2550, '=', u);
	ui_glyph(&g->dvl, 0x2551, '#', u);
	ui_glyph(&g->dul, 0x2554, '#', u);
	ui_glyph(&g->dur, 0x2557, '#', u);
	ui_glyph(&g->dll, 0x255A, '#', u);
	ui_glyph(&g->dlr, 0x255D, '#', u);
	ui_glyph(&g->fhl, 0x2550, '=', u);
	ui_glyph(&g->rarrow, 0x2192, '>', u);
	ui_glyph(&g->darrow, 0x2193, 'v', u);
	g->ellipsis = u ? "\xE2\x80\xA6" : "...";
	g->ellipsis_cols = u ? 1 : 3;
}
