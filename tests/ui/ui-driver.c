/* ui-driver: runs the full-screen view on a simulated triage, without probes or the rest of
 * the program, for developing the screen and for tests/ui/run-screen-tests.
 *
 *   ui-driver [--scenario vm|works|likely|evil] [--step-ms N] [--ascii] [--no-color]
 *             [--lines N] [--cols N] [--no-sigwinch] [--fuzz SEED] [--boot-log]
 *
 * --boot-log gives the VM a fixed serial log of 1000 lines with two failure signatures
 * (lines 790 and 812), an escape-laden line and a long one, and an Azure VM id, so the
 * boot-log viewer (B) and the rescue console (c) open; the console "runs" a command by
 * echoing it with a fixed answer (no Azure here).
 *
 * A scenario is a fixed list of probe results applied one per step (0: all at once), so
 * the final screen is always the same; no clock reaches the screen.  "r" replays it as a
 * new round.  --fuzz replaces the model with random garbage every step instead.  --no-sigwinch ignores SIGWINCH before the screen opens, as on a serial console
 * (then only "=" notices a new size).  Exit status: 0 after "q", 1 when the view cannot
 * open (the message says why), 2 on a usage error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "azure/bootlog.h"
#include "core/model.h"
#include "ui/ui.h"

struct step {
	enum check_id id;
	enum state state;
	enum outcome outcome;
	long ms;
	const char *summary;
	const char *evidence[CHECK_EVIDENCE_MAX];
};

#define E(...) {__VA_ARGS__}

/* The lab's usual trouble: the client side is fine, Azure cannot be asked, and TCP/22 to the
 * VM's public address is silently dropped. */
static const struct step sc_vm[] = {
	{CK_CLIENT_RESOLVE, ST_OK, OUT_OK, 2, "vm1.example -> 203.0.113.10",
	 E("getaddrinfo(vm1.example): 203.0.113.10 (A) in 2 ms")},
	{CK_CLIENT_SSH_DIR, ST_OK, OUT_OK, 1, "~/.ssh 0700, id_ed25519 0600, known_hosts 0644",
	 E("/home/op/.ssh: drwx------ op op", "/home/op/.ssh/id_ed25519: -rw------- op op",
	   "/home/op/.ssh/known_hosts: -rw-r--r-- op op")},
	{CK_CLIENT_KEY, ST_OK, OUT_OK, 3, "id_ed25519 (ED25519) loads without a passphrase",
	 E("SHA256:3q2+7w0bVxJc6yqzH8Kp1mF0r2sYV5nW9tLdE4aQx1c op@jump")},
	{CK_CLIENT_SSH_CONFIG, ST_OK, OUT_OK, 1,
	 "no Host block changes port, user or ProxyCommand for vm1.example",
	 E("/home/op/.ssh/config: 2 Host blocks, none match vm1.example",
	   "/etc/ssh/ssh_config: defaults only")},
	{CK_CLIENT_PROXY, ST_OK, OUT_OK, 0, "no proxy variables set", E("")},
	{CK_CLIENT_FIREWALL, ST_OK, OUT_OK, 4, "nftables: no rule drops TCP 22 out",
	 E("table inet filter: chain output policy accept, 0 rules")},
	{CK_CLIENT_KNOWN_HOSTS, ST_OK, OUT_KH_MATCH, 1,
	 "vm1.example has an ED25519 entry (known_hosts line 3)",
	 E("/home/op/.ssh/known_hosts:3 vm1.example,203.0.113.10 ssh-ed25519")},
	{CK_CLIENT_REFERENCE, ST_OK, OUT_OK, 41, "handshake with reference host 10.10.0.20 in 41 ms",
	 E("banner: SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2",
	   "kex: curve25519-sha256, host key ssh-ed25519")},
	{CK_EDGE_PORT_OUT, ST_OK, OUT_OK, 12, "TCP 22 out to vantage 192.0.2.20 connects (12 ms)",
	 E("connect 192.0.2.20:22 from 10.10.0.10: SYN-ACK in 12 ms")},
	{CK_EDGE_VANTAGE, ST_OK, OUT_TIMEOUT, 3004,
	 "vantage 192.0.2.20 cannot reach 203.0.113.10:22 either: not the edge",
	 E("vantage -> 203.0.113.10:22: no answer in 3000 ms",
	   "the edge is not on the vantage host's path")},
	{CK_EDGE_TRACE, ST_OK, OUT_OK, 2210, "TCP traceroute leaves the edge: last hop 203.0.113.1",
	 E("1  10.10.0.1  0.4 ms", "2  198.51.100.1  1.1 ms", "3  192.0.2.1  2.0 ms",
	   "4  203.0.113.1  2.6 ms", "5  * * *", "6  * * *")},
	{CK_EDGE_PUBLIC_IP, ST_OK, OUT_OK, 85, "public address 198.51.100.7 (HTTPS out works)",
	 E("https://192.0.2.30/ answered 198.51.100.7 in 85 ms")},
	{CK_ENDPOINT_CLOUD, ST_UNKNOWN, OUT_NO_CREDS, 0,
	 "no Azure credentials: cannot read the public IP or NAT rule",
	 E("tried: service principal (AZURE_CLIENT_ID unset), managed identity (IMDS: no "
	   "answer), Azure CLI (az not found)",
	   "give --azure-vm and credentials to check the endpoint")},
	{CK_NSG_CLOUD, ST_UNKNOWN, OUT_NO_CREDS, 0,
	 "no Azure credentials: cannot evaluate the NSG rules",
	 E("subnet and NIC NSGs not read")},
	{CK_VM_TCP, ST_FAIL, OUT_TIMEOUT, 9012,
	 "TCP 22 to 203.0.113.10 silently dropped (no SYN-ACK, no ICMP) after 3 tries",
	 E("try 1: SYN sent, no answer in 3000 ms", "try 2: SYN sent, no answer in 3000 ms",
	   "try 3: SYN sent, no answer in 3000 ms",
	   "the vantage host outside the edge sees the same drop",
	   "a drop with no ICMP points at a filter: the NSG or the guest firewall")},
	{CK_VM_BANNER, ST_SKIPPED, OUT_SKIPPED, 0, "not reached: no TCP connection", E("")},
	{CK_VM_HANDSHAKE, ST_SKIPPED, OUT_SKIPPED, 0, "not reached: no TCP connection", E("")},
	{CK_VM_AUTH, ST_SKIPPED, OUT_SKIPPED, 0, "not reached: no TCP connection", E("")},
	{CK_VM_SESSION, ST_SKIPPED, OUT_SKIPPED, 0, "not reached: no TCP connection", E("")},
};

