#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "azure/guest.h"

/* The first lines of every guest script (also guestfix.c's). */
static const char script_prelude[] =
	"export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin:\"$PATH\"\n"
	"exec </dev/null\n"
	"T=\n"
	"command -v timeout >/dev/null 2>&1 && T='timeout 10'\n"
	"q() { $T \"$@\" 2>/dev/null; }\n"
	"has() { command -v \"$1\" >/dev/null 2>&1; }\n"
	"kv() { printf '%s=%s\\n' \"$1\" \"$(printf '%s' \"$2\" | tr '\\t\\n' '  ' | tr -d '\\000-\\037\\177' | cut -c \"1-${3:-160}\")\"; }\n";

/* The script after its two variable lines (U = the user, P = the ports) and the prelude.
 * Kept in step with the key list in guest.h; tested by hand with `sh -n`, shellcheck -s sh,
 * dash and bash, and in the lab VM through the ARM stand-in (tests/fixtures/guest/README). */
static const char script_body[] =
	"echo GUEST_FACTS=1\n"
	"kv USER_NAME \"$U\"\n"
	"S=/usr/sbin/sshd\n"
	"[ -x \"$S\" ] || S=$(command -v sshd 2>/dev/null)\n"
	"a=unknown st=\n"
	"if has systemctl; then\n"
	"\tfor u in ssh sshd; do\n"
	"\t\ts=$(q systemctl is-active \"$u.service\")\n"
	"\t\tcase $s in\n"
	"\t\tactive | reloading | activating) a=yes st=$s; break ;;\n"
	"\t\tfailed) a=no st=$s ;;\n"
	"\t\tinactive | deactivating) [ \"$a\" = unknown ] && a=no st=$s ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"fi\n"
	"if [ \"$a\" = unknown ] && has pgrep; then\n"
	"\tif q pgrep -x sshd >/dev/null; then a=yes; else a=no; fi\n"
	"fi\n"
	"kv SSHD_ACTIVE \"$a\"\n"
	"kv SSHD_STATE \"$st\"\n"
	"k=no\n"
	"has systemctl && [ \"$(q systemctl is-active ssh.socket)\" = active ] && k=yes\n"
	"kv SSHD_SOCKET $k\n"
	"if [ $k = yes ]; then\n"
	"\tkv SSHD_SOCKET_LISTEN \"$(q systemctl show -p Listen ssh.socket | sed 's/^Listen=//' | tr ' ' '\\n' | awk '/:[0-9]+$/ { sub(/.*:/, \"\"); if (!($0 in s) && n < 16) { s[$0] = 1; o = o (n++ ? \",\" : \"\") $0 } } END { print o }')\"\n"
	"fi\n"
	"if has ss; then L=$(q ss -ltnp); elif has netstat; then L=$(q netstat -ltnp); else L=; fi\n"
	"lp() { printf '%s\\n' \"$L\" | awk -v pat=\"$1\" -v addr=\"$2\" -v max=\"$3\" '($1 == \"LISTEN\" || $1 ~ /^tcp/) && $0 ~ pat { a = $4; p = a; sub(/.*:/, \"\", p); if (addr) p = a; if (!(p in s) && n < max) { s[p] = 1; o = o (n++ ? \",\" : \"\") p } } END { print o }'; }\n"
	"if [ -n \"$L\" ]; then\n"
	"\tkv SSHD_LISTEN \"$(lp '\"sshd\"|/sshd' '' 16)\"\n"
	"\tkv SSHD_LISTEN_ADDR \"$(lp '\"sshd\"|/sshd' 1 8)\"\n"
	"\tkv LISTEN_ALL \"$(lp . '' 32)\"\n"
	"fi\n"
	"C=\n"
	"if [ -n \"$S\" ]; then\n"
	"\te=$($T \"$S\" -t 2>&1 >/dev/null)\n"
	"\tr=$?\n"
	"\te=$(printf '%s\\n' \"$e\" | head -n 1)\n"
	"\tif [ $r = 0 ]; then t=ok\n"
	"\telse\n"
	"\t\tt=fail\n"
	"\t\tcase $e in *\"privilege separation directory\"*) t=nodir ;; \"\") e=\"sshd -t exit status $r\" ;; esac\n"
	"\tfi\n"
	"\tkv SSHD_TEST $t\n"
	"\t[ -n \"$e\" ] && kv SSHD_TEST_ERR \"$e\" 200\n"
	"\t[ $t = ok ] && C=$(q \"$S\" -T)\n"
	"else\n"
	"\tkv SSHD_TEST missing\n"
	"fi\n"
	"cf() { printf '%s\\n' \"$C\" | awk -v k=\"$1\" -v sep=\"$2\" '$1 == k { $1 = \"\"; sub(/^ /, \"\"); o = o (n++ ? sep : \"\") $0 } END { print o }'; }\n"
	"if [ -n \"$C\" ]; then\n"
	"\tkv SSHD_PORTS \"$(cf port ,)\"\n"
	"\tkv SSHD_LISTENADDRESS \"$(cf listenaddress ,)\"\n"
	"\tkv SSHD_STRICTMODES \"$(cf strictmodes ' ')\"\n"
	"\tkv SSHD_PUBKEY \"$(cf pubkeyauthentication ' ')\"\n"
	"\tkv SSHD_PASSWORD \"$(cf passwordauthentication ' ')\"\n"
	"\tkv SSHD_USEPAM \"$(cf usepam ' ')\"\n"
	"\tkv SSHD_PERMITROOT \"$(cf permitrootlogin ' ')\"\n"
	"\tkv SSHD_AUTHMETHODS \"$(cf authenticationmethods ' ')\"\n"
	"\tkv SSHD_AUTHKEYS \"$(cf authorizedkeysfile ' ')\"\n"
	"\tfor x in ALLOWUSERS DENYUSERS ALLOWGROUPS DENYGROUPS; do\n"
	"\t\tv=$(cf \"$(echo $x | tr A-Z a-z)\" ' ')\n"
	"\t\t[ -n \"$v\" ] && kv SSHD_$x \"$v\"\n"
	"\tdone\n"
	"fi\n"
	"F=$(if has nft; then q nft list ruleset; fi\n"
	"\tif has iptables && { ! has nft || ! q iptables -V | grep -q nf_tables; }; then q iptables -S; fi)\n"
	"w=none\n"
	"has nft && w=nft\n"
	"if has iptables && { ! has nft || ! q iptables -V | grep -q nf_tables; }; then\n"
	"\t[ $w = nft ] && w=nft+iptables || w=iptables\n"
	"fi\n"
	"kv FW_TOOL $w\n"
	"printf '%s\\n' \"$F\" | awk -v ports=\"$P\" -v tool=$w '\n"
	"function rel(c) { return tolower(c) ~ /input/ || c ~ /(^|_)IN_/ }\n"
	"function inspec(sp, p,   e, n, i, a) {\n"
	"\tn = split(sp, e, \",\")\n"
	"\tfor (i = 1; i <= n; i++) {\n"
	"\t\tif (e[i] ~ /^[0-9]+$/ && e[i] + 0 == p) return 1\n"
	"\t\tif (e[i] ~ /^[0-9]+[-:][0-9]+$/) { split(e[i], a, /[-:]/); if (p >= a[1] + 0 && p <= a[2] + 0) return 1 }\n"
	"\t\tif (e[i] == \"ssh\" && p == 22) return 1\n"
	"\t}\n"
	"\treturn 0\n"
	"}\n"
	"function put(p, v, t) {\n"
	"\tif (V[p] == \"\" || (V[p] == \"accept\" && v != \"accept\")) { V[p] = v; R[p] = t }\n"
	"}\n"
	"function rule(l, ipt,   s, t, n, i, v, sp, neg, cond, c, j) {\n"
	"\ts = l\n"
	"\tgsub(/\"[^\"]*\"/, \"\\\"\\\"\", s)\n"
	"\tif (s ~ /udp dport|-p udp|sctp/) return\n"
	"\tn = split(s, t, \" \")\n"
	"\tv = \"\"; sp = \"\"; neg = 0\n"
	"\tfor (i = 1; i <= n; i++) {\n"
	"\t\tif (ipt) {\n"
	"\t\t\tif (t[i] == \"-j\" || t[i] == \"-g\") {\n"
	"\t\t\t\tc = t[i + 1]\n"
	"\t\t\t\tv = c == \"DROP\" ? \"drop\" : c == \"REJECT\" ? \"reject\" : c == \"ACCEPT\" ? \"accept\" : (c == \"RETURN\" || c == \"LOG\") ? \"\" : \"jump\"\n"
	"\t\t\t} else if (t[i] == \"--dport\" || t[i] == \"--dports\" || t[i] == \"--destination-port\") {\n"
	"\t\t\t\tsp = t[i + 1]; if (t[i - 1] == \"!\") neg = 1\n"
	"\t\t\t}\n"
	"\t\t} else {\n"
	"\t\t\tif (t[i] == \"drop\" || t[i] == \"reject\" || t[i] == \"accept\") v = t[i]\n"
	"\t\t\telse if (t[i] == \"jump\" || t[i] == \"goto\") v = \"jump\"\n"
	"\t\t\telse if (t[i] == \"dport\" && sp == \"\") {\n"
	"\t\t\t\tj = i + 1\n"
	"\t\t\t\tif (t[j] == \"!=\") { neg = 1; j++ }\n"
	"\t\t\t\tif (t[j] == \"{\") { for (j++; j <= n && t[j] != \"}\"; j++) sp = sp t[j] } else sp = t[j]\n"
	"\t\t\t}\n"
	"\t\t}\n"
	"\t}\n"
	"\tif (l ~ /xt target \"?REJECT/) v = \"reject\"\n"
	"\tif (l ~ /xt target \"?DROP/) v = \"drop\"\n"
	"\tif (v == \"\") return\n"
	"\tif (v == \"jump\") { J[cid] = 1; return }\n"
	"\tif (sp == \"\") {\n"
	"\t\tc = s\n"
	"\t\tif (ipt) {\n"
	"\t\t\tgsub(/ -m comment --comment \"\"/, \"\", c)\n"
	"\t\t\tif (c ~ /^-A [^ ]+ -j (DROP|REJECT)( --reject-with [a-z0-9-]+)?$/) ca(v, l)\n"
	"\t\t} else {\n"
	"\t\t\tgsub(/counter( packets [0-9]+ bytes [0-9]+)?/, \"\", c)\n"
	"\t\t\tgsub(/log( (prefix|level|flags|group) [^ ]+)*/, \"\", c)\n"
	"\t\t\tgsub(/comment \"\"/, \"\", c)\n"
	"\t\t\tgsub(/^ +| +$/, \"\", c); gsub(/  +/, \" \", c)\n"
	"\t\t\tif (c ~ /^(drop|reject( with [a-z0-9 -]+)?)$/) ca(v, l)\n"
	"\t\t}\n"
	"\t\treturn\n"
	"\t}\n"
	"\tif (neg) return\n"
	"\tcond = s ~ /saddr|daddr|limit rate|ct count|meter|@| -s | -d |--src|--dst|match-set|recent|hashlimit|connlimit/\n"
	"\tgsub(/counter packets [0-9]+ bytes [0-9]+ /, \"\", l)\n"
	"\tfor (i = 1; i <= np; i++) {\n"
	"\t\tif (!inspec(sp, P[i]) || D[cid, P[i]]) continue\n"
	"\t\tif (cond) { N[P[i]]++; continue }\n"
	"\t\tD[cid, P[i]] = 1\n"
	"\t\tif (CA[cid] != \"\") put(P[i], CA[cid], CT[cid]); else put(P[i], v, l)\n"
	"\t}\n"
	"}\n"
	"function ca(v, l) {\n"
	"\tif (v == \"accept\") return\n"
	"\tif (all == \"\") all = v\n"
	"\tif (!J[cid] && CA[cid] == \"\") { CA[cid] = v; CT[cid] = l }\n"
	"}\n"
	"BEGIN { np = split(ports, P, \" \") }\n"
	"{ l = $0; sub(/^[ \\t]+/, \"\", l); sub(/[ \\t]+$/, \"\", l) }\n"
	"l ~ /^-P INPUT / { seen = 1; if ($3 == \"DROP\") pol = \"drop\"; next }\n"
	"l ~ /^-A / { cid = \"i\" $2; if (rel($2)) rule(l, 1); next }\n"
	"l ~ /^chain / { inc = 1; cid = \"n\" NR; split(l, t, \" \"); use = rel(t[2]); next }\n"
	"l ~ /^type / && inc {\n"
	"\tuse = l ~ /^type filter hook input/\n"
	"\tif (use) { seen = 1; if (l ~ /policy drop/) pol = \"drop\" }\n"
	"\tnext\n"
	"}\n"
	"l == \"}\" { inc = use = 0; next }\n"
	"inc && use { rule(l, 0) }\n"
	"END {\n"
	"\tprint \"FW_POLICY=\" (pol != \"\" ? pol : seen ? \"accept\" : \"none\")\n"
	"\tprint \"FW_CATCHALL=\" (all != \"\" ? all : \"none\")\n"
	"\tfor (i = 1; i <= np; i++) {\n"
	"\t\tp = P[i]\n"
	"\t\tprint \"FW_PORT_\" p \"=\" (tool == \"none\" ? \"unknown\" : V[p] != \"\" ? V[p] : \"none\")\n"
	"\t\tif (V[p] == \"drop\" || V[p] == \"reject\") print \"FW_RULE_\" p \"=\" substr(R[p], 1, 200)\n"
	"\t\tif (N[p]) print \"FW_COND_\" p \"=\" N[p]\n"
	"\t}\n"
	"}' | tr -d '\\000-\\011\\013-\\037\\177'\n"
	"dk() {\n"
	"\tk=$(q df -Pk \"$2\" | awk 'NR == 2')\n"
	"\t[ -n \"$k\" ] || return\n"
	"\ti=$(q df -Pi \"$2\" | awk 'NR == 2')\n"
	"\tprintf '%s\\n%s\\n' \"$k\" \"$i\" | awk -v n=\"$1\" '\n"
	"function pc(   j) { for (j = 3; j <= NF; j++) if ($j ~ /^([0-9]+%|-)$/) return j; return 0 }\n"
	"NR == 1 && (j = pc()) {\n"
	"\tm = $(j + 1); for (x = j + 2; x <= NF; x++) m = m \" \" $x\n"
	"\tp = $j; sub(/%/, \"\", p)\n"
	"\tprint \"DISK_\" n \"_MNT=\" substr(m, 1, 80); print \"DISK_\" n \"_AVAIL_KB=\" $(j - 1); print \"DISK_\" n \"_USE_PCT=\" p\n"
	"}\n"
	"NR == 2 && (j = pc()) { print \"DISK_\" n \"_IFREE=\" ($(j - 3) == \"0\" ? \"-\" : $(j - 1)) }' | tr -d '\\000-\\011\\013-\\037\\177'\n"
	"}\n"
	"dk ROOT /\n"
	"dk HOME /home\n"
	"dk TMP /tmp\n"
	"dk VAR /var\n"
	"p=$(q getent passwd \"$U\" | head -n 1)\n"
	"[ -n \"$p\" ] || p=$(awk -F: -v u=\"$U\" '$1 == u' /etc/passwd 2>/dev/null | head -n 1)\n"
	"H=\n"
	"if [ -n \"$p\" ]; then\n"
	"\tkv USER_EXISTS yes\n"
	"\tH=$(printf '%s\\n' \"$p\" | cut -d: -f6)\n"
	"\tkv USER_HOME \"$H\"\n"
	"\tkv USER_SHELL \"$(printf '%s\\n' \"$p\" | cut -d: -f7)\"\n"
	"\ts=$(q getent shadow \"$U\" | head -n 1)\n"
	"\t[ -n \"$s\" ] || s=$(awk -F: -v u=\"$U\" '$1 == u' /etc/shadow 2>/dev/null | head -n 1)\n"
	"\tif [ -n \"$s\" ]; then\n"
	"\t\th=$(printf '%s\\n' \"$s\" | cut -d: -f2)\n"
	"\t\te=$(printf '%s\\n' \"$s\" | cut -d: -f8)\n"
	"\t\tcase $h in '!'*) x=locked ;; '*'*) x=none ;; '') x=empty ;; *) x='set' ;; esac\n"
	"\t\tkv USER_PW $x\n"
	"\t\tif [ $x = locked ]; then kv USER_LOCKED yes; else kv USER_LOCKED no; fi\n"
	"\t\td=$(( $(date +%s) / 86400 ))\n"
	"\t\tkv TODAY_DAYS $d\n"
	"\t\tkv USER_EXPIRE_DAYS \"$e\"\n"
	"\t\tx=no\n"
	"\t\tcase $e in '' | *[!0-9]*) ;; *) [ \"$d\" -ge \"$e\" ] && x=yes ;; esac\n"
	"\t\tkv USER_EXPIRED $x\n"
	"\tfi\n"
	"else\n"
	"\tkv USER_EXISTS no\n"
	"fi\n"
	"n=no\n"
	"for f in /etc/nologin /run/nologin /var/run/nologin; do [ -e $f ] && n=yes; done\n"
	"kv NOLOGIN $n\n"
	"md() { if [ -e \"$2\" ]; then kv \"$1\" \"$(q stat -L -c '%a %U' \"$2\")\"; else kv \"$1\" missing; fi; }\n"
	"if [ -n \"$H\" ]; then\n"
	"\tmd MODE_HOME \"$H\"\n"
	"\tmd MODE_SSHDIR \"$H/.ssh\"\n"
	"\tA=$(printf '%s\\n' \"$C\" | awk '$1 == \"authorizedkeysfile\" { print $2; exit }')\n"
	"\t[ -n \"$A\" ] || A=.ssh/authorized_keys\n"
	"\tif [ \"$A\" != none ]; then\n"
	"\t\tA=$(printf '%s\\n' \"$A\" | awk -v h=\"$H\" -v u=\"$U\" '{ f = $0; o = \"\"; while ((i = index(f, \"%\")) > 0) { c = substr(f, i + 1, 1); o = o substr(f, 1, i - 1) (c == \"h\" ? h : c == \"u\" ? u : c == \"%\" ? \"%\" : \"%\" c); f = substr(f, i + 2) } o = o f; if (substr(o, 1, 1) != \"/\") o = h \"/\" o; print o }')\n"
	"\t\tkv AUTHKEYS_PATH \"$A\"\n"
	"\t\tmd MODE_AUTHKEYS \"$A\"\n"
	"\t\t[ -f \"$A\" ] && kv AUTHKEYS_KEYS \"$(q grep -c -E '^[^#]*(ssh-|ecdsa-|sk-)' \"$A\")\"\n"
	"\tfi\n"
	"fi\n"
	"K=$(printf '%s\\n' \"$C\" | awk '$1 == \"hostkey\" { print $2 }' | head -n 6)\n"
	"[ -n \"$K\" ] || K=$(ls /etc/ssh/ssh_host_*_key.pub 2>/dev/null | sed 's/\\.pub$//' | head -n 6)\n"
	"for f in $K; do\n"
	"\t[ -f \"$f.pub\" ] && f=$f.pub\n"
	"\t[ -f \"$f\" ] && kv HOSTKEY \"$(q ssh-keygen -lf \"$f\" | awk 'NR == 1 { print $1, $2, $NF }')\"\n"
	"done\n"
	"echo GUEST_END=1\n";

