#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/remedy.h"
#include "probe/local.h"
#include "probe/localfix.h"
#include "probe/sshp.h"

#define KEYGEN_MS 5000

/* ---- client.update_known_host ------------------------------------------------------- */

/* The key the path probe carried, checked: it hashes to the fingerprint the probe showed,
 * and that is one of the VM's own read out of band.  0 with type, b64 and fp; else -1
 * with err (both fingerprints when they disagree). */
static int verify_key(const struct model *m, char *type, size_t tlen, char *b64, size_t blen,
		      char *fp, size_t fplen, char *both, size_t bothlen, char *err, size_t errlen)
{
	char net_fp[KH_FP_LEN], oob[CHECK_EVIDENCE_MAX][KH_FP_LEN];
	const struct check *src = diag_host_key_source(m);
	int n = kh_oob_fps(src, oob, CHECK_EVIDENCE_MAX);
	enum kh_verdict v;

	fp[0] = '\0';
	diag_host_key(m, net_fp, sizeof(net_fp));
	kh_describe(net_fp, src, both, bothlen);
	if (!kh_key_split(m->host_key, type, tlen, b64, blen) ||
	    sshp_pubkey_fingerprint(type, b64, fp, fplen) != 0)
		v = KH_NO_KEY;
	else
		v = kh_verify(fp, net_fp, oob, n);
	if (v == KH_OK)
		return 0;
	if (v == KH_KEY_NOT_SEEN)
		snprintf(err, errlen, "REFUSED: %s (the key hashes to %s, the probe showed %s); "
			 "known_hosts was left alone", kh_verdict_text(v), fp, net_fp);
	else
		snprintf(err, errlen, "REFUSED: %s: %s%s; known_hosts was left alone",
			 kh_verdict_text(v), both,
			 v == KH_MISMATCH ? ". This may be interception (a man in the middle): do not "
			 "accept this key; compare the fingerprints out of band" : "");
	return -1;
}

/* file must be a regular file of ours, reached without a symbolic link.  0 (st filled),
 * 1 when it does not exist, -1 with err. */
static int check_file(const char *file, struct stat *st, char *err, size_t errlen)
{
	if (lstat(file, st) != 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st->st_mode)) {
		snprintf(err, errlen, "%s is a symbolic link: left alone (edit the file it points "
			 "to yourself)", file);
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_uid != getuid()) {
		snprintf(err, errlen, "%s is not a regular file of yours: left alone", file);
		return -1;
	}
	return 0;
}

/* Does the file hold hashed host names (HashKnownHosts)? */
static bool file_hashed(const char *file)
{
	FILE *f = fopen(file, "re");
	char line[MODEL_HOSTKEY_LEN + 512];
	bool hashed = false;

	while (f && !hashed && fgets(line, sizeof(line), f))
		hashed = strncmp(line, "|1|", 3) == 0;
	if (f)
		fclose(f);
	return hashed;
}

/* line hashed the way HashKnownHosts writes it, by ssh-keygen -H on a private copy. */
static int hash_line(char *line, size_t len, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], file[4200], old[4300], out[MODEL_HOSTKEY_LEN + 512];
	char *argv[] = {"ssh-keygen", "-H", "-f", file, NULL};
	FILE *f;
	int rc = -1;

	snprintf(dir, sizeof(dir), "%s/sshtriage-kh.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "cannot hash the entry (temporary directory: %s)", strerror(errno));
		return -1;
	}
	snprintf(file, sizeof(file), "%s/known_hosts", dir);
	snprintf(old, sizeof(old), "%s.old", file);
	f = fopen(file, "wxe");
	if (f && fprintf(f, "%s\n", line) > 0 && fclose(f) == 0 &&
	    local_run(argv, out, sizeof(out), KEYGEN_MS) == 0 && (f = fopen(file, "re"))) {
		while (fgets(out, sizeof(out), f))
			if (strncmp(out, "|1|", 3) == 0) {
				out[strcspn(out, "\r\n")] = '\0';
				snprintf(line, len, "%s", out);
				rc = 0;
				break;
			}
		fclose(f);
	} else if (f) {
		fclose(f);
	}
	unlink(file);
	unlink(old);
	rmdir(dir);
	if (rc != 0)
		snprintf(err, errlen, "cannot hash the entry (ssh-keygen -H failed)");
	return rc;
}

static void ssh_config_note(const struct model *m, char *note, size_t len)
{
	const struct check *c = &m->checks[CK_CLIENT_SSH_CONFIG];

	note[0] = '\0';
	for (int i = 0; i < c->n_evidence && i < CHECK_EVIDENCE_MAX; i++)
		if (strstr(c->evidence[i], "UserKnownHostsFile"))
			snprintf(note, len, "ssh_config names a UserKnownHostsFile for this host (see "
				 "client.ssh_config): ssh reads that file, this remedy fixes the one "
				 "sshtriage checked");
}

