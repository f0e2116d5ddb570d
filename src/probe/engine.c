#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "azure/cloud.h"
#include "azure/rescue.h"
#include "core/diag.h"
#include "core/remedy.h"
#include "probe/engine.h"
#include "probe/local.h"
#include "probe/localfix.h"
#include "probe/net.h"
#include "probe/sshp.h"
#include "probe/trace.h"
#include "probe/whoami.h"
#include "util/clock.h"

enum worker_kind {
	W_RESOLVE, W_LOCAL, W_REFERENCE, W_PORT_OUT, W_WHOAMI, W_PATH, W_VANTAGE, W_TRACE, W_COUNT
};

/* What a worker writes: one record per finished check.  Same binary on both ends of the
 * pipe, so a plain struct is the protocol. */
struct wire {
	char address[64];        /* W_RESOLVE only: the numeric address */
	char hostkey[MODEL_HOSTKEY_LEN];   /* W_PATH: the server's host key, "TYPE BASE64" */
	struct check check;
};

#define OWNS_MAX 8

static const struct {
	const char *name;
	bool needs_address;      /* starts once the target is resolved */
	enum check_id owns[OWNS_MAX];
	int n_owns;
} plan[W_COUNT] = {
	[W_RESOLVE] = {"resolve", false, {CK_CLIENT_RESOLVE}, 1},
	[W_LOCAL] = {"local", false, {CK_CLIENT_SSH_DIR, CK_CLIENT_KEY, CK_CLIENT_SSH_CONFIG,
				      CK_CLIENT_PROXY, CK_CLIENT_FIREWALL}, 5},
	[W_REFERENCE] = {"reference", false, {CK_CLIENT_REFERENCE}, 1},
	[W_PORT_OUT] = {"port-out", false, {CK_EDGE_PORT_OUT}, 1},
	[W_WHOAMI] = {"whoami", false, {CK_EDGE_PUBLIC_IP}, 1},
	[W_PATH] = {"path", true, {CK_VM_TCP, CK_VM_BANNER, CK_VM_HANDSHAKE, CK_CLIENT_KNOWN_HOSTS,
				   CK_VM_AUTH, CK_VM_SESSION}, 6},
	[W_VANTAGE] = {"vantage", true, {CK_EDGE_VANTAGE}, 1},
	[W_TRACE] = {"traceroute", true, {CK_EDGE_TRACE}, 1},
};

struct worker {
	pid_t pid;               /* 0: not running */
	int fd;
	long long deadline, started;
	size_t have;
	struct wire rec;
};

struct engine {
	struct probe_opts o;
	struct cloud *cloud;         /* NULL without --azure-vm */
	struct worker w[W_COUNT];
	long long round_start;
	bool resolved, resolve_failed;
	bool host_from_cloud;    /* no host given: each round asks Azure for the VM's entry */
};

/* ---- worker side (runs in the forked child) ---------------------------------------- */

static int out_fd = -1;