const char *guest_script_prelude(void)
{
	return script_prelude;
}

bool guest_user_ok(const char *u)
{
	size_t n = u ? strlen(u) : 0;

	if (n < 1 || n > GUEST_USER_MAX || !((u[0] >= 'a' && u[0] <= 'z') || u[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = u[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

int guest_script(const char *user, const int *ports, int n_ports, char *out, size_t outlen)
{
	char plist[GUEST_PORTS_MAX * 6 + 1] = "";
	size_t pl = 0;
	int n;

	if (out && outlen)
		out[0] = '\0';
	if (!user || !out || !guest_user_ok(user) || n_ports < 0 || n_ports > GUEST_PORTS_MAX ||
	    (n_ports && !ports))
		return -1;
	for (int i = 0; i < n_ports; i++) {
		if (ports[i] < 1 || ports[i] > 65535)
			return -1;
		pl += (size_t)snprintf(plist + pl, sizeof(plist) - pl, "%s%d", i ? " " : "", ports[i]);
	}
	/* both values are [a-z0-9_. -] only: safe inside single quotes */
	n = snprintf(out, outlen, "U='%s'\nP='%s'\n%s%s", user, plist, script_prelude, script_body);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	return n;
}

/* ------------------------------------------------------------------ parsing */

static void copy_val(char *dst, size_t dlen, const char *v, size_t n)
{
	if (n >= dlen)
		n = dlen - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = v[i] ? v[i] : '?';
	dst[n] = '\0';
}

static bool is_word(const char *v, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(v, w, n) == 0;
}

/* Decimal digits only, at most 18 of them. */
static bool parse_num(const char *v, size_t n, long long *out)
{
	long long x = 0;

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return true;
}

static int parse_yes_no(const char *v, size_t n)
{
	if (is_word(v, n, "yes"))
		return GUEST_YES;
	if (is_word(v, n, "no"))
		return GUEST_NO;
	return GUEST_UNKNOWN;
}

static enum guest_fw parse_fw(const char *v, size_t n)
{
	if (is_word(v, n, "none"))
		return GUEST_FW_NONE;
	if (is_word(v, n, "accept"))
		return GUEST_FW_ACCEPT;
	if (is_word(v, n, "drop"))
		return GUEST_FW_DROP;
	if (is_word(v, n, "reject"))
		return GUEST_FW_REJECT;
	return GUEST_FW_UNKNOWN;
}

/* "22,2222": valid distinct ports, in order, at most max. */
static int parse_ports(const char *v, size_t n, int *ports, int max)
{
	int k = 0;
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		long long p;

		while (j < n && v[j] != ',')
			j++;
		if (parse_num(v + i, j - i, &p) && p >= 1 && p <= 65535) {
			bool dup = false;

			for (int m = 0; m < k; m++)
				dup = dup || ports[m] == (int)p;
			if (!dup && k < max)
				ports[k++] = (int)p;
		}
		i = j + 1;
	}
	return k;
}

/* "755 azureuser" or "missing". */
static void parse_mode(const char *v, size_t n, struct guest_mode *m)
{
	size_t i = 0;
	int mode = 0;

	if (is_word(v, n, "missing")) {
		m->mode = -1;
		return;
	}
	while (i < n && i < 5 && v[i] >= '0' && v[i] <= '7')
		mode = mode * 8 + (v[i++] - '0');
	if (i == 0 || i > 4 || i + 1 >= n || v[i] != ' ')
		return;
	m->mode = mode;
	copy_val(m->owner, sizeof(m->owner), v + i + 1, n - i - 1);
}

/* "256 SHA256:... (ED25519)"; a comment between fingerprint and type is skipped. */
static bool parse_hostkey(const char *v, size_t n, struct guest_hostkey *k)
{
	size_t i = 0, fs, fe, ts, te;
	long long bits;

	while (i < n && v[i] != ' ')
		i++;
	if (!parse_num(v, i, &bits) || bits < 1 || bits > 65536 || i >= n)
		return false;
	fs = ++i;
	while (i < n && v[i] != ' ')
		i++;
	fe = i;
	/* as ssh-keygen prints it: "SHA256:" and 43 base64 characters, no padding */
	if (fe - fs != 7 + 43 || memcmp(v + fs, "SHA256:", 7) != 0)
		return false;
	for (size_t j = fs + 7; j < fe; j++)
		if (!((v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= 'a' && v[j] <= 'z') || (v[j] >= '0' && v[j] <= '9') ||
		      v[j] == '+' || v[j] == '/'))
			return false;
	te = n;
	while (te > fe && v[te - 1] == ' ')
		te--;
	ts = te;
	while (ts > fe && v[ts - 1] != ' ')
		ts--;
	if (te - ts >= 3 && v[ts] == '(' && v[te - 1] == ')') {
		ts++;
		te--;
	}
	k->bits = (int)bits;
	copy_val(k->fp, sizeof(k->fp), v + fs, fe - fs);
	copy_val(k->type, sizeof(k->type), v + ts, te > ts ? te - ts : 0);
	return true;
}

enum kind { K_STR, K_TRI, K_TEST, K_FWPOL, K_PORTS, K_MODE, K_NUM };

struct key {
	const char *name;
	enum kind kind;
	size_t off, size;   /* field; for K_PORTS the array, count at cnt */
	size_t cnt;
};

#define F(field) offsetof(struct guest_facts, field), sizeof(((struct guest_facts *)0)->field)
static const struct key keys[] = {
	{"USER_NAME", K_STR, F(user_name), 0},
	{"SSHD_ACTIVE", K_TRI, F(sshd_active), 0},
	{"SSHD_STATE", K_STR, F(sshd_state), 0},
	{"SSHD_SOCKET", K_TRI, F(sshd_socket), 0},
	{"SSHD_SOCKET_LISTEN", K_PORTS, F(socket_ports), offsetof(struct guest_facts, n_socket_ports)},
	{"SSHD_LISTEN", K_PORTS, F(listen), offsetof(struct guest_facts, n_listen)},
	{"SSHD_LISTEN_ADDR", K_STR, F(listen_addr), 0},
	{"LISTEN_ALL", K_PORTS, F(listen_all), offsetof(struct guest_facts, n_listen_all)},
	{"SSHD_TEST", K_TEST, F(sshd_test), 0},
	{"SSHD_TEST_ERR", K_STR, F(sshd_test_err), 0},
	{"SSHD_PORTS", K_PORTS, F(cfg_ports), offsetof(struct guest_facts, n_cfg_ports)},
	{"SSHD_LISTENADDRESS", K_STR, F(listen_address), 0},
	{"SSHD_STRICTMODES", K_TRI, F(strict_modes), 0},
	{"SSHD_PUBKEY", K_TRI, F(pubkey), 0},
	{"SSHD_PASSWORD", K_TRI, F(password), 0},
	{"SSHD_USEPAM", K_TRI, F(use_pam), 0},
	{"SSHD_PERMITROOT", K_STR, F(permit_root), 0},
	{"SSHD_AUTHMETHODS", K_STR, F(auth_methods), 0},
	{"SSHD_AUTHKEYS", K_STR, F(authkeys_file), 0},
	{"SSHD_ALLOWUSERS", K_STR, F(allow_users), 0},
	{"SSHD_DENYUSERS", K_STR, F(deny_users), 0},
	{"SSHD_ALLOWGROUPS", K_STR, F(allow_groups), 0},
	{"SSHD_DENYGROUPS", K_STR, F(deny_groups), 0},
	{"FW_TOOL", K_STR, F(fw_tool), 0},
	{"FW_POLICY", K_FWPOL, F(fw_policy), 0},
	{"FW_CATCHALL", K_FWPOL, F(fw_catchall), 0},
	{"USER_EXISTS", K_TRI, F(user_exists), 0},
	{"USER_HOME", K_STR, F(user_home), 0},
	{"USER_SHELL", K_STR, F(user_shell), 0},
	{"USER_PW", K_STR, F(user_pw), 0},
	{"USER_LOCKED", K_TRI, F(user_locked), 0},
	{"USER_EXPIRED", K_TRI, F(user_expired), 0},
	{"USER_EXPIRE_DAYS", K_NUM, F(expire_days), 0},
	{"TODAY_DAYS", K_NUM, F(today_days), 0},
	{"MODE_HOME", K_MODE, F(home), 0},
	{"MODE_SSHDIR", K_MODE, F(sshdir), 0},
	{"MODE_AUTHKEYS", K_MODE, F(authkeys), 0},
	{"AUTHKEYS_PATH", K_STR, F(authkeys_path), 0},
	{"AUTHKEYS_KEYS", K_NUM, F(authkeys_keys), 0},
	{"NOLOGIN", K_TRI, F(nologin), 0},
};
#undef F
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(N_KEYS <= 64, "one seen bit per key");

static const char *const disk_names[GUEST_DISKS] = {"ROOT", "HOME", "TMP", "VAR"};
static const char *const disk_paths[GUEST_DISKS] = {"/", "/home", "/tmp", "/var"};

struct seen {
	uint64_t key;                       /* bit i: keys[i] taken */
	unsigned fw[GUEST_PORTS_MAX];       /* 1 verdict, 2 rule, 4 cond */
	unsigned disk[GUEST_DISKS];         /* 1 mnt, 2 avail, 4 pct, 8 ifree */
};

static void set_scalar(struct guest_facts *g, const struct key *k, const char *v, size_t n)
{
	char *f = (char *)g + k->off;
	long long x;

	switch (k->kind) {
	case K_STR:
		copy_val(f, k->size, v, n);
		break;
	case K_TRI:
		*(int *)(void *)f = parse_yes_no(v, n);   /* "unknown" and anything else: unknown */
		break;
	case K_TEST:
		copy_val(f, k->size, v, n);
		g->sshd_test_ok = is_word(v, n, "ok") ? GUEST_YES : is_word(v, n, "fail") ? GUEST_NO : GUEST_UNKNOWN;
		break;
	case K_FWPOL:
		*(enum guest_fw *)(void *)f = parse_fw(v, n);
		break;
	case K_PORTS:
		*(int *)(void *)((char *)g + k->cnt) =
			parse_ports(v, n, (int *)(void *)f, (int)(k->size / sizeof(int)));
		if (k->off == offsetof(struct guest_facts, listen))
			g->have_listen = true;
		else if (k->off == offsetof(struct guest_facts, listen_all))
			g->have_listen_all = true;
		break;
	case K_MODE:
		parse_mode(v, n, (struct guest_mode *)(void *)f);
		break;
	case K_NUM:
		if (!parse_num(v, n, &x))
			x = -1;
		if (k->size == sizeof(int))
			*(int *)(void *)f = x > 1000000000 ? 1000000000 : (int)x;
		else
			*(long long *)(void *)f = x;
		break;
	}
}

/* FW_PORT_<p>, FW_RULE_<p>, FW_COND_<p> */
static bool set_fw(struct guest_facts *g, struct seen *s, const char *k, size_t kn, const char *v, size_t vn)
{
	static const char *const what[3] = {"FW_PORT_", "FW_RULE_", "FW_COND_"};
	long long port, x;
	int w, i;

	for (w = 0; w < 3; w++)
		if (kn > 8 && memcmp(k, what[w], 8) == 0)
			break;
	if (w == 3 || !parse_num(k + 8, kn - 8, &port) || port < 1 || port > 65535)
		return false;
	for (i = 0; i < g->n_fw && g->fw[i].port != port; i++)
		;
	if (i == g->n_fw) {
		if (g->n_fw == GUEST_PORTS_MAX)
			return false;
		g->fw[g->n_fw++].port = (int)port;
	}
	if (s->fw[i] & (1u << w))
		return false;
	s->fw[i] |= 1u << w;
	if (w == 0)
		g->fw[i].verdict = parse_fw(v, vn);
	else if (w == 1)
		copy_val(g->fw[i].rule, sizeof(g->fw[i].rule), v, vn);
	else
		g->fw[i].cond = parse_num(v, vn, &x) && x < 1000000 ? (int)x : 0;
	return true;
}

/* DISK_<D>_MNT, _AVAIL_KB, _USE_PCT, _IFREE */
static bool set_disk(struct guest_facts *g, struct seen *s, const char *k, size_t kn, const char *v, size_t vn)
{
	static const char *const fields[4] = {"MNT", "AVAIL_KB", "USE_PCT", "IFREE"};
	struct guest_disk *dk;
	long long x;

	if (kn < 5 || memcmp(k, "DISK_", 5) != 0)
		return false;
	k += 5;
	kn -= 5;
	for (int d = 0; d < GUEST_DISKS; d++) {
		size_t dn = strlen(disk_names[d]);

		if (kn <= dn + 1 || memcmp(k, disk_names[d], dn) != 0 || k[dn] != '_')
			continue;
		for (int f = 0; f < 4; f++) {
			if (!is_word(k + dn + 1, kn - dn - 1, fields[f]))
				continue;
			if (s->disk[d] & (1u << f))
				return false;
			s->disk[d] |= 1u << f;
			dk = &g->disk[d];
			dk->present = true;
			if (f == 0) {
				copy_val(dk->mount, sizeof(dk->mount), v, vn);
			} else if (!parse_num(v, vn, &x)) {
				/* stays -1 */
			} else if (f == 1) {
				dk->avail_kb = x;
			} else if (f == 2) {
				dk->use_pct = x > 100 ? 100 : (int)x;
			} else {
				dk->ifree = x;
			}
			return true;
		}
	}
	return false;
}

static bool add_hostkey(struct guest_facts *g, const char *v, size_t n)
{
	struct guest_hostkey k;

	memset(&k, 0, sizeof(k));
	if (g->n_hostkeys == GUEST_HOSTKEYS_MAX || !parse_hostkey(v, n, &k))
		return false;
	for (int i = 0; i < g->n_hostkeys; i++)
		if (!strcmp(g->hostkeys[i].fp, k.fp) && !strcmp(g->hostkeys[i].type, k.type))
			return false;
	g->hostkeys[g->n_hostkeys++] = k;
	return true;
}

/* One line (without its '\n').  Returns 1 when a fact was taken. */
static int take_line(struct guest_facts *g, struct seen *s, const char *p, size_t n)
{
	size_t kn = 0;
	const char *v;
	size_t vn;

	while (kn < n && kn < 64 && ((p[kn] >= 'A' && p[kn] <= 'Z') || (p[kn] >= '0' && p[kn] <= '9') || p[kn] == '_'))
		kn++;
	if (kn == 0 || kn >= n || p[kn] != '=') {
		if (n)
			g->bad_lines++;
		return 0;
	}
	v = p + kn + 1;
	vn = n - kn - 1;
	if (is_word(p, kn, "GUEST_FACTS") && is_word(v, vn, "1")) {
		g->begun = true;
		return 0;
	}
	if (is_word(p, kn, "GUEST_END") && is_word(v, vn, "1")) {
		g->ended = true;
		return 0;
	}
	if (is_word(p, kn, "HOSTKEY"))
		return add_hostkey(g, v, vn);
	for (size_t i = 0; i < N_KEYS; i++) {
		if (!is_word(p, kn, keys[i].name))
			continue;
		if (s->key & ((uint64_t)1 << i))
			return 0;
		s->key |= (uint64_t)1 << i;
		set_scalar(g, &keys[i], v, vn);
		return 1;
	}
	if (set_fw(g, s, p, kn, v, vn) || set_disk(g, s, p, kn, v, vn))
		return 1;
	g->unknown_keys++;
	return 0;
}

int guest_parse(const char *out, size_t len, struct guest_facts *g)
{
	struct seen s;
	struct guest_lines it;
	const char *line;
	size_t n;
	int taken = 0;

	memset(g, 0, sizeof(*g));
	memset(&s, 0, sizeof(s));
	g->sshd_active = g->sshd_socket = g->sshd_test_ok = GUEST_UNKNOWN;
	g->strict_modes = g->pubkey = g->password = g->use_pam = GUEST_UNKNOWN;
	g->user_exists = g->user_locked = g->user_expired = g->nologin = GUEST_UNKNOWN;
	g->fw_policy = g->fw_catchall = GUEST_FW_UNKNOWN;
	g->expire_days = g->today_days = -1;
	g->home.mode = g->sshdir.mode = g->authkeys.mode = -2;
	g->authkeys_keys = -1;
	for (int d = 0; d < GUEST_DISKS; d++) {
		g->disk[d].avail_kb = g->disk[d].ifree = -1;
		g->disk[d].use_pct = -1;
	}
	guest_lines_init(&it, out, len, "GUEST_FACTS=1", "GUEST_END=1");
	while (!g->ended && guest_lines_next(&it, &line, &n))
		taken += take_line(g, &s, line, n);
	g->lines = it.lines;
	g->bad_lines += it.bad_lines;
	g->long_lines = it.long_lines;
	g->complete = g->begun && g->ended;
	return taken;
}

/* ------------------------------------------------------------------ reading lines */

/* The line is marker m (or, when m ends with '=', starts with it). */
static bool is_marker(const char *p, size_t n, const char *m)
{
	size_t ml = strlen(m);

	return ml && (m[ml - 1] == '=' ? n >= ml && memcmp(p, m, ml) == 0 : is_word(p, n, m));
}

/* The line at p: its length without "\r\n", and where the next one starts. */
static size_t line_at(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = (size_t)((nl ? nl : end) - p);

	*next = nl ? nl + 1 : end;
	return n && p[n - 1] == '\r' ? n - 1 : n;
}

void guest_lines_init(struct guest_lines *it, const char *out, size_t len, const char *first, const char *last)
{
	const char *p, *q;

	memset(it, 0, sizeof(*it));
	it->last = last;
	it->skip_first = true;
	if (!out)
		return;
	it->p = out;
	it->end = out + len;
	for (p = out; p < it->end && it->skip_first; p = q)
		it->skip_first = !is_marker(p, line_at(p, it->end, &q), first);
}

bool guest_lines_next(struct guest_lines *it, const char **line, size_t *len)
{
	while (it->p && it->p < it->end) {
		const char *p = it->p;
		size_t n = line_at(p, it->end, &it->p);

		it->lines++;
		if (it->skip_first)
			it->skip_first = false;
		else if (it->p == it->end && it->p[-1] != '\n' && !is_word(p, n, it->last))
			it->bad_lines++;   /* unterminated: may be the half of a line */
		else if (n > GUEST_LINE_MAX)
			it->long_lines++;
		else {
			*line = p;
			*len = n;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ questions */

const struct guest_fw_port *guest_fw_port(const struct guest_facts *g, int port)
{
	for (int i = 0; i < g->n_fw; i++)
		if (g->fw[i].port == port)
			return &g->fw[i];
	return NULL;
}

const char *guest_fw_name(enum guest_fw v)
{
	switch (v) {
	case GUEST_FW_NONE:
		return "none";
	case GUEST_FW_ACCEPT:
		return "accept";
	case GUEST_FW_DROP:
		return "drop";
	case GUEST_FW_REJECT:
		return "reject";
	case GUEST_FW_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *guest_disk_path(enum guest_disk_id d)
{
	return (unsigned)d < GUEST_DISKS ? disk_paths[d] : "?";
}

static void say(char *why, size_t whylen, const char *what, const char *path, const struct guest_mode *m,
		const char *problem)
{
	if (why && whylen)
		snprintf(why, whylen, "%s %.120s: mode %o owner %.40s, %s", what, path, (unsigned)m->mode, m->owner,
			 problem);
}

/* sshd's rule for each of them: owned by root or the user, not writable by group or others. */
static bool mode_bad(const struct guest_mode *m, const char *user, const char *what, const char *path,
		     char *why, size_t whylen)
{
	if (m->mode < 0)
		return false;
	if (m->mode & 022) {
		say(why, whylen, what, path, m, "writable by group or others");
		return true;
	}
	if (user[0] && m->owner[0] && strcmp(m->owner, "root") != 0 && strcmp(m->owner, user) != 0) {
		say(why, whylen, what, path, m, "owned by neither the user nor root");
		return true;
	}
	return false;
}

bool guest_strictmodes_bad(const struct guest_facts *g, const char *user, char *why, size_t whylen)
{
	char sshdir[GUEST_VAL + 8];

	if (why && whylen)
		why[0] = '\0';
	if (g->strict_modes == GUEST_NO)
		return false;
	if (!user)
		user = g->user_name;
	snprintf(sshdir, sizeof(sshdir), "%s/.ssh", g->user_home);
	return mode_bad(&g->home, user, "home directory", g->user_home, why, whylen) ||
	       mode_bad(&g->sshdir, user, "directory", sshdir, why, whylen) ||
	       mode_bad(&g->authkeys, user, "authorized keys file",
			g->authkeys_path[0] ? g->authkeys_path : "~/.ssh/authorized_keys", why, whylen);
}

bool guest_shell_nologin(const struct guest_facts *g)
{
	const char *sh = g->user_shell, *base = strrchr(sh, '/');
	size_t n = strlen(sh);

	base = base ? base + 1 : sh;
	return (n >= 7 && strcmp(sh + n - 7, "nologin") == 0) || strcmp(base, "false") == 0;
}

int guest_disk_full(const struct guest_facts *g, char *why, size_t whylen)
{
	int full = 0;

	if (why && whylen)
		why[0] = '\0';
	for (int d = 0; d < GUEST_DISKS; d++) {
		const struct guest_disk *k = &g->disk[d];
		bool dup = false;
		const char *what;

		if (!k->present)
			continue;
		if (k->avail_kb >= 0 && k->avail_kb < 1024)
			what = "less than 1 MB free";
		else if (k->use_pct >= 100)
			what = "100% used";
		else if (k->ifree == 0)
			what = "no free inode";
		else
			continue;
		/* /var is often on /: count a file system once */
		for (int e = 0; e < d && k->mount[0]; e++)
			dup = dup || (g->disk[e].present && strcmp(g->disk[e].mount, k->mount) == 0);
		if (dup)
			continue;
		if (!full++ && why && whylen)
			snprintf(why, whylen, "%s (%.120s): %s", disk_paths[d], k->mount[0] ? k->mount : "?", what);
	}
	return full;
}

bool guest_listens(const struct guest_facts *g, int port)
{
	for (int i = 0; i < g->n_listen; i++)
		if (g->listen[i] == port)
			return true;
	if (g->sshd_socket == GUEST_YES)
		for (int i = 0; i < g->n_socket_ports; i++)
			if (g->socket_ports[i] == port)
				return true;
	return false;
}

bool guest_hostkey_has(const struct guest_facts *g, const char *sha256_fp)
{
	if (!sha256_fp || strncmp(sha256_fp, "SHA256:", 7) != 0)
		return false;
	for (int i = 0; i < g->n_hostkeys; i++)
		if (strcmp(g->hostkeys[i].fp, sha256_fp) == 0)
			return true;
	return false;
}