/* The VM's own keys, as the out-of-band check lists them, for the preview. */
static void vm_keys(const struct model *m, struct khfix_plan *p)
{
	const struct check *src = diag_host_key_source(m);
	char fp[KH_FP_LEN];

	p->source = src && src->id == CK_VM_HOST_KEY ? "Run Command" : "boot log";
	for (int i = 0; src && i < src->n_evidence && i < CHECK_EVIDENCE_MAX; i++) {
		diag_find_fp(src->evidence[i], fp, sizeof(fp));
		if (fp[0])
			memcpy(p->vm_keys[p->n_vm_keys++], src->evidence[i], CHECK_EVIDENCE_LEN);
	}
}

static int kh_plan(const struct model *m, const char *ssh_dir, struct khfix_plan *p, char *err,
		   size_t errlen)
{
	const char *host = m->target.host[0] ? m->target.host : m->target.address;
	char b64[MODEL_HOSTKEY_LEN], out[8192];
	char *argv[] = {"ssh-keygen", "-F", p->pattern, "-f", p->file, NULL};
	struct stat st;
	int rc;

	memset(p, 0, sizeof(*p));
	if (verify_key(m, p->type, sizeof(p->type), b64, sizeof(b64), p->fp, sizeof(p->fp),
		       p->both, sizeof(p->both), err, errlen) != 0)
		return -1;
	if (!kh_host_pattern(host, m->target.port, p->pattern, sizeof(p->pattern))) {
		snprintf(err, errlen, "the host name %.200s is not one known_hosts can hold as is", host);
		return -1;
	}
	snprintf(p->file, sizeof(p->file), "%s/known_hosts", ssh_dir);
	if ((rc = check_file(p->file, &st, err, errlen)) < 0)
		return -1;
	p->exists = rc == 0;
	if (p->exists) {
		/* exit 1: no entry for the host; then there is nothing to remove */
		rc = local_run(argv, out, sizeof(out), KEYGEN_MS);
		if (rc != 0 && rc != 1) {
			snprintf(err, errlen, "ssh-keygen -F %s -f %s failed (exit %d)%s", p->pattern,
				 p->file, rc, rc == 127 ? ": is openssh-client installed?" : "");
			return -1;
		}
		p->n_lines = kh_found_lines(out, p->lines, LOCALFIX_LINES_MAX, &p->kept);
		p->hashed = file_hashed(p->file);
	}
	if (kh_entry_line(p->pattern, p->type, b64, p->line, sizeof(p->line)) != 0) {
		snprintf(err, errlen, "the host key is too long for an entry");
		return -1;
	}
	if (p->hashed && hash_line(p->line, sizeof(p->line), err, errlen) != 0)
		return -1;
	ssh_config_note(m, p->note, sizeof(p->note));
	vm_keys(m, p);
	return 0;
}

/* Short lines: the screen's preview is 76 columns wide and cuts what is longer. */
static void kh_text(const struct khfix_plan *p, char *out, size_t len)
{
	size_t at;

#define ADD(...) (at = strlen(out), snprintf(out + at, len - at, __VA_ARGS__))
	out[0] = '\0';
	ADD("Remedy client.update_known_host: %s\n", remedy_title(RM_CLIENT_UPDATE_KNOWN));
	ADD("  file:     %s%s\n", p->file, p->exists ? "" : " (new)");
	if (p->n_lines) {
		ADD("  removes:  line%s", p->n_lines > 1 ? "s" : "");
		for (int i = 0; i < p->n_lines; i++)
			ADD("%s %d", i ? "," : "", p->lines[i]);
		ADD(": every entry for %s (hashed ones too),\n"
		    "            by ssh-keygen -R, which keeps the old file as known_hosts.old\n",
		    p->pattern);
	} else {
		ADD("  removes:  nothing (no entry for %s in this file)\n", p->pattern);
	}
	ADD("  adds:     %s\n", p->line);
	ADD("  network:  %s (%s)\n", p->fp, p->type);
	for (int i = 0; i < p->n_vm_keys; i++)
		ADD("%s%s\n", i ? "            " : "  VM's own: ", p->vm_keys[i]);
	ADD("            (read out of band: %s); they agree\n", p->source);
	ADD("  costs:    ssh trusts this key for %s from now on; it is the VM's\n"
	    "            own, so nothing new is trusted\n", p->pattern);
	if (p->n_lines)
		ADD("  undo:     mv %s.old %s\n", p->file, p->file);
	else
		ADD("  undo:     delete the added line from %s\n", p->file);
	if (p->kept)
		ADD("  note:     %d @revoked / @cert-authority line(s) for the host stay\n", p->kept);
	if (p->note[0])
		ADD("  note:     %s\n", p->note);
#undef ADD
}

/* Appends line to file with O_APPEND, never through a symbolic link, keeping the mode
 * (a new file: 0644). */