static void send_record(const struct check *c, const char *address, const char *hostkey)
{
	struct wire rec;
	const char *p = (const char *)&rec;
	size_t left = sizeof(rec);

	memset(&rec, 0, sizeof(rec));
	if (address)
		snprintf(rec.address, sizeof(rec.address), "%s", address);
	if (hostkey)
		snprintf(rec.hostkey, sizeof(rec.hostkey), "%s", hostkey);
	rec.check = *c;
	while (left) {
		ssize_t n = write(out_fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		p += n;
		left -= (size_t)n;
	}
}

/* arg: the address to send along, or NULL */
static void send_check(const struct check *c, void *arg)
{
	send_record(c, arg, NULL);
}

/* arg: the host key buffer sshp_probe_path fills */
static void send_path_check(const struct check *c, void *arg)
{
	send_record(c, NULL, arg);
}

static void run_path(const struct probe_opts *o, const char *addr)
{
	struct check c;
	struct sshp_creds cr = {o->identity[0] ? o->identity : NULL, getenv("SSH_AUTH_SOCK") != NULL,
				o->ssh_dir};
	static char hostkey[MODEL_HOSTKEY_LEN];
	int fd;

	check_init(&c, CK_VM_TCP);
	fd = net_probe_tcp(&c, "client", addr, o->target.port, o->connect_ms);
	send_check(&c, NULL);
	if (fd < 0)
		return;          /* the engine marks the rest "not reached" */
	check_init(&c, CK_VM_BANNER);
	net_probe_banner(&c, fd, o->connect_ms);
	close(fd);
	send_check(&c, NULL);
	if (c.state == ST_FAIL)
		return;
	/* libssh gets a fresh socket: the banner reader consumed the first one's bytes. */
	check_init(&c, CK_VM_HANDSHAKE);
	fd = net_probe_tcp(&c, "client", addr, o->target.port, o->connect_ms);
	if (fd < 0) {
		check_set(&c, ST_FAIL, OUT_CLOSED, "a second connection failed: %s", c.summary);
		send_check(&c, NULL);
		return;
	}
	hostkey[0] = '\0';
	sshp_probe_path(fd, o->target.host, o->target.port, o->target.user, &cr, o->ssh_ms,
			hostkey, sizeof(hostkey), send_path_check, hostkey);
}

static void run_worker(enum worker_kind k, const struct probe_opts *o, const char *addr)
{
	struct check c;
	struct sshp_creds cr = {o->identity[0] ? o->identity : NULL, getenv("SSH_AUTH_SOCK") != NULL,
				o->ssh_dir};
	char a[64];
	int fd;

	check_init(&c, plan[k].owns[0]);
	switch (k) {
	case W_RESOLVE:
		a[0] = '\0';
		net_resolve(o->target.host, a, sizeof(a), &c);
		send_check(&c, a);
		break;
	case W_LOCAL:
		local_probe_permissions(&c, o->ssh_dir, o->identity[0] ? o->identity : NULL);
		send_check(&c, NULL);
		check_init(&c, CK_CLIENT_KEY);
		local_probe_key(&c, o->ssh_dir, o->identity[0] ? o->identity : NULL, cr.use_agent);
		send_check(&c, NULL);
		check_init(&c, CK_CLIENT_SSH_CONFIG);
		local_probe_ssh_config(&c, o->ssh_dir, o->target.host);
		send_check(&c, NULL);
		check_init(&c, CK_CLIENT_PROXY);
		local_probe_proxy_env(&c);
		send_check(&c, NULL);
		check_init(&c, CK_CLIENT_FIREWALL);
		local_probe_firewall(&c, o->target.port, 3000);
		send_check(&c, NULL);
		break;
	case W_REFERENCE:
		if (net_resolve(o->reference.host, a, sizeof(a), &c) != 0) {
			send_check(&c, NULL);
			break;
		}
		fd = net_probe_tcp(&c, "reference", a, o->reference.port, o->connect_ms);
		if (fd >= 0)
			sshp_probe_handshake(&c, fd, o->reference.host, o->reference.port, o->ssh_ms);
		else
			c.state = ST_FAIL;
		send_check(&c, NULL);
		break;
	case W_PORT_OUT:
		if (net_resolve(o->vantage.host, a, sizeof(a), &c) == 0 &&
		    (fd = net_probe_tcp(&c, "client", a, o->vantage.port, o->connect_ms)) >= 0) {
			close(fd);
			check_set(&c, ST_OK, OUT_OK, "TCP port %d out to the vantage host %s connects",
				  o->vantage.port, a);
		}
		send_check(&c, NULL);
		break;
	case W_WHOAMI:
		a[0] = '\0';
		whoami_probe(&c, o->whoami_url, o->connect_ms, a, sizeof(a));
		send_check(&c, a);
		break;
	case W_PATH:
		run_path(o, addr);
		break;
	case W_VANTAGE:
		a[0] = '\0';
		if (net_resolve(o->vantage.host, a, sizeof(a), &c) != 0 ||
		    (fd = net_probe_tcp(&c, "client", a, o->vantage.port, o->connect_ms)) < 0) {
			check_set(&c, ST_UNKNOWN, OUT_UNAVAILABLE, "the vantage host is out of reach: %s",
				  c.summary);
			a[0] = '\0';
		} else {
			check_init(&c, CK_EDGE_VANTAGE);
			sshp_probe_vantage(&c, fd, o->vantage.host, o->vantage.port,
					   o->vantage.user[0] ? o->vantage.user : o->target.user, &cr,
					   addr, o->target.port, o->ssh_ms, a, sizeof(a));
		}
		send_check(&c, a);       /* where the vantage host saw us come from */
		break;
	case W_TRACE:
		trace_probe(&c, addr, o->target.port, 3000);
		send_check(&c, NULL);
		break;
	default:
		break;
	}
}

/* ---- engine side ------------------------------------------------------------------- */

static int worker_deadline_ms(const struct probe_opts *o, enum worker_kind k)
{
	switch (k) {
	case W_PATH:
		return 3 * o->connect_ms + 4 * o->ssh_ms;
	case W_VANTAGE:
	case W_REFERENCE:
		return o->connect_ms + 3 * o->ssh_ms;
	case W_LOCAL:
		return 6000;
	default:
		return o->connect_ms + 3000;
	}
}

static void finish_owned(struct engine *e, struct model *m, enum worker_kind k, enum state s,
			 enum outcome o, const char *why)
{
	for (int i = 0; i < plan[k].n_owns; i++) {
		struct check *c = &m->checks[plan[k].owns[i]];

		if (c->state == ST_PENDING || c->state == ST_RUNNING) {
			struct check n;

			check_init(&n, c->id);
			check_set(&n, s, o, "%s", why);
			model_set_check(m, &n);
		}
	}
}

static void start_worker(struct engine *e, struct model *m, enum worker_kind k)
{
	int p[2];
	pid_t pid;
	struct worker *w = &e->w[k];

	if (pipe2(p, O_CLOEXEC) < 0) {
		finish_owned(e, m, k, ST_UNKNOWN, OUT_ERROR, "cannot start the probe (pipe)");
		return;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		finish_owned(e, m, k, ST_UNKNOWN, OUT_ERROR, "cannot start the probe (fork)");
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD,
					   SIGTSTP, SIGWINCH, SIGCONT};

		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		/* No terminal for workers: libssh or a child must never draw on the screen. */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		dup2(p[1], 3);
		close_range(4, ~0U, 0);
		out_fd = 3;
		run_worker(k, &e->o, m->target.address);
		_exit(0);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	w->pid = pid;
	w->fd = p[0];
	w->have = 0;
	w->started = clock_ms();
	w->deadline = w->started + worker_deadline_ms(&e->o, k);
	for (int i = 0; i < plan[k].n_owns; i++)
		model_set_running(m, plan[k].owns[i]);
}

static void stop_worker(struct engine *e, struct model *m, enum worker_kind k, bool killed,
			const char *why)
{
	struct worker *w = &e->w[k];

	if (!w->pid)
		return;
	if (killed)
		kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	close(w->fd);
	w->pid = 0;
	w->fd = -1;
	if (killed)
		finish_owned(e, m, k, ST_UNKNOWN, OUT_DEADLINE, why);
	else
		finish_owned(e, m, k, ST_SKIPPED, OUT_SKIPPED, "not reached: an earlier step failed");
	model_log(m, "%s probe %s after %lld ms", plan[k].name, killed ? "stopped" : "done",
		  clock_ms() - w->started);
}

struct engine *engine_new(const struct probe_opts *o, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->o = *o;
	e->host_from_cloud = !o->target.host[0];
	if ((o->target.azure_vm[0] || o->azure_scope[0]) &&
	    !(e->cloud = cloud_new(o->target.azure_vm, o->azure_scope, err, errlen))) {
		free(e);
		return NULL;
	}
	for (int k = 0; k < W_COUNT; k++)
		e->w[k].fd = -1;
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	cloud_free(e->cloud);
	for (int k = 0; k < W_COUNT; k++)
		if (e->w[k].pid) {
			kill(e->w[k].pid, SIGKILL);
			waitpid(e->w[k].pid, NULL, 0);
			close(e->w[k].fd);
		}
	free(e);
}

bool engine_busy(const struct engine *e)
{
	if (e->cloud && cloud_busy(e->cloud))
		return true;
	for (int k = 0; k < W_COUNT; k++)
		if (e->w[k].pid)
			return true;
	return false;
}

static void set_unavailable(struct model *m, enum check_id id, enum state s, const char *why)
{
	struct check c;

	check_init(&c, id);
	check_set(&c, s, s == ST_SKIPPED ? OUT_SKIPPED : OUT_UNAVAILABLE, "%s", why);
	model_set_check(m, &c);
}

void engine_start(struct engine *e, struct model *m)
{
	engine_cancel(e, m);
	model_new_round(m);
	m->target.address[0] = '\0';
	if (e->host_from_cloud) {
		e->o.target.host[0] = m->target.host[0] = '\0';
		e->o.target.port = m->target.port = 22;
	}
	snprintf(m->target.client_ip, sizeof(m->target.client_ip), "%s", e->o.target.client_ip);
	e->round_start = clock_ms();
	e->resolved = e->resolve_failed = false;
	model_log(m, "round %u: probing %s port %d", m->round, m->target.host, m->target.port);
	if (e->cloud) {
		cloud_start(e->cloud, m);
	} else {
		cloud_mark_unavailable(m, "no Azure VM named (--azure-vm): the cloud side (public "
				       "IP, NAT/DNAT, NSGs, power, Run Command) cannot be read");
	}
	if (!e->o.reference.host[0])
		set_unavailable(m, CK_CLIENT_REFERENCE, ST_SKIPPED,
				"no reference host given (--reference-host)");
	if (!e->o.whoami_url[0])
		set_unavailable(m, CK_EDGE_PUBLIC_IP, ST_SKIPPED, "no what-is-my-IP service given (--whoami-url)");
	if (!e->o.vantage.host[0]) {
		set_unavailable(m, CK_EDGE_PORT_OUT, ST_SKIPPED, "no vantage host given (--vantage-host)");
		set_unavailable(m, CK_EDGE_VANTAGE, ST_SKIPPED, "no vantage host given (--vantage-host)");
	}
	for (int k = 0; k < W_COUNT; k++) {
		if (plan[k].needs_address || m->checks[plan[k].owns[0]].state != ST_PENDING)
			continue;
		if (k == W_RESOLVE && e->host_from_cloud) {
			model_set_running(m, CK_CLIENT_RESOLVE);   /* Azure names the address */
			continue;
		}
		start_worker(e, m, (enum worker_kind)k);
	}
	diag_run(m);
}

static void on_record(struct engine *e, struct model *m, enum worker_kind k, const struct wire *r);

/* No host given: the address Azure named stands in for name resolution. */
static void take_cloud_address(struct engine *e, struct model *m)
{
	char addr[64], how[160];
	const char *why;
	struct wire r;
	int port;

	if (!e->cloud || !e->host_from_cloud || e->resolved || e->resolve_failed)
		return;
	memset(&r, 0, sizeof(r));
	check_init(&r.check, CK_CLIENT_RESOLVE);
	if (cloud_take_located(e->cloud, addr, sizeof(addr), &port, how, sizeof(how))) {
		snprintf(e->o.target.host, sizeof(e->o.target.host), "%s", addr);
		e->o.target.port = port;
		snprintf(r.address, sizeof(r.address), "%s", addr);
		check_set(&r.check, ST_OK, OUT_OK, "Azure names %s port %d as the VM's entry", addr, port);
		check_evidence(&r.check, "%s", how);
	} else if (*(why = cloud_locate_failed(e->cloud))) {
		check_set(&r.check, ST_FAIL, OUT_UNAVAILABLE, "the VM's public address could not be "
			  "found: %s", why);
	} else {
		return;
	}
	r.check.elapsed_ms = (long)(clock_ms() - e->round_start);
	on_record(e, m, W_RESOLVE, &r);
}

void engine_cancel(struct engine *e, struct model *m)
{
	if (e->cloud)
		cloud_cancel(e->cloud, m);
	for (int k = 0; k < W_COUNT; k++)
		stop_worker(e, m, (enum worker_kind)k, true, "cancelled");
}

int engine_pollfds(const struct engine *e, struct pollfd *fds, int max)
{
	int n = 0;

	for (int k = 0; k < W_COUNT && n < max; k++)
		if (e->w[k].pid) {
			fds[n].fd = e->w[k].fd;
			fds[n].events = POLLIN;
			fds[n].revents = 0;
			n++;
		}
	if (e->cloud)
		n += cloud_pollfds(e->cloud, fds + n, max - n);
	return n;
}

int engine_timeout(const struct engine *e)
{
	long long now = clock_ms(), best = -1;

	for (int k = 0; k < W_COUNT; k++)
		if (e->w[k].pid && (best < 0 || e->w[k].deadline - now < best))
			best = e->w[k].deadline - now;
	if (e->cloud) {
		int c = cloud_timeout(e->cloud);

		if (c >= 0 && (best < 0 || c < best))
			best = c;
	}
	return best < 0 ? -1 : best < 0 ? 0 : (int)best;
}

static void on_record(struct engine *e, struct model *m, enum worker_kind k, const struct wire *r)
{
	model_set_check(m, &r->check);
	if (k == W_PATH && r->hostkey[0])
		snprintf(m->host_key, sizeof(m->host_key), "%.*s", (int)sizeof(r->hostkey) - 1,
			 r->hostkey);
	/* this client's public address: --client-ip, else what-is-my-IP, else the vantage
	 * host's view of where our SSH came from */
	if ((k == W_WHOAMI || (k == W_VANTAGE && !m->target.client_ip[0])) && r->address[0] &&
	    !e->o.target.client_ip[0]) {
		snprintf(m->target.client_ip, sizeof(m->target.client_ip), "%s", r->address);
		if (k == W_VANTAGE)
			model_log(m, "the vantage host sees this client as %s", r->address);
	}
	if (k != W_RESOLVE)
		return;
	if (r->check.state == ST_OK && r->address[0]) {
		snprintf(m->target.address, sizeof(m->target.address), "%s", r->address);
		e->resolved = true;
		model_log(m, "%s is %s", m->target.host, r->address);
		for (int j = 0; j < W_COUNT; j++)
			if (plan[j].needs_address && m->checks[plan[j].owns[0]].state == ST_PENDING)
				start_worker(e, m, (enum worker_kind)j);
	} else {
		e->resolve_failed = true;
		for (int j = 0; j < W_COUNT; j++)
			if (plan[j].needs_address)
				finish_owned(e, m, (enum worker_kind)j, ST_SKIPPED, OUT_SKIPPED,
					     "not run: the target's name does not resolve");
	}
}

void engine_handle(struct engine *e, const struct pollfd *fds, int n, struct model *m)
{
	long long now = clock_ms();

	for (int k = 0; k < W_COUNT; k++) {
		struct worker *w = &e->w[k];
		bool eof = false;

		if (!w->pid)
			continue;
		for (;;) {
			ssize_t got = read(w->fd, (char *)&w->rec + w->have, sizeof(w->rec) - w->have);

			if (got > 0) {
				w->have += (size_t)got;
				if (w->have == sizeof(w->rec)) {
					w->have = 0;
					if (w->rec.check.id < CK_COUNT)
						on_record(e, m, (enum worker_kind)k, &w->rec);
				}
				continue;
			}
			eof = got == 0 || (errno != EAGAIN && errno != EINTR);
			break;
		}
		if (eof)
			stop_worker(e, m, (enum worker_kind)k, false, NULL);
		else if (now >= w->deadline)
			stop_worker(e, m, (enum worker_kind)k, true,
				    "no result before the probe's deadline (probe stopped)");
	}
	if (e->cloud)
		cloud_handle(e->cloud, fds, n, m);
	take_cloud_address(e, m);
	if (!engine_busy(e) && !m->done) {
		m->done = true;
		m->elapsed_ms = clock_ms() - e->round_start;
		model_log(m, "round %u done in %ld ms", m->round, m->elapsed_ms);
	} else if (!m->done) {
		m->elapsed_ms = clock_ms() - e->round_start;
	}
	diag_run(m);
}

int engine_fix_plan(struct engine *e, const struct model *m, enum remedy_id id,
		    struct cloud_fix *fx, char *err, size_t errlen)
{
	if (!e->cloud) {
		snprintf(err, errlen, "%s changes Azure or the guest: it needs the Azure VM "
			 "(--azure-vm) and credentials", remedy_name(id));
		return -1;
	}
	return cloud_fix_plan(e->cloud, m, id, fx, err, errlen);
}

void engine_set_creds(struct engine *e, const struct vm_creds *cr)
{
	if (e->cloud)
		cloud_set_creds(e->cloud, cr);
}

int engine_undo_plan(struct engine *e, struct cloud_fix *fx, char *err, size_t errlen)
{
	if (!e->cloud) {
		snprintf(err, errlen, "undo needs the Azure VM (--azure-vm) and credentials");
		return -1;
	}
	return cloud_undo_plan(e->cloud, fx, err, errlen);
}

int engine_fix_start(struct engine *e, struct model *m, struct cloud_fix *fx, char *err,
		     size_t errlen)
{
	if (!e->cloud || engine_busy(e)) {
		snprintf(err, errlen, "%s", e->cloud ? "probes are still running" : "no Azure VM");
		return -1;
	}
	if (cloud_fix_start(e->cloud, m, fx, err, errlen) != 0)
		return -1;
	m->done = false;      /* the loop runs until the change has been made */
	e->round_start = clock_ms();
	return 0;
}

int engine_local_fix_plan(struct engine *e, const struct model *m, enum remedy_id id,
			  struct local_fix *lx, char *err, size_t errlen)
{
	return localfix_plan(m, id, e->o.ssh_dir, e->o.identity[0] ? e->o.identity : NULL, lx,
			     err, errlen);
}

int engine_local_fix_apply(struct engine *e, struct model *m, const struct local_fix *lx,
			   char *err, size_t errlen)
{
	char did[2048];
	long long t0 = clock_ms();
	int rc;

	if (engine_busy(e)) {
		snprintf(err, errlen, "probes are still running");
		return -1;
	}
	rc = localfix_apply(m, lx, e->o.ssh_dir, e->o.identity[0] ? e->o.identity : NULL, did,
			    sizeof(did), err, errlen);
	m->fix.id = (int)lx->id;
	m->fix.state = rc == 0 ? ST_OK : ST_FAIL;
	snprintf(m->fix.status, sizeof(m->fix.status), "%s%.240s", rc == 0 ? "done: " : "",
		 rc == 0 ? (did[0] ? did : "nothing needed it") : err);
	m->fix.elapsed_ms = (long)(clock_ms() - t0);
	m->generation++;
	return rc;
}

int engine_rescue_start(struct engine *e, struct model *m, const char *cmd, char *err,
			size_t errlen)
{
	if (!e->cloud) {
		snprintf(err, errlen, "the rescue console needs the Azure VM (--azure-vm) and "
			 "credentials");
		return -1;
	}
	if (engine_busy(e)) {
		snprintf(err, errlen, "the probes are running: wait for their verdict");
		return -1;
	}
	return rescue_start(e->cloud, m, cmd, err, errlen);
}

bool engine_rescue_busy(const struct engine *e)
{
	return e->cloud && rescue_busy(e->cloud);
}

int engine_rescue_tick(struct engine *e, struct model *m)
{
	return e->cloud ? rescue_tick(e->cloud, m) : -1;
}
