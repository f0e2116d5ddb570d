/* sshtriage: why can't I SSH into this Linux VM? */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "azure/auth.h"
#include "azure/cloud.h"
#include "azure/credinput.h"
#include "core/diag.h"
#include "core/remedy.h"
#include "core/report.h"
#include "core/target.h"
#include "ev/loop.h"
#include "ev/sig.h"
#include "probe/engine.h"
#include "ui/ui.h"
#include "probe/localfix.h"
#include "util/audit.h"
#include "util/clock.h"
#include "util/sanitize.h"
#include "util/secret.h"

enum { EXIT_USAGE = 2, EXIT_INTERNAL = 3, EXIT_REMEDY = 4 };

static const char usage_text[] =
	"Usage: sshtriage [options] [user@]host[:port]\n"
	"       sshtriage --azure-vm ID [options] [user@]\n"
	"       sshtriage --batch [--json] [options] [user@]host[:port]\n"
	"\n"
	"Walks the path client -> edge -> endpoint -> NSG -> VM, probes each part and shows\n"
	"which one breaks SSH to the host.\n"
	"\n"
	"Options:\n"
	"  -b, --batch               no screen: run every probe, print a report\n"
	"  -j, --json                with --batch: print the JSON report (schema sshtriage/report/v1)\n"
	"  -i, --identity FILE       private key to authenticate with (default: agent, ~/.ssh/id_*)\n"
	"      --reference-host SPEC [user@]host[:port] on this side of the edge that should work\n"
	"      --vantage-host SPEC   [user@]host[:port] outside the edge to test the target from\n"
	"      --whoami-url URL      service that answers with this client's public address\n"
	"      --client-ip ADDRESS   this client's public address, as NSG and DNAT rules see it\n"
	"      --timeout SECONDS     per connect and banner wait (default 5)\n"
	"      --azure-vm ID         the target's Azure resource id (needs Azure credentials);\n"
	"                            without a host, its public address is read from Azure\n"
	"      --resource-group RG   find the VM that holds the target's address in RG (with\n"
	"      --subscription SUB    --subscription or AZURE_SUBSCRIPTION_ID), or in all of SUB\n"
	"      --fix REMEDY_ID       apply one remedy (it shows the change and asks), then probe again\n"
	"      --yes                 with --fix: do not ask\n"
	"      --yes-destructive     with --fix --yes: also a destructive remedy (vm.redeploy)\n"
	"      --dry-run             with --fix: show exactly what would change, change nothing\n"
	"      --undo                take back the last remedy applied to the VM (an NSG rule it\n"
	"                            added is deleted, a rule or port it changed goes back); asks\n"
	"                            like --fix, takes --yes and --dry-run\n"
	"      --reset-user NAME     vm.reset_credentials: the user (default: the target's; a new\n"
	"                            name creates a sudo user)\n"
	"      --public-key FILE     vm.reset_credentials: the OpenSSH public key to install (the\n"
	"                            new password comes from SSHTRIAGE_NEW_PASSWORD_FILE,\n"
	"                            SSHTRIAGE_NEW_PASSWORD or the terminal, never from here)\n"
	"      --ascii               ASCII line drawing\n"
	"      --no-color            no colour (also when NO_COLOR is set)\n"
	"      --lines N, --cols N   screen size when the terminal cannot tell (serial console)\n"
	"  -h, --help                this text\n"
	"  -V, --version             version\n"
	"\n"
	"Exit status: 0 the path works; 10 client, 11 edge, 12 endpoint, 13 nsg, 14 vm breaks it;\n"
	"2 usage error; 3 internal error; 4 a remedy failed or was refused.\n"
	"Secrets are never taken from the command line. See sshtriage(1).\n";

enum {
	OPT_REFERENCE = 256, OPT_VANTAGE, OPT_WHOAMI, OPT_TIMEOUT, OPT_AZURE_VM, OPT_FIX, OPT_ASCII,
	OPT_NO_COLOR, OPT_LINES, OPT_COLS, OPT_YES, OPT_YES_DESTRUCTIVE, OPT_DRY_RUN, OPT_CLIENT_IP,
	OPT_SUBSCRIPTION, OPT_RESOURCE_GROUP, OPT_RESET_USER, OPT_PUBLIC_KEY, OPT_UNDO,
};