/* Everything in order. */
static const struct step sc_works[] = {
	{CK_CLIENT_RESOLVE, ST_OK, OUT_OK, 2, "vm1.example -> 203.0.113.10", E("")},
	{CK_CLIENT_SSH_DIR, ST_OK, OUT_OK, 1, "~/.ssh 0700, id_ed25519 0600", E("")},
	{CK_CLIENT_KEY, ST_OK, OUT_OK, 3, "id_ed25519 (ED25519) loads", E("")},
	{CK_CLIENT_SSH_CONFIG, ST_OK, OUT_OK, 1, "nothing special for vm1.example", E("")},
	{CK_CLIENT_PROXY, ST_OK, OUT_OK, 0, "no proxy variables set", E("")},
	{CK_CLIENT_FIREWALL, ST_OK, OUT_OK, 4, "no rule drops TCP 22 out", E("")},
	{CK_CLIENT_KNOWN_HOSTS, ST_OK, OUT_KH_MATCH, 1, "ED25519 entry matches", E("")},
	{CK_CLIENT_REFERENCE, ST_OK, OUT_OK, 41, "reference host handshake in 41 ms", E("")},
	{CK_EDGE_PORT_OUT, ST_OK, OUT_OK, 12, "TCP 22 out connects", E("")},
	{CK_EDGE_VANTAGE, ST_OK, OUT_OK, 30, "vantage reaches 203.0.113.10:22", E("")},
	{CK_EDGE_TRACE, ST_SKIPPED, OUT_SKIPPED, 0, "not needed: the VM answers", E("")},
	{CK_EDGE_PUBLIC_IP, ST_OK, OUT_OK, 85, "public address 198.51.100.7", E("")},
	{CK_ENDPOINT_CLOUD, ST_OK, OUT_OK, 230, "lb NAT rule ssh: frontend 22 -> backend 22",
	 E("")},
	{CK_NSG_CLOUD, ST_OK, OUT_OK, 310, "AllowSSH (1000) allows TCP 22 from 198.51.100.7",
	 E("")},
	{CK_VM_TCP, ST_OK, OUT_OK, 14, "TCP 22 connects in 14 ms", E("")},
	{CK_VM_BANNER, ST_OK, OUT_OK, 20, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2", E("")},
	{CK_VM_HANDSHAKE, ST_OK, OUT_OK, 35, "curve25519-sha256, host key matches", E("")},
	{CK_VM_AUTH, ST_OK, OUT_OK, 40, "publickey accepted for azureuser", E("")},
	{CK_VM_SESSION, ST_OK, OUT_OK, 60, "\"true\" ran, exit 0", E("")},
};

/* Nothing proven: the diagnosis names the NSG as the likely culprit. */
static const struct step sc_likely[] = {
	{CK_CLIENT_RESOLVE, ST_OK, OUT_OK, 2, "vm1.example -> 203.0.113.10", E("")},
	{CK_CLIENT_REFERENCE, ST_OK, OUT_OK, 41, "reference host handshake in 41 ms", E("")},
	{CK_EDGE_PORT_OUT, ST_OK, OUT_OK, 12, "TCP 22 out connects", E("")},
	{CK_EDGE_VANTAGE, ST_WARN, OUT_TIMEOUT, 3000, "vantage cannot reach the VM either",
	 E("")},
	{CK_ENDPOINT_CLOUD, ST_OK, OUT_OK, 230, "public IP 203.0.113.10 on nic vm1-nic", E("")},
	{CK_NSG_CLOUD, ST_WARN, OUT_WARN, 0,
	 "Network Watcher unavailable; rules read but a service tag could not be expanded",
	 E("DenyInternetSSH (200) source Internet: tag not expanded")},
	{CK_VM_TCP, ST_WARN, OUT_TIMEOUT, 9000, "TCP 22 silently dropped", E("")},
};

/* Hostile strings: escape sequences, OSC title setting, CR/BS, bidi override, C1. */
static const struct step sc_evil[] = {
	{CK_CLIENT_RESOLVE, ST_OK, OUT_OK, 2, "evil\033[2J\033[Hname\r\bX", E("")},
	{CK_VM_TCP, ST_OK, OUT_OK, 14, "TCP 22 connects", E("")},
	{CK_VM_BANNER, ST_FAIL, OUT_NOT_SSH, 20, "banner: \033]0;pwned\007HTTP/1.0 200 OK\x9b" "31m",
	 E("line 1: \033[31mred\033[0m \xe2\x80\xae" "txt.exe", "line 2: tab\there\x7f",
	   "line 3: \xff\xfe invalid utf-8")},
};

struct scenario {
	const char *name;
	const struct step *steps;
	int n;
	enum comp_id verdict_comp;
	enum check_id verdict_check;
	enum confidence conf;
	const char *verdict;     /* NULL: the path works */
};

#define SC(a) a, (int)(sizeof(a) / sizeof(a[0]))
static const struct scenario scenarios[] = {
	{"vm", SC(sc_vm), COMP_VM, CK_VM_TCP, CONF_PROVEN,
	 "TCP 22 to 203.0.113.10 silently dropped: no SYN-ACK and no ICMP, from here and from "
	 "the vantage host; check the NSG and the guest firewall"},
	{"works", SC(sc_works), COMP_VM, CK_VM_SESSION, CONF_PROVEN, NULL},
	{"likely", SC(sc_likely), COMP_NSG, CK_NSG_CLOUD, CONF_LIKELY,
	 "TCP 22 is dropped after the edge and the endpoint is fine; rule DenyInternetSSH "
	 "(priority 200) probably matches 198.51.100.7"},
	{"evil", SC(sc_evil), COMP_VM, CK_VM_BANNER, CONF_PROVEN,
	 "port 22 answers \033]0;pwned\007 with HTTP, not SSH \xe2\x80\xae" "evil"},
};

static volatile sig_atomic_t got_quit;
static int sig_pipe[2] = {-1, -1};

static void on_quit(int sig)
{
	int e = errno;

	got_quit = sig;
	if (write(sig_pipe[1], "q", 1) < 0) {
		/* nothing to do: the flag is set */
	}
	errno = e;
}

/* Fatal signals: put the terminal back, then die of the same signal (core dumps work). */
static void on_fatal(int sig)
{
	ui_restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the diagnosis would say: the worst state among a component's finished checks. */
static void diagnose(struct model *m, const struct scenario *sc, bool done)
{
	static const int rank[] = {[ST_PENDING] = 0, [ST_SKIPPED] = 1, [ST_OK] = 2,
				   [ST_UNKNOWN] = 3, [ST_WARN] = 4, [ST_RUNNING] = 5,
				   [ST_FAIL] = 6};

	for (int c = 0; c < COMP_COUNT; c++) {
		enum state worst = ST_PENDING;
		bool any_pending = false;

		for (int i = 0; i < CK_COUNT; i++) {
			enum state s = m->checks[i].state;

			if ((int)check_comp((enum check_id)i) != c)
				continue;
			any_pending |= s == ST_PENDING;
			if (rank[s] > rank[worst])
				worst = s;
		}
		if (done && worst == ST_PENDING)
			worst = ST_SKIPPED;
		else if (!done && any_pending && worst != ST_FAIL && worst != ST_PENDING)
			worst = ST_RUNNING;
		m->comp_state[c] = worst;
	}
	if (done && sc->verdict) {
		m->verdict.present = true;
		m->verdict.comp = sc->verdict_comp;
		m->verdict.check = sc->verdict_check;
		m->verdict.confidence = sc->conf;
		snprintf(m->verdict.summary, sizeof(m->verdict.summary), "%s", sc->verdict);
		if (sc->conf == CONF_LIKELY)
			m->comp_state[sc->verdict_comp] = ST_WARN;
	}
	m->done = done;
	m->reachable = done && !sc->verdict;
	m->generation++;
}

/* Applies step i (marks the next one running); returns false past the end. */
static bool advance(struct model *m, const struct scenario *sc, int i)
{
	const struct step *st;
	struct check c;

	if (i >= sc->n)
		return false;
	st = &sc->steps[i];
	if (i + 1 == sc->n) {
		/* checks the scenario does not cover (say, added to checks.def since) did not run */
		for (int k = 0; k < CK_COUNT; k++) {
			if (m->checks[k].state != ST_PENDING || (enum check_id)k == st->id)
				continue;
			check_init(&c, (enum check_id)k);
			check_set(&c, ST_SKIPPED, OUT_SKIPPED, "not run in this scenario");
			model_set_check(m, &c);
		}
	}
	check_init(&c, st->id);
	check_set(&c, st->state, st->outcome, "%s", st->summary);
	c.elapsed_ms = st->ms;
	for (int e = 0; e < CHECK_EVIDENCE_MAX && st->evidence[e]; e++)
		if (*st->evidence[e])
			check_evidence(&c, "%s", st->evidence[e]);
	model_set_check(m, &c);
	m->elapsed_ms += 137;
	model_log(m, "%s: %s, %s (%ld ms)", check_name(st->id), state_name(st->state),
		  outcome_name(st->outcome), st->ms);
	if (i + 1 < sc->n)
		model_set_running(m, sc->steps[i + 1].id);
	diagnose(m, sc, i + 1 == sc->n);
	if (i + 1 == sc->n) {
		if (sc->verdict)
			model_log(m, "verdict: %s (%s, %s)", comp_name(sc->verdict_comp),
				  check_name(sc->verdict_check), confidence_name(sc->conf));
		else
			model_log(m, "verdict: none, the path works");
	}
	return true;
}

static bool with_boot_log;

/* The fixed serial log of --boot-log. */
static void boot_log(struct model *m)
{
	static char log[1000 * 140];
	static struct bootlog_result r;
	size_t o = 0;

	for (int i = 1; i <= 1000; i++) {
		const char *text = "systemd[1]: Reached target Basic System.";

		if (i == 790)
			text = "[FAILED] Failed to mount /data.";
		else if (i == 791)
			text = "[DEPEND] Dependency failed for Local File Systems.";
		else if (i == 812)
			text = "You are in emergency mode. After logging in, type \"journalctl -xb\"";
		else if (i == 500)
			text = "\033[31mcolour\033[0m \033]0;pwned\007 title\r";
		else if (i == 600)
			text = "a long line: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			       "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb the end";
		else if (i % 100 == 0)
			text = "kernel: EXT4-fs (sda1): mounted filesystem";
		o += (size_t)snprintf(log + o, sizeof(log) - o, "[%4d.%06d] %s\n", i / 10, i * 7 % 1000000,
				      text);
	}
	bootlog_scan(log, o, &r);
	bootlog_keep(m, log, o, &r);
}

static void start_round(struct model *m, const struct scenario *sc)
{
	model_new_round(m);
	if (with_boot_log)
		boot_log(m);
	model_log(m, "round %u: probing %s@%s:%d", m->round, m->target.user, m->target.host,
		  m->target.port);
	model_set_running(m, sc->steps[0].id);
	diagnose(m, sc, false);
}

/* --fuzz: every string filled to the brim with random bytes (no NUL), random states,
 * evidence counts and verdicts, a full log ring: the view must survive any model. */
static void fuzz_fill(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(rand() % 4 ? 0x20 + rand() % 0x5f : rand() % 256);
}

static void fuzz_model(struct model *m)
{
	fuzz_fill(m->target.user, sizeof(m->target.user));
	fuzz_fill(m->target.host, sizeof(m->target.host));
	fuzz_fill(m->target.address, sizeof(m->target.address));
	for (int i = 0; i < CK_COUNT; i++) {
		struct check *c = &m->checks[i];

		c->id = (enum check_id)i;
		c->state = (enum state)(rand() % (ST_SKIPPED + 1));
		c->outcome = (enum outcome)(rand() % OUT_COUNT);
		c->elapsed_ms = rand() % 3 ? rand() : -rand();
		c->n_evidence = rand() % (CHECK_EVIDENCE_MAX + 3) - 1;
		fuzz_fill(c->summary, sizeof(c->summary));
		for (int e = 0; e < CHECK_EVIDENCE_MAX; e++)
			fuzz_fill(c->evidence[e], sizeof(c->evidence[e]));
	}
	for (int c = 0; c < COMP_COUNT; c++)
		m->comp_state[c] = (enum state)(rand() % (ST_SKIPPED + 1));
	m->verdict.present = rand() % 2;
	m->verdict.comp = (enum comp_id)(rand() % COMP_COUNT);
	m->verdict.check = (enum check_id)(rand() % CK_COUNT);
	m->verdict.confidence = (enum confidence)(rand() % 2);
	fuzz_fill(m->verdict.summary, sizeof(m->verdict.summary));
	m->done = rand() % 2;
	m->elapsed_ms = rand();
	m->round = (unsigned)rand();
	m->log_len = MODEL_LOG_MAX;
	m->log_head = rand() % MODEL_LOG_MAX;
	for (int i = 0; i < MODEL_LOG_MAX; i++)
		fuzz_fill(m->log[i], MODEL_LOG_LEN);
	/* the text screens: any bytes, hits anywhere (even past the text) */
	m->boot_log.len = (size_t)rand() % 4096;
	fuzz_fill(m->boot_log.text, m->boot_log.len);
	m->boot_log.first_line = rand() % 3 ? 1 : rand();
	m->boot_log.n_hits = rand() % (MODEL_BOOT_HITS_MAX + 1);
	for (int i = 0; i < m->boot_log.n_hits; i++) {
		m->boot_log.hits[i].line = rand() % 200 - 10;
		fuzz_fill(m->boot_log.hits[i].what, sizeof(m->boot_log.hits[i].what) - 1);
	}
	m->boot_log.serial++;
	m->rescue.len = (size_t)rand() % 4096;
	fuzz_fill(m->rescue.text, m->rescue.len);
	fuzz_fill(m->rescue.status, sizeof(m->rescue.status));
	m->rescue.state = (enum state)(rand() % (ST_SKIPPED + 1));
	m->rescue.serial++;
	m->generation++;
}

static int usage(void)
{
	fprintf(stderr, "usage: ui-driver [--scenario vm|works|likely|evil] [--step-ms N] "
			"[--ascii] [--no-color] [--lines N] [--cols N] [--no-sigwinch] [--fuzz SEED] "
			"[--boot-log]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct ui_options o = {0};
	const struct scenario *sc = &scenarios[0];
	struct target t = {0};
	static struct model m;
	struct sigaction sa;
	long step_ms = 150;
	long long next_step;
	char err[256];
	struct ui *ui;
	bool fuzz = false;
	int step = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--ascii")) {
			o.ascii = true;
		} else if (!strcmp(a, "--no-color")) {
			o.no_color = true;
		} else if (!strcmp(a, "--no-sigwinch")) {
			signal(SIGWINCH, SIG_IGN);
		} else if (v && !strcmp(a, "--lines")) {
			o.rows = atoi(v);
			i++;
		} else if (v && !strcmp(a, "--cols")) {
			o.cols = atoi(v);
			i++;
		} else if (v && !strcmp(a, "--fuzz")) {
			fuzz = true;
			srand((unsigned)atoi(v));
			i++;
		} else if (!strcmp(a, "--boot-log")) {
			with_boot_log = true;
		} else if (v && !strcmp(a, "--step-ms")) {
			step_ms = atol(v);
			i++;
		} else if (v && !strcmp(a, "--scenario")) {
			sc = NULL;
			for (size_t k = 0; k < sizeof(scenarios) / sizeof(scenarios[0]); k++)
				if (!strcmp(scenarios[k].name, v))
					sc = &scenarios[k];
			if (!sc)
				return usage();
			i++;
		} else {
			return usage();
		}
	}
	setlocale(LC_ALL, "");
	snprintf(t.user, sizeof(t.user), "azureuser");
	snprintf(t.host, sizeof(t.host), "%s", sc == &scenarios[3] ? "vm1\033[31m.example" :
		 "vm1.example");
	snprintf(t.address, sizeof(t.address), "203.0.113.10");
	t.port = 22;
	if (with_boot_log)
		snprintf(t.azure_vm, sizeof(t.azure_vm), "/subscriptions/00000000-0000-0000-0000-"
			 "000000000000/resourceGroups/lab/providers/Microsoft.Compute/"
			 "virtualMachines/vm1");
	model_init(&m, &t);

	if (pipe(sig_pipe) != 0)
		return 3;
	fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_quit;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_fatal;
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);

	ui = ui_open(&o, err, sizeof(err));
	if (!ui) {
		fprintf(stderr, "ui-driver: %s\n", err);
		return 1;
	}
	start_round(&m, sc);
	if (step_ms <= 0)
		while (advance(&m, sc, step))
			step++;
	next_step = now_ms() + step_ms;
	while (!got_quit) {
		struct pollfd p[2] = {{ui_fd(ui), POLLIN, 0}, {sig_pipe[0], POLLIN, 0}};
		long long wait = fuzz || (step_ms > 0 && step < sc->n) ? next_step - now_ms()
								       : UI_REPAINT_MS;
		int r = poll(p, 2, wait < 0 ? 0 : wait > UI_REPAINT_MS ? UI_REPAINT_MS : (int)wait);
		enum ui_action act = UI_NONE;

		/* EINTR may be curses' SIGWINCH: let ui_input() pick up the resize */
		if ((r > 0 && (p[0].revents & (POLLIN | POLLHUP))) || (r < 0 && errno == EINTR))
			act = ui_input(ui, &m);
		if (act == UI_QUIT || act == UI_HANGUP)
			break;
		if (act == UI_RESCUE_RUN) {
			char line[400];
			int n = snprintf(line, sizeof(line), "$ %.200s\nran by the driver: no Azure "
					 "here\n[exit status 0 in 0.0 s]\n", ui_rescue_command(ui));

			model_rescue_append(&m, line, (size_t)n);
			m.rescue.state = ST_OK;
			snprintf(m.rescue.status, sizeof(m.rescue.status), "exit status 0 in 0.0 s");
		}
		if (act == UI_RERUN) {
			start_round(&m, sc);
			step = 0;
			if (step_ms <= 0)
				while (advance(&m, sc, step))
					step++;
			next_step = now_ms() + step_ms;
		}
		if (fuzz && now_ms() >= next_step) {
			fuzz_model(&m);
			next_step = now_ms() + (step_ms > 0 ? step_ms : 50);
		} else if (!fuzz && step_ms > 0 && step < sc->n && now_ms() >= next_step) {
			advance(&m, sc, step++);
			next_step = now_ms() + step_ms;
		}
		ui_draw(ui, &m);
	}
	ui_close(ui);
	return 0;
}