static int append_line(const char *file, bool create, const char *line, mode_t mode, char *err,
		       size_t errlen)
{
	int fd = open(file, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
		      (create ? O_CREAT | O_EXCL : 0), 0644);
	struct stat st;
	char last = '\n';
	size_t n = strlen(line);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", file, strerror(errno),
			 errno == ELOOP ? " (a symbolic link: left alone)" : "");
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
		close(fd);
		snprintf(err, errlen, "%s is not a regular file of yours: left alone", file);
		return -1;
	}
	/* a last line without its newline must not swallow ours */
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	ok = (last == '\n' || write(fd, "\n", 1) == 1) && write(fd, line, n) == (ssize_t)n &&
	     write(fd, "\n", 1) == 1;
	if (ok && !create && (st.st_mode & 07777) != (mode & 07777))
		ok = fchmod(fd, mode & 07777) == 0;
	if (ok)
		ok = fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	if (!ok)
		snprintf(err, errlen, "writing %s: %s", file, strerror(errno));
	return ok ? 0 : -1;
}

static int kh_apply(const struct model *m, const struct khfix_plan *p, char *did, size_t len,
		    char *err, size_t errlen)
{
	char type[KH_TYPE_LEN], b64[MODEL_HOSTKEY_LEN], fp[KH_FP_LEN], both[1400], out[4096];
	char pattern[300], file[4200];
	char *argv[] = {"ssh-keygen", "-R", pattern, "-f", file, NULL};
	struct stat st;
	int rc;

	/* the round may have changed since the preview: the key is checked once more */
	if (verify_key(m, type, sizeof(type), b64, sizeof(b64), fp, sizeof(fp), both, sizeof(both),
		       err, errlen) != 0)
		return -1;
	if (strcmp(fp, p->fp) != 0) {
		snprintf(err, errlen, "the host key changed since the preview (%s, was %s): nothing "
			 "was changed", fp, p->fp);
		return -1;
	}
	snprintf(pattern, sizeof(pattern), "%s", p->pattern);
	snprintf(file, sizeof(file), "%s", p->file);
	if ((rc = check_file(file, &st, err, errlen)) < 0)
		return -1;
	if ((rc == 0) != p->exists) {
		snprintf(err, errlen, "%s %s since the preview: nothing was changed", file,
			 p->exists ? "is gone" : "appeared");
		return -1;
	}
	if (p->n_lines > 0 && (rc = local_run(argv, out, sizeof(out), KEYGEN_MS)) != 0) {
		snprintf(err, errlen, "ssh-keygen -R %s -f %s failed (exit %d): nothing was changed",
			 pattern, file, rc);
		return -1;
	}
	if (append_line(file, !p->exists, p->line, p->exists ? st.st_mode : 0644, err, errlen) != 0)
		return -1;
	snprintf(did, len, "%s%s; added %s %s for %s to %s", p->n_lines ? "removed the old entries "
		 "for " : "no old entry for ", pattern, p->type, fp, pattern, file);
	return 0;
}

/* ---- the local remedies ------------------------------------------------------------- */

int localfix_plan(const struct model *m, enum remedy_id id, const char *ssh_dir,
		  const char *identity, struct local_fix *lx, char *err, size_t errlen)
{
	memset(lx, 0, sizeof(*lx));
	lx->id = id;
	switch (id) {
	case RM_CLIENT_FIX_KEY_PERMS:
		return local_fix_permissions(ssh_dir, identity, false, lx->changes, sizeof(lx->changes),
					     err, errlen);
	case RM_CLIENT_UPDATE_KNOWN:
		return kh_plan(m, ssh_dir, &lx->kh, err, errlen);
	default:
		snprintf(err, errlen, "%s is not a change on this machine", remedy_name(id));
		return -1;
	}
}

void localfix_text(const struct local_fix *lx, char *out, size_t len)
{
	if (lx->id == RM_CLIENT_UPDATE_KNOWN)
		kh_text(&lx->kh, out, len);
	else
		snprintf(out, len, "Remedy %s: %s\n  changes: %s\n  costs:   nothing is opened up: "
			 "modes only get stricter\n", remedy_name(lx->id), remedy_title(lx->id),
			 lx->changes[0] ? lx->changes : "nothing needs it");
}

int localfix_apply(const struct model *m, const struct local_fix *lx, const char *ssh_dir,
		   const char *identity, char *did, size_t len, char *err, size_t errlen)
{
	if (lx->id == RM_CLIENT_UPDATE_KNOWN)
		return kh_apply(m, &lx->kh, did, len, err, errlen);
	if (lx->id == RM_CLIENT_FIX_KEY_PERMS)
		return local_fix_permissions(ssh_dir, identity, true, did, len, err, errlen);
	snprintf(err, errlen, "%s is not a change on this machine", remedy_name(lx->id));
	return -1;
}

bool localfix_why_not(const struct model *m, enum remedy_id id, char *out, size_t len)
{
	char type[KH_TYPE_LEN], b64[MODEL_HOSTKEY_LEN], fp[KH_FP_LEN], both[1400];

	if (id != RM_CLIENT_UPDATE_KNOWN || !m->host_key[0])
		return false;
	return verify_key(m, type, sizeof(type), b64, sizeof(b64), fp, sizeof(fp), both,
			  sizeof(both), out, len) != 0;
}