static const struct option long_opts[] = {
	{"batch", no_argument, NULL, 'b'},
	{"json", no_argument, NULL, 'j'},
	{"identity", required_argument, NULL, 'i'},
	{"reference-host", required_argument, NULL, OPT_REFERENCE},
	{"vantage-host", required_argument, NULL, OPT_VANTAGE},
	{"whoami-url", required_argument, NULL, OPT_WHOAMI},
	{"client-ip", required_argument, NULL, OPT_CLIENT_IP},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"azure-vm", required_argument, NULL, OPT_AZURE_VM},
	{"subscription", required_argument, NULL, OPT_SUBSCRIPTION},
	{"resource-group", required_argument, NULL, OPT_RESOURCE_GROUP},
	{"fix", required_argument, NULL, OPT_FIX},
	{"undo", no_argument, NULL, OPT_UNDO},
	{"yes", no_argument, NULL, OPT_YES},
	{"yes-destructive", no_argument, NULL, OPT_YES_DESTRUCTIVE},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"reset-user", required_argument, NULL, OPT_RESET_USER},
	{"public-key", required_argument, NULL, OPT_PUBLIC_KEY},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"lines", required_argument, NULL, OPT_LINES},
	{"cols", required_argument, NULL, OPT_COLS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

struct args {
	bool batch, json, yes, yes_destructive, dry_run, undo;
	const char *fix;
	enum remedy_id fix_id;
	struct probe_opts probe;
	struct ui_options ui;
	struct cred_input cred;      /* vm.reset_credentials */
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sshtriage: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sshtriage --help'.\n");
	return EXIT_USAGE;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Returns -1 to go on, or an exit status. */
/* Subscription and resource group names go into URLs: a strict alphabet. */
static bool azure_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 90)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.()", *s))
			return false;
	return true;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	char err[256], client_ip[64] = "", sub[96] = "", rg[96] = "";
	int c, secs = 5;
	const char *home = getenv("HOME");

	memset(a, 0, sizeof(*a));
	a->ui.no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");
	while ((c = getopt_long(argc, argv, "bji:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			a->batch = true;
			break;
		case 'j':
			a->json = true;
			break;
		case 'i':
			if (strlen(optarg) >= sizeof(a->probe.identity))
				return usage_error("%s", "identity path too long");
			if (access(optarg, F_OK) != 0)
				return usage_error("identity file %s does not exist", optarg);
			snprintf(a->probe.identity, sizeof(a->probe.identity), "%s", optarg);
			break;
		case OPT_REFERENCE:
		case OPT_VANTAGE:
			if (target_parse(optarg, c == OPT_REFERENCE ? &a->probe.reference : &a->probe.vantage,
					 err, sizeof(err)) != 0)
				return usage_error("%s: %s", c == OPT_REFERENCE ? "--reference-host" : "--vantage-host", err);
			break;
		case OPT_WHOAMI:
			if ((strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8)) ||
			    strlen(optarg) >= sizeof(a->probe.whoami_url) || strpbrk(optarg, " \t\r\n"))
				return usage_error("--whoami-url must be an http:// or https:// URL, not '%s'", optarg);
			snprintf(a->probe.whoami_url, sizeof(a->probe.whoami_url), "%s", optarg);
			break;
		case OPT_CLIENT_IP: {
			unsigned char buf[16];

			if (strlen(optarg) >= sizeof(a->probe.target.client_ip) ||
			    (inet_pton(AF_INET, optarg, buf) != 1 && inet_pton(AF_INET6, optarg, buf) != 1))
				return usage_error("--client-ip takes an IPv4 or IPv6 address, not '%s'", optarg);
			snprintf(client_ip, sizeof(client_ip), "%s", optarg);
			break;
		}
		case OPT_TIMEOUT:
			if (parse_int(optarg, 1, 120, &secs) != 0)
				return usage_error("--timeout takes seconds from 1 to 120, not '%s'", optarg);
			break;
		case OPT_AZURE_VM:
			snprintf(a->probe.target.azure_vm, sizeof(a->probe.target.azure_vm), "%s", optarg);
			break;
		case OPT_SUBSCRIPTION:
		case OPT_RESOURCE_GROUP:
			if (!azure_name_ok(optarg))
				return usage_error("%s takes an Azure name (letters, digits, '-', '_', '.', "
						   "'(', ')'), not '%s'", c == OPT_SUBSCRIPTION ?
						   "--subscription" : "--resource-group", optarg);
			snprintf(c == OPT_SUBSCRIPTION ? sub : rg, sizeof(sub), "%s", optarg);
			break;
		case OPT_FIX:
			if (!remedy_parse(optarg, &a->fix_id))
				return usage_error("unknown remedy '%s' (see the report's \"remedies\", or "
						   "sshtriage(1))", optarg);
			a->fix = optarg;
			break;
		case OPT_UNDO:
			a->undo = true;
			break;
		case OPT_YES:
			a->yes = true;
			break;
		case OPT_YES_DESTRUCTIVE:
			a->yes_destructive = true;
			break;
		case OPT_DRY_RUN:
			a->dry_run = true;
			break;
		case OPT_RESET_USER:
			if (!creds_user_ok(optarg))
				return usage_error("--reset-user takes a Linux user name ([a-z_][a-z0-9_.-], "
						   "at most %d), not '%s'", CREDS_USER_MAX, optarg);
			snprintf(a->cred.user, sizeof(a->cred.user), "%s", optarg);
			break;
		case OPT_PUBLIC_KEY: {
			struct vm_creds check = {.pubkey = NULL};

			if (strlen(optarg) >= sizeof(a->cred.pubkey_file))
				return usage_error("%s", "--public-key: path too long");
			if (credinput_read_key(optarg, &check, err, sizeof(err)) != 0)
				return usage_error("%s", err);
			creds_clear(&check);
			snprintf(a->cred.pubkey_file, sizeof(a->cred.pubkey_file), "%s", optarg);
			break;
		}
		case OPT_ASCII:
			a->ui.ascii = true;
			break;
		case OPT_NO_COLOR:
			a->ui.no_color = true;
			break;
		case OPT_LINES:
		case OPT_COLS:
			if (parse_int(optarg, 1, 1000, c == OPT_LINES ? &a->ui.rows : &a->ui.cols) != 0)
				return usage_error("--lines/--cols take a number from 1 to 1000, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			fputs("Try 'sshtriage --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (a->json && !a->batch)
		return usage_error("%s", "--json needs --batch");
	if (a->undo && (a->fix || a->batch))
		return usage_error("%s", "--undo takes back the last remedy: not with --fix or --batch");
	if ((a->cred.user[0] || a->cred.pubkey_file[0]) && a->fix && a->fix_id != RM_VM_RESET_CREDENTIALS)
		return usage_error("%s", "--reset-user and --public-key are for --fix vm.reset_credentials");
	if ((sub[0] || rg[0]) && a->probe.target.azure_vm[0])
		return usage_error("%s", "--azure-vm names the VM: --subscription/--resource-group are "
				   "for finding it by the target's address");
	if (rg[0] && !sub[0]) {
		const char *env = getenv("AZURE_SUBSCRIPTION_ID");

		if (!env || !azure_name_ok(env))
			return usage_error("%s", "--resource-group needs --subscription (or "
					   "AZURE_SUBSCRIPTION_ID)");
		snprintf(sub, sizeof(sub), "%s", env);
	}
	if (sub[0])
		snprintf(a->probe.azure_scope, sizeof(a->probe.azure_scope), "/subscriptions/%s%s%s", sub,
			 rg[0] ? "/resourceGroups/" : "", rg);
	if (optind < argc - 1)
		return usage_error("%s", "more than one target given");
	{
		char azure_vm[sizeof(a->probe.target.azure_vm)];
		const char *spec = optind < argc ? argv[optind] : "";
		size_t n = strlen(spec);

		memcpy(azure_vm, a->probe.target.azure_vm, sizeof(azure_vm));
		if (azure_vm[0] && (n == 0 || spec[n - 1] == '@')) {
			/* the VM named, no host: its public address comes from Azure */
			memset(&a->probe.target, 0, sizeof(a->probe.target));
			if (n && target_parse_user(spec, &a->probe.target, err, sizeof(err)) != 0)
				return usage_error("%s", err);
			a->probe.target.port = 22;
		} else if (!n) {
			return usage_error("%s", "no target given");
		} else if (target_parse(spec, &a->probe.target, err, sizeof(err)) != 0) {
			return usage_error("%s", err);
		}
		memcpy(a->probe.target.azure_vm, azure_vm, sizeof(azure_vm));
		snprintf(a->probe.target.client_ip, sizeof(a->probe.target.client_ip), "%s", client_ip);
	}
	if (!a->probe.target.user[0]) {
		const char *u = getenv("USER");

		snprintf(a->probe.target.user, sizeof(a->probe.target.user), "%s", u && *u ? u : "root");
	}
	snprintf(a->probe.ssh_dir, sizeof(a->probe.ssh_dir), "%s/.ssh", home && *home ? home : ".");
	a->probe.connect_ms = secs * 1000;
	a->probe.ssh_ms = secs * 1000 + 3000;
	return -1;
}

static bool locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && strcmp(cs, "UTF-8") == 0;
}

static int print_report(const struct model *m, bool json)
{
	if (json) {
		char *text = report_json(m);

		if (!text) {
			fprintf(stderr, "sshtriage: out of memory\n");
			return EXIT_INTERNAL;
		}
		puts(text);
		free(text);
	} else {
		report_text(stdout, m, locale_utf8());
	}
	if (fflush(stdout) != 0) {
		perror("sshtriage: stdout");
		return EXIT_INTERNAL;
	}
	return report_exit_status(m);
}

/* Text from outside (a preview, a refusal), sanitised line by line. */
static void print_lines(FILE *f, const char *p, bool utf8)
{
	char buf[2800];

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		sanitize(buf, sizeof(buf), p, n, utf8 ? SANITIZE_UTF8 : 0);
		fprintf(f, "%s\n", buf);
		p += n + (nl != NULL);
	}
}

/* The preview of a remedy. */
static void print_preview(FILE *f, const struct cloud_fix *fx, bool utf8)
{
	char text[REMEDY_PREVIEW_LEN];

	cloud_fix_text(fx, text, sizeof(text));
	print_lines(f, text, utf8);
}

/* Asks on the terminal (never stdin: a script's input is not a person).  Destructive
 * remedies want the VM's name typed. */
static bool confirm(const struct model *m, enum remedy_id id)
{
	char want[128] = "y", line[160];
	FILE *tty = fopen("/dev/tty", "r+e");
	bool ok;

	if (!tty)
		return false;
	if (remedy_destructive(id)) {
		const char *slash = strrchr(m->target.azure_vm, '/');

		snprintf(want, sizeof(want), "%s", slash ? slash + 1 : "yes");
		fprintf(tty, "This cannot be undone. Type the VM's name (%s) to go on: ", want);
	} else {
		fprintf(tty, "Apply this change? [y/N] ");
	}
	fflush(tty);
	ok = fgets(line, sizeof(line), tty) != NULL;
	fclose(tty);
	line[strcspn(line, "\r\n")] = '\0';
	return ok && (strcmp(line, want) == 0 || (!remedy_destructive(id) && strcmp(line, "Y") == 0));
}

static void audit(const struct model *m, const struct cloud_fix *fx, enum remedy_id id,
		  const char *outcome, const char *status)
{
	char err[300];

	if (cloud_fix_audit(m, id, fx, outcome, status, err, sizeof(err)) != 0)
		fprintf(stderr, "sshtriage: audit log: %s\n", err);
}

/* The re-probe after a remedy, and what it says. */
static int reprobe(const struct args *a, struct engine *e, struct model *m, bool utf8)
{
	int sig, rc;

	engine_start(e, m);
	if (loop_run(e, m, NULL, &sig) == LOOP_SIGNAL)
		return 128 + sig;
	if (m->reachable) {
		printf("The path works now.\n");
	} else if (m->verdict.present) {
		char buf[CHECK_SUMMARY_LEN * 2];

		sanitize(buf, sizeof(buf), m->verdict.summary, strlen(m->verdict.summary),
			 utf8 ? SANITIZE_UTF8 : 0);
		printf("Still failing at %s: %s\n", comp_name(m->verdict.comp), buf);
	}
	rc = print_report(m, a->json);
	/* applied: 0 even if another fault remains (the report says which) */
	return rc >= 3 && rc <= 4 ? rc : EXIT_SUCCESS;
}

/* A remedy on this machine (client.*): nothing to wait for, no cloud needed. */
static int run_local_fix(const struct args *a, struct engine *e, struct model *m, bool utf8)
{
	static struct local_fix lx;
	static char text[REMEDY_PREVIEW_LEN];
	char err[2048];

	if (engine_local_fix_plan(e, m, a->fix_id, &lx, err, sizeof(err)) != 0) {
		fprintf(stderr, "sshtriage: %s: ", a->fix);
		print_lines(stderr, err, utf8);
		fprintf(stderr, "sshtriage: nothing was changed\n");
		audit(m, NULL, a->fix_id, "refused", err);
		return EXIT_REMEDY;
	}
	localfix_text(&lx, text, sizeof(text));
	print_lines(stdout, text, utf8);
	fflush(stdout);
	if (a->dry_run) {
		printf("Dry run: nothing was changed.\n");
		return EXIT_SUCCESS;
	}
	if (!a->yes && !confirm(m, a->fix_id)) {
		fprintf(stderr, "sshtriage: not confirmed; nothing was changed\n");
		audit(m, NULL, a->fix_id, "refused", "not confirmed");
		return EXIT_REMEDY;
	}
	if (engine_local_fix_apply(e, m, &lx, err, sizeof(err)) != 0) {
		fprintf(stderr, "sshtriage: %s: ", a->fix);
		print_lines(stderr, err, utf8);
		audit(m, NULL, a->fix_id, "failed", err);
		return EXIT_REMEDY;
	}
	audit(m, NULL, a->fix_id, "applied", m->fix.status);
	printf("%s applied: ", a->fix);
	print_lines(stdout, m->fix.status, utf8);
	return reprobe(a, e, m, utf8);
}

/* The first ending signal of those pending (sig_drain), or SIGINT. */
static int pending_signal(void)
{
	unsigned set = sig_drain();
	static const int ending[] = {SIGHUP, SIGINT, SIGTERM, SIGQUIT};

	for (size_t i = 0; i < sizeof(ending) / sizeof(ending[0]); i++)
		if (set & SIG_BIT(ending[i]))
			return ending[i];
	return SIGINT;
}

/* vm.reset_credentials' plan: its key and password gathered (the password asked on the
 * terminal when nothing gives one), the plan made, the password wiped at once (from here
 * on it is only in the request body, which cloud_fix_free wipes).  -1: planned; else an
 * exit status. */
static int plan_credentials(const struct args *a, struct engine *e, struct model *m,
			    struct cloud_fix *fx)
{
	struct cred_input in = a->cred;
	struct vm_creds cr;
	char err[512];
	bool cancelled;
	int rc = -1;

	if (!in.user[0])
		snprintf(in.user, sizeof(in.user), "%.32s", m->target.user);
	if (!credinput_given(&in) && (a->yes || a->dry_run)) {
		fprintf(stderr, "sshtriage: %s: nothing to send: give --public-key FILE, or the new "
			"password in SSHTRIAGE_NEW_PASSWORD_FILE or SSHTRIAGE_NEW_PASSWORD (it is asked "
			"on the terminal only without --yes and --dry-run); nothing was changed\n", a->fix);
		audit(m, NULL, a->fix_id, "refused", "no key or password given");
		return EXIT_USAGE;
	}
	if (credinput_gather(&in, true, sig_fd(), &cr, &cancelled, err, sizeof(err)) != 0) {
		if (cancelled)
			return 128 + pending_signal();
		fprintf(stderr, "sshtriage: %s: %s; nothing was changed\n", a->fix, err);
		audit(m, NULL, a->fix_id, "refused", "no usable key or password");
		return EXIT_USAGE;
	}
	engine_set_creds(e, &cr);
	if (engine_fix_plan(e, m, a->fix_id, fx, err, sizeof(err)) != 0) {
		fprintf(stderr, "sshtriage: %s: %s; nothing was changed\n", a->fix, err);
		audit(m, NULL, a->fix_id, "refused", err);
		rc = EXIT_REMEDY;
	}
	engine_set_creds(e, NULL);
	creds_clear(&cr);
	return rc;
}

/* A fatal signal's last words: the screen, and a terminal whose echo a prompt turned off. */
static void restore_terminal(void)
{
	ui_restore_terminal();
	secret_tty_restore();
}

/* The preview, the confirmation, the change on the loop, the audit line and the new round,
 * for a planned cloud remedy or undo fx (freed here); name says which in messages. */
static int apply_cloud_fix(const struct args *a, struct engine *e, struct model *m,
			   struct cloud_fix *fx, const char *name, bool utf8)
{
	char err[2048];
	int sig;

	print_preview(stdout, fx, utf8);
	fflush(stdout);
	if (a->dry_run) {
		printf("Dry run: nothing was changed.\n");
		cloud_fix_free(fx);
		return EXIT_SUCCESS;
	}
	if (remedy_destructive(fx->id) ? !(a->yes && a->yes_destructive) && !confirm(m, fx->id)
					  : !a->yes && !confirm(m, fx->id)) {
		fprintf(stderr, "sshtriage: not confirmed; nothing was changed%s\n",
			remedy_destructive(fx->id) && a->yes ? " (a destructive remedy also needs "
			"--yes-destructive)" : "");
		audit(m, fx, fx->id, "refused", "not confirmed");
		cloud_fix_free(fx);
		return EXIT_REMEDY;
	}
	if (engine_fix_start(e, m, fx, err, sizeof(err)) != 0) {
		fprintf(stderr, "sshtriage: %s: %s\n", name, err);
		audit(m, fx, fx->id, "failed", err);
		cloud_fix_free(fx);
		return EXIT_REMEDY;
	}
	if (loop_run(e, m, NULL, &sig) == LOOP_SIGNAL) {
		/* the change may be under way in Azure: say so, and log it */
		audit(m, fx, fx->id, "interrupted", "stopped by a signal while Azure worked on it");
		cloud_fix_free(fx);
		return 128 + sig;
	}
	audit(m, fx, fx->id, m->fix.state == ST_OK ? "applied" : "failed", m->fix.status);
	printf("%s %s in %ld.%ld s: %s\n", name, m->fix.state == ST_OK ? "applied" : "FAILED",
	       m->fix.elapsed_ms / 1000, m->fix.elapsed_ms % 1000 / 100, m->fix.status);
	cloud_fix_free(fx);
	if (m->fix.state != ST_OK)
		return EXIT_REMEDY;
	return reprobe(a, e, m, utf8);      /* and see whether it worked */
}

/* --fix: probe, check the remedy applies, show it, ask, apply, log, probe again. */
static int run_fix(const struct args *a, struct engine *e, struct model *m)
{
	struct cloud_fix fx;
	char err[2048];
	int sig, rc;
	bool utf8 = locale_utf8();

	engine_start(e, m);
	if (loop_run(e, m, NULL, &sig) == LOOP_SIGNAL)
		return 128 + sig;
	if (!remedy_is_applicable(m, a->fix_id)) {
		fprintf(stderr, "sshtriage: %s does not apply to this diagnosis (%s%s%s); nothing "
			"was changed\n", a->fix, m->verdict.present ? "breaks at " : "the path works",
			m->verdict.present ? comp_name(m->verdict.comp) : "",
			m->verdict.present ? "" : "");
		if (localfix_why_not(m, a->fix_id, err, sizeof(err)))
			print_lines(stderr, err, utf8);     /* both fingerprints */
		audit(m, NULL, a->fix_id, "refused", "not applicable to the diagnosis");
		return EXIT_REMEDY;
	}
	if (remedy_how(a->fix_id) == REMEDY_LOCAL)
		return run_local_fix(a, e, m, utf8);
	if (a->fix_id == RM_VM_RESET_CREDENTIALS && (rc = plan_credentials(a, e, m, &fx)) >= 0)
		return rc;
	if (a->fix_id != RM_VM_RESET_CREDENTIALS &&
	    engine_fix_plan(e, m, a->fix_id, &fx, err, sizeof(err)) != 0) {
		fprintf(stderr, "sshtriage: %s: %s; nothing was changed\n", a->fix, err);
		audit(m, NULL, a->fix_id, "refused", err);
		return EXIT_REMEDY;
	}
	return apply_cloud_fix(a, e, m, &fx, a->fix, utf8);
}

/* --undo: probe, take back the last remedy applied to the VM (its undo record), probe again. */
static int run_undo(const struct args *a, struct engine *e, struct model *m)
{
	struct cloud_fix fx;
	char err[2048];
	int sig;

	engine_start(e, m);
	if (loop_run(e, m, NULL, &sig) == LOOP_SIGNAL)
		return 128 + sig;
	if (engine_undo_plan(e, &fx, err, sizeof(err)) != 0) {
		fprintf(stderr, "sshtriage: --undo: %s; nothing was changed\n", err);
		return EXIT_REMEDY;
	}
	return apply_cloud_fix(a, e, m, &fx, "undo", locale_utf8());
}


/* What the screen's vm.reset_credentials sends, kept until the end (wiped then). */
static struct vm_creds tui_creds;

int main(int argc, char **argv)
{
	struct args a;
	struct model *m;
	struct engine *e;
	struct ui *ui = NULL;
	enum loop_end end;
	int rc, sig;

	auth_take_env_secret();      /* before anything else: the secret leaves the environment */
	credinput_take_env();        /* and so does a new password (vm.reset_credentials) */

	/* A closed 0, 1 or 2 would be handed to the next open(): the signal pipe, a probe's
	 * socket.  Park them on /dev/null first. */
	int nullfd;

	while ((nullfd = open("/dev/null", O_RDWR)) >= 0 && nullfd <= 2)
		;
	if (nullfd > 2)
		close(nullfd);
	setlocale(LC_ALL, "");
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m || sig_init(restore_terminal) != 0) {
		fprintf(stderr, "sshtriage: cannot start (out of memory or descriptors)\n");
		free(m);
		return EXIT_INTERNAL;
	}
	{
		char err[512];

		e = engine_new(&a.probe, err, sizeof(err));
		if (!e) {
			fprintf(stderr, "sshtriage: %s\n", err);
			free(m);
			return EXIT_USAGE;
		}
	}
	model_init(m, &a.probe.target);
	if (a.fix || a.undo) {
		rc = a.undo ? run_undo(&a, e, m) : run_fix(&a, e, m);
		engine_free(e);
		free(m);
		credinput_drop();
		return rc;
	}
	/* the screen's f menu: vm.reset_credentials takes what the command line gave */
	if (!a.batch && credinput_given(&a.cred)) {
		char err[512];
		bool cancelled;

		if (credinput_gather(&a.cred, false, -1, &tui_creds, &cancelled, err, sizeof(err)) != 0) {
			fprintf(stderr, "sshtriage: %s\n", err);
			engine_free(e);
			free(m);
			return EXIT_USAGE;
		}
		engine_set_creds(e, &tui_creds);
	}
	credinput_drop();
	if (!a.batch) {
		char err[256];

		ui = ui_open(&a.ui, err, sizeof(err));
		if (!ui) {
			fprintf(stderr, "sshtriage: %s; printing a plain report instead\n", err);
			a.batch = true;
		}
	}
	engine_start(e, m);
	end = loop_run(e, m, ui, &sig);
	ui_close(ui);
	engine_cancel(e, m);
	if (end == LOOP_SIGNAL) {
		fprintf(stderr, "sshtriage: stopped by signal %d\n", sig);
		rc = 128 + sig;
	} else if (!a.batch) {
		rc = m->done ? report_exit_status(m) : EXIT_SUCCESS;
	} else {
		rc = print_report(m, a.json);
	}
	engine_free(e);
	creds_clear(&tui_creds);
	free(m);
	return rc;
}
