#include "config.h"

#include <stdio.h>
#include <string.h>

#include "azure/guest.h"
#include "azure/guestfix.h"

/* ------------------------------------------------------------------ scripts */

/* Each script: its variable lines (ID, and U or P), guest_script_prelude(), fix_head,
 * fix_user for the remedies that take a user, the remedy's body, fix_tail.  Kept in step
 * with the key list in guestfix.h; tested by hand with `sh -n`, shellcheck -s sh, dash and
 * bash, and in the lab VM through the ARM stand-in (tests/fixtures/guestfix/README.md). */
static const char fix_head[] =
	"ok=yes\n"
	"did() { kv FIX_DID \"$1\" 200; }\n"
	"err() { ok=no; kv FIX_ERR \"$1\" 200; }\n"
	"note() { kv FIX_NOTE \"$1\" 200; }\n"
	"S=/usr/sbin/sshd\n"
	"[ -x \"$S\" ] || S=$(command -v sshd 2>/dev/null)\n"
	"echo \"GUESTFIX_BEGIN=$ID\"\n";

static const char fix_user[] =
	"ent() { e=$(q getent \"$1\" \"$U\" | head -n 1); [ -n \"$e\" ] || e=$(awk -F: -v u=\"$U\" '$1 == u' \"/etc/$1\" 2>/dev/null | head -n 1); printf '%s\\n' \"$e\"; }\n";

static const char fix_tail[] =
	"kv FIX_OK $ok\n"
	"echo GUESTFIX_END=1\n"
	"exit 0\n";

static const char body_restart[] =
	"L=\n"
	"[ -n \"$T\" ] && L='timeout 60'\n"
	"ld() { [ \"$(q systemctl show -p LoadState \"$1\")\" = LoadState=loaded ]; }\n"
	"un='' k=no\n"
	"if has systemctl; then\n"
	"\tfor x in ssh.service sshd.service; do ld $x && { un=$x; break; }; done\n"
	"\tld ssh.socket && [ \"$(q systemctl is-enabled ssh.socket)\" = enabled ] && k=yes\n"
	"fi\n"
	"act() { # -> a (yes|no|unknown): the SSH unit (the socket in socket mode) or an sshd process runs\n"
	"\ta=unknown\n"
	"\tif [ $k = yes ]; then u=ssh.socket; else u=$un; fi\n"
	"\tif [ -n \"$u\" ]; then\n"
	"\t\tcase $(q systemctl is-active \"$u\") in active | reloading | activating) a=yes ;; *) a=no ;; esac\n"
	"\telif has pgrep; then\n"
	"\t\tif q pgrep -x sshd >/dev/null; then a=yes; else a=no; fi\n"
	"\tfi\n"
	"}\n"
	"lsn() { # -> l: TCP ports sshd (or systemd for ssh.socket) listens on\n"
	"\tw='\"sshd\"|/sshd'\n"
	"\t[ $k = yes ] && w=\"$w|\\\"systemd\\\"|/systemd\"\n"
	"\tl=$({ if has ss; then q ss -ltnp; else q netstat -ltnp; fi; } | awk -v w=\"$w\" '$0 ~ w && $4 ~ /:[0-9]+$/ { p = $4; sub(/.*:/, \"\", p); if (!(p in s) && n < 16) { s[p] = 1; o = o (n++ ? \",\" : \"\") p } } END { print o }')\n"
	"}\n"
	"act\n"
	"lsn\n"
	"kv FIX_BEFORE \"sshd running: $a; listening on: ${l:-nothing}\"\n"
	"t=\n"
	"if [ -z \"$S\" ]; then\n"
	"\terr \"no sshd program (is openssh-server installed?)\"\n"
	"else\n"
	"\te=$($T \"$S\" -t 2>&1 >/dev/null)\n"
	"\tr=$?\n"
	"\te=$(printf '%s\\n' \"$e\" | head -n 1)\n"
	"\tcase $r:$e in\n"
	"\t0:* | *\"privilege separation directory\"*) t=ok ;;\n"
	"\t*) err \"sshd -t: ${e:-exit status $r}\"; err \"not restarted: sshd refuses this configuration and would stay down\" ;;\n"
	"\tesac\n"
	"fi\n"
	"rs() { # COMMAND...: run it, say so\n"
	"\to=$($L \"$@\" 2>&1 >/dev/null)\n"
	"\tr=$?\n"
	"\tif [ $r = 0 ]; then did \"$*\"; return 0; fi\n"
	"\tnote \"$* failed ($r): $(printf '%s\\n' \"$o\" | head -n 1)\"\n"
	"\treturn 1\n"
	"}\n"
	"if [ \"$t\" = ok ]; then\n"
	"\tif [ $k = yes ]; then\n"
	"\t\t# socket activation (Ubuntu 22.10+): systemd listens; a running ssh.service would make the socket refuse to start\n"
	"\t\trs systemctl stop \"${un:-ssh.service}\"\n"
	"\t\trs systemctl restart ssh.socket || t=\n"
	"\telif [ -n \"$un\" ]; then\n"
	"\t\trs systemctl restart \"$un\" || t=\n"
	"\telse\n"
	"\t\tt=\n"
	"\tfi\n"
	"\tif [ -z \"$t\" ]; then\n"
	"\t\tfor x in ssh sshd; do\n"
	"\t\t\tif has service && rs service $x restart; then t=ok; break; fi\n"
	"\t\t\tif [ -x /etc/init.d/$x ] && rs /etc/init.d/$x restart; then t=ok; break; fi\n"
	"\t\tdone\n"
	"\tfi\n"
	"\t[ -n \"$t\" ] || err \"no way to restart sshd worked (systemctl, service, /etc/init.d)\"\n"
	"fi\n"
	"i=0\n"
	"while :; do\n"
	"\tact\n"
	"\tlsn\n"
	"\t[ -n \"$l\" ] || [ $i -ge 5 ] && break\n"
	"\ti=$((i + 1))\n"
	"\tsleep 1\n"
	"done\n"
	"kv SSHD_ACTIVE $a\n"
	"kv SSHD_SOCKET $k\n"
	"kv SSHD_LISTEN \"$l\"\n"
	"kv FIX_AFTER \"sshd running: $a; listening on: ${l:-nothing}\"\n"
	"if [ $a = no ] || [ -z \"$l\" ]; then\n"
	"\tok=no\n"
	"\t[ -e /etc/ssh/sshd_not_to_be_run ] && err \"/etc/ssh/sshd_not_to_be_run exists: the ssh service refuses to start\"\n"
	"\t[ -n \"$un\" ] && err \"$un: $(q systemctl is-active \"$un\")\"\n"
	"fi\n";

static const char body_firewall[] =
	"L=\n"
	"[ -n \"$T\" ] && L='timeout 60'\n"
	"ql() { $L \"$@\" 2>/dev/null; }\n"
	"TB=$(printf '\\t')\n"
	"plan() { # 0 (nft -a list ruleset on stdin) | 1 (iptables -S), SKIP -> the actions, one a line, tab-separated:\n"
	"\t# del|ins|add|kept|bad, family, table, chain, handle (iptables: - - chain -), the rule\n"
	"\tawk -v ipt=\"$1\" -v skip=\" $2 \" -v p=\"$P\" '\n"
	"function rel(c) { return tolower(c) ~ /input/ || c ~ /(^|_)IN_/ }\n"
	"function safe(x) { return x ~ /^[A-Za-z_][A-Za-z0-9_.-]*$/ }\n"
	"function den(x, only,   a) {\n"
	"\tif (x == \"ssh\") return p == 22\n"
	"\tif (x ~ /^[0-9]+$/) return x + 0 == p\n"
	"\tif (x !~ /^[0-9]+[-:][0-9]+$/) return 0\n"
	"\tsplit(x, a, /[-:]/)\n"
	"\treturn only ? a[1] + 0 == p && a[2] + 0 == p : p >= a[1] + 0 && p <= a[2] + 0\n"
	"}\n"
	"function names(sp, only,   e, n, i, k) {\n"
	"\tn = split(sp, e, \",\")\n"
	"\tfor (i = 1; i <= n; i++) {\n"
	"\t\tif (e[i] == \"\") continue\n"
	"\t\tif (den(e[i], only)) k++\n"
	"\t\telse if (only) return 0\n"
	"\t}\n"
	"\treturn k > 0\n"
	"}\n"
	"function reg(k) { if (!(k in seen)) { seen[k] = 1; ord[++nk] = k } }\n"
	"function act(a, k, h, l) { na++; A_[na] = a; K_[na] = k; H_[na] = h; L_[na] = l; J_[na] = J[k] }\n"
	"function rule(k, h, l,   s, t, n, i, j, v, sp, neg, pr, c) {\n"
	"\treg(k)\n"
	"\ts = l\n"
	"\tgsub(/\"[^\"]*\"/, \"\\\"\\\"\", s)\n"
	"\tif (s ~ /udp dport|-p udp|sctp/ || acc[k]) return\n"
	"\tn = split(s, t, \" \")\n"
	"\tv = sp = pr = \"\"\n"
	"\tneg = 0\n"
	"\tfor (i = 1; i <= n; i++) {\n"
	"\t\tif (ipt) {\n"
	"\t\t\tif (t[i] == \"-j\" || t[i] == \"-g\") {\n"
	"\t\t\t\tc = t[i + 1]\n"
	"\t\t\t\tv = c == \"DROP\" ? \"drop\" : c == \"REJECT\" ? \"reject\" : c == \"ACCEPT\" ? \"accept\" : (c == \"RETURN\" || c == \"LOG\") ? \"\" : \"jump\"\n"
	"\t\t\t} else if (t[i] ~ /^--(dports?|destination-ports?)$/) {\n"
	"\t\t\t\tsp = t[i + 1]; neg = t[i - 1] == \"!\"\n"
	"\t\t\t} else if (t[i] == \"-p\" && (t[i + 1] == \"tcp\" || t[i + 1] == \"6\")) pr = \"tcp\"\n"
	"\t\t} else if (t[i] == \"drop\" || t[i] == \"reject\" || t[i] == \"accept\") v = t[i]\n"
	"\t\telse if (t[i] == \"jump\" || t[i] == \"goto\") v = \"jump\"\n"
	"\t\telse if (t[i] == \"dport\" && sp == \"\") {\n"
	"\t\t\tpr = t[i - 1]; j = i + 1\n"
	"\t\t\tif (t[j] == \"!=\") { neg = 1; j++ }\n"
	"\t\t\tif (t[j] == \"{\") { for (j++; j <= n && t[j] != \"}\"; j++) sp = sp t[j] } else sp = t[j]\n"
	"\t\t}\n"
	"\t}\n"
	"\tif (v == \"\") return\n"
	"\tif (v == \"jump\") { J[k] = 1; return }\n"
	"\tif (sp == \"\") {\n"
	"\t\tc = s\n"
	"\t\tgsub(/ -m comment --comment \"\"/, \"\", c)\n"
	"\t\tgsub(/counter( packets [0-9]+ bytes [0-9]+)?|log( (prefix|level|flags|group) [^ ]+)*|comment \"\"/, \"\", c)\n"
	"\t\tgsub(/^ +| +$/, \"\", c); gsub(/  +/, \" \", c)\n"
	"\t\t# everything, or all of TCP\n"
	"\t\tif (c == \"accept\" || c ~ /^-A [^ ]+ -j ACCEPT$/) acc[k] = all = 1\n"
	"\t\telse if (c ~ /^((meta l4proto|ip protocol|ip6 nexthdr) tcp )?(drop|reject( with [a-z0-9 -]+)?)$/ ||\n"
	"\t\t\t c ~ /^-A [^ ]+ (-p (tcp|6) (-m tcp )?)?-j (DROP|REJECT)( --reject-with [a-z0-9-]+)?$/) {\n"
	"\t\t\tact(\"ins\", k, h, l); acc[k] = 1\n"
	"\t\t}\n"
	"\t\treturn\n"
	"\t}\n"
	"\tif (neg || !names(sp, 0)) return\n"
	"\tif (s ~ /saddr|daddr|limit rate|ct count|meter|@| -s | -d |--src|--dst|match-set|recent|hashlimit|connlimit/) act(\"kept\", k, h, l)\n"
	"\telse if (v == \"accept\") acc[k] = all = 1\n"
	"\telse if (pr == \"tcp\" && names(sp, 1)) act(\"del\", k, h, l)\n"
	"\telse { act(\"ins\", k, h, l); acc[k] = 1 }\n"
	"}\n"
	"function out(a, k, h, l,   f) {\n"
	"\tsplit(k, f, \"\\t\")\n"
	"\tif (a != \"kept\" && (ipt ? !safe(f[3]) : f[1] !~ /^(ip|ip6|inet)$/ || !safe(f[2]) || !safe(f[3]) || (a != \"add\" && h !~ /^[0-9]+$/))) a = \"bad\"\n"
	"\tif (!ipt) gsub(/counter packets [0-9]+ bytes [0-9]+ ?/, \"\", l)\n"
	"\tprint a \"\\t\" k \"\\t\" h \"\\t\" l\n"
	"}\n"
	"{ l = $0; sub(/^[ \\t]+/, \"\", l); sub(/[ \\t]+$/, \"\", l) }\n"
	"ipt && l ~ /^-P / { split(l, t, \" \"); k = \"-\\t-\\t\" t[2]; if (rel(t[2])) { reg(k); if (t[3] == \"DROP\") pol[k] = 1 }; next }\n"
	"ipt && l ~ /^-A / { split(l, t, \" \"); if (rel(t[2]) && !(index(skip, \" ufw \") && t[2] ~ /^ufw/)) rule(\"-\\t-\\t\" t[2], \"-\", l); next }\n"
	"ipt { next }\n"
	"l ~ /^table / { split(l, t, \" \"); fam = t[2]; tab = t[3]; st = index(skip, \" \" fam \"/\" tab \" \") > 0; next }\n"
	"l ~ /^chain / { split(l, t, \" \"); k = fam \"\\t\" tab \"\\t\" t[2]; inc = 1; use = rel(t[2]) && !st; next }\n"
	"inc && l ~ /^type / {\n"
	"\tuse = l ~ /^type filter hook input / && !st\n"
	"\tif (use) { reg(k); if (l ~ /policy drop/) pol[k] = 1 }\n"
	"\tnext\n"
	"}\n"
	"inc && l == \"}\" { inc = use = 0; next }\n"
	"inc && use {\n"
	"\th = \"-\"\n"
	"\tif (match(l, / # handle [0-9]+$/)) { h = substr(l, RSTART + 10); l = substr(l, 1, RSTART - 1) }\n"
	"\trule(k, h, l)\n"
	"}\n"
	"END {\n"
	"\tfor (i = 1; i <= na; i++)\n"
	"\t\tif (!(A_[i] == \"ins\" && J_[i] && all)) out(A_[i], K_[i], H_[i], L_[i])\n"
	"\tfor (i = 1; i <= nk; i++)\n"
	"\t\tif (pol[ord[i]] && !acc[ord[i]] && !J[ord[i]]) out(\"add\", ord[i], \"-\", \"(policy drop)\")\n"
	"}'\n"
	"}\n"
	"fwdo() { # nft|IPTABLES-COMMAND ACTIONS: carry them out\n"
	"\twhile IFS=$TB read -r a f t c h r; do\n"
	"\t\tcase $a in\n"
	"\t\t'') continue ;;\n"
	"\t\tkept) note \"kept (applies to some sources only): $r\"; continue ;;\n"
	"\t\tbad) err \"not changed (unusual table or chain name): $r\"; continue ;;\n"
	"\t\tesac\n"
	"\t\tif [ \"$1\" = nft ]; then\n"
	"\t\t\tw=\"nft $f $t $c\"\n"
	"\t\t\tcase $a in\n"
	"\t\t\tdel) q nft delete rule \"$f\" \"$t\" \"$c\" handle \"$h\" ;;\n"
	"\t\t\tins) q nft insert rule \"$f\" \"$t\" \"$c\" position \"$h\" tcp dport \"$P\" accept comment '\"sshtriage\"' ;;\n"
	"\t\t\tadd) q nft add rule \"$f\" \"$t\" \"$c\" tcp dport \"$P\" accept comment '\"sshtriage\"' ;;\n"
	"\t\t\tesac\n"
	"\t\telse\n"
	"\t\t\tw=\"$1 $c\"\n"
	"\t\t\t# the rule's number now, found by its text (another program may have changed the chain)\n"
	"\t\t\tn=$(q \"$1\" -w -S \"$c\" | R=\"$r\" awk '$0 == ENVIRON[\"R\"] { print NR - 1; exit }')\n"
	"\t\t\tcase $a:$n in\n"
	"\t\t\tadd:*) q \"$1\" -w -A \"$c\" -p tcp --dport \"$P\" -m comment --comment sshtriage -j ACCEPT ;;\n"
	"\t\t\t*:) false ;;\n"
	"\t\t\tdel:*) q \"$1\" -w -D \"$c\" \"$n\" ;;\n"
	"\t\t\tins:*) q \"$1\" -w -I \"$c\" \"$n\" -p tcp --dport \"$P\" -m comment --comment sshtriage -j ACCEPT ;;\n"
	"\t\t\tesac\n"
	"\t\tfi\n"
	"\t\tx=$?\n"
	"\t\tcase $a:$x in\n"
	"\t\tdel:0) did \"$w: removed $r\" ;;\n"
	"\t\tins:0) did \"$w: accept tcp/$P added before $r\" ;;\n"
	"\t\tadd:0) did \"$w: accept tcp/$P appended $r\" ;;\n"
	"\t\t*) err \"$w: could not $a ($x) $r\" ;;\n"
	"\t\tesac\n"
	"\tdone <<EOF\n"
	"$2\n"
	"EOF\n"
	"}\n"
	"fw() { # fix|check: every firewall's plan, carried out (fix) or printed with the tool's name\n"
	"\tfor c in $I; do\n"
	"\t\ts=$(q \"$c\" -w -S) || { [ \"$1\" = fix ] && note \"$c -S failed: not read\"; continue; }\n"
	"\t\t# iptables-nft's tables are seen through iptables, not nft\n"
	"\t\t[ $N = yes ] && case $c in iptables) X=\"$X ip/filter\" ;; ip6tables) X=\"$X ip6/filter\" ;; esac\n"
	"\t\ta=$(printf '%s\\n' \"$s\" | plan 1 \"$W\")\n"
	"\t\tif [ \"$1\" = fix ]; then fwdo \"$c\" \"$a\"; else printf '%s\\n' \"$a\" | sed \"s/^/$c /\"; fi\n"
	"\tdone\n"
	"\thas nft || return\n"
	"\ts=$(q nft -a list ruleset) || { [ \"$1\" = fix ] && note \"nft list ruleset failed: not read\"; return; }\n"
	"\ta=$(printf '%s\\n' \"$s\" | plan 0 \"$X\")\n"
	"\tif [ \"$1\" = fix ]; then fwdo nft \"$a\"; else printf '%s\\n' \"$a\" | sed 's/^/nft /'; fi\n"
	"}\n"
	"# which firewalls: ufw and firewalld keep their own rules (ask them); iptables (each of its\n"
	"# commands); nftables' own tables (X: those not to touch)\n"
	"W=\n"
	"has ufw && q ufw status | grep -q '^Status: active' && W=ufw\n"
	"X=\n"
	"has firewall-cmd && [ \"$(q firewall-cmd --state)\" = running ] && X='inet/firewalld ip/firewalld ip6/firewalld'\n"
	"I=\n"
	"has iptables && I=iptables\n"
	"has ip6tables && I=\"$I ip6tables\"\n"
	"N=no\n"
	"has iptables && q iptables -V | grep -q nf_tables && N=yes\n"
	"if [ $N = yes ]; then\n"
	"\thas iptables-legacy && [ -n \"$(cat /proc/net/ip_tables_names 2>/dev/null)\" ] && I=\"$I iptables-legacy\"\n"
	"\thas ip6tables-legacy && [ -n \"$(cat /proc/net/ip6_tables_names 2>/dev/null)\" ] && I=\"$I ip6tables-legacy\"\n"
	"fi\n"
	"t=\n"
	"has nft && t=nft\n"
	"kv FIX_BEFORE \"firewall tools: ${t:+$t }$I${W:+ ufw}${X:+ firewalld}\"\n"
	"if [ -n \"$W\" ]; then\n"
	"\tfor v in deny reject; do\n"
	"\t\tfor s in \"$P/tcp\" \"$P\"; do\n"
	"\t\t\tql ufw delete \"$v\" \"$s\" | grep -q '^Rule deleted' && did \"ufw delete $v $s\"\n"
	"\t\tdone\n"
	"\tdone\n"
	"\to=$(ql ufw allow \"$P/tcp\" | head -n 1)\n"
	"\tcase $o in\n"
	"\tSkipping*) note \"ufw already allows $P/tcp\" ;;\n"
	"\tRule*) did \"ufw allow $P/tcp\" ;;\n"
	"\t*) err \"ufw allow $P/tcp failed: $o\" ;;\n"
	"\tesac\n"
	"fi\n"
	"if [ -n \"$X\" ]; then\n"
	"\ti=$(q ip route show default | awk '{ for (i = 1; i < NF; i++) if ($i == \"dev\") { print $(i + 1); exit } }')\n"
	"\tz=\n"
	"\t[ -n \"$i\" ] && z=$(q firewall-cmd --get-zone-of-interface=\"$i\")\n"
	"\t[ -n \"$z\" ] || z=$(q firewall-cmd --get-default-zone)\n"
	"\tcase $z in\n"
	"\t'' | *[!A-Za-z0-9_-]*) err \"firewalld: no zone found for $i\" ;;\n"
	"\t*)\n"
	"\t\tif q firewall-cmd --zone=\"$z\" --query-port=\"$P/tcp\" >/dev/null ||\n"
	"\t\t\t{ [ \"$P\" = 22 ] && q firewall-cmd --zone=\"$z\" --query-service=ssh >/dev/null; }; then\n"
	"\t\t\tnote \"firewalld zone $z already allows $P/tcp\"\n"
	"\t\telif ql firewall-cmd --zone=\"$z\" --add-port=\"$P/tcp\" >/dev/null; then\n"
	"\t\t\tdid \"firewalld: $P/tcp allowed in zone $z\"\n"
	"\t\t\tql firewall-cmd --permanent --zone=\"$z\" --add-port=\"$P/tcp\" >/dev/null ||\n"
	"\t\t\t\tnote \"firewalld: not saved in the permanent configuration\"\n"
	"\t\telse\n"
	"\t\t\terr \"firewalld: could not allow $P/tcp in zone $z\"\n"
	"\t\tfi\n"
	"\t\tq firewall-cmd --zone=\"$z\" --list-rich-rules | grep -E \"port=\\\"?${P}[^0-9].*(reject|drop)\" | head -n 4 |\n"
	"\t\t\twhile IFS= read -r r; do note \"firewalld rich rule not changed: $r\"; done ;;\n"
	"\tesac\n"
	"fi\n"
	"fw fix\n"
	"r=$(fw check | awk -F \"$TB\" '$1 ~ / (del|ins|add|bad)$/ { sub(/ [a-z]+$/, \"\", $1); print $1 \": \" $NF }')\n"
	"if [ -n \"$r\" ]; then\n"
	"\tok=no\n"
	"\tprintf '%s\\n' \"$r\" | head -n 4 | while IFS= read -r x; do kv FIX_ERR \"still blocks tcp/$P: $x\" 200; done\n"
	"\tkv FIX_AFTER \"tcp/$P still dropped or rejected\"\n"
	"else\n"
	"\tkv FIX_AFTER \"no guest firewall rule drops or rejects tcp/$P for every source\"\n"
	"fi\n";

static const char body_perms[] =
	"pe=$(ent passwd)\n"
	"H=$(printf '%s\\n' \"$pe\" | cut -d: -f6)\n"
	"G=$(printf '%s\\n' \"$pe\" | cut -d: -f4)\n"
	"md() { if [ -L \"$1\" ]; then echo link; elif [ -e \"$1\" ]; then q stat -c '%a %U:%G' \"$1\"; else echo missing; fi; }\n"
	"bad() { # PATH MASK: a mode bit of MASK is set, or neither the user nor root owns it\n"
	"\tm=$(q stat -L -c %a \"$1\")\n"
	"\to=$(q stat -L -c %U \"$1\")\n"
	"\t[ -z \"$m\" ] || [ $((0$m & $2)) != 0 ] || { [ \"$o\" != \"$U\" ] && [ \"$o\" != root ]; }\n"
	"}\n"
	"fx() { # PATH BEFORE: report the change, check the result\n"
	"\ta=$(md \"$1\")\n"
	"\t[ \"$a\" = \"$2\" ] || did \"$1: $2 -> $a\"\n"
	"\tkv FIX_AFTER \"$1 $a\"\n"
	"\tif bad \"$1\" \"$3\"; then err \"$1 is still open to others or owned by someone else\"; fi\n"
	"}\n"
	"if [ -z \"$pe\" ]; then\n"
	"\terr \"no user $U\"\n"
	"elif [ -z \"$H\" ] || [ \"$H\" = / ] || [ ! -d \"$H\" ]; then\n"
	"\terr \"home directory '$H' is missing, / or not a directory: nothing changed\"\n"
	"else\n"
	"\t# the home directory first: once only its owner may write there, nobody else can swap what is below\n"
	"\tb=$(md \"$H\")\n"
	"\tkv FIX_BEFORE \"$H $b\"\n"
	"\to=$(q stat -L -c %U \"$H\")\n"
	"\tif [ \"$o\" != \"$U\" ] && [ \"$o\" != root ]; then q chown \"$U:$G\" \"$H\" || err \"chown $U:$G $H failed\"; fi\n"
	"\tq chmod go-w \"$H\" || err \"chmod go-w $H failed\"\n"
	"\tfx \"$H\" \"$b\" 022\n"
	"\t# ~/.ssh, then the authorized keys files under the home directory (sshd -T's AuthorizedKeysFile)\n"
	"\tA=\n"
	"\t[ -n \"$S\" ] && A=$(q \"$S\" -T | awk '$1 == \"authorizedkeysfile\" { $1 = \"\"; print; exit }')\n"
	"\t[ -n \"$A\" ] || A='.ssh/authorized_keys .ssh/authorized_keys2'\n"
	"\tset -f\n"
	"\tfor f in .ssh $A; do\n"
	"\t\t[ \"$f\" = none ] && continue\n"
	"\t\tf=$(printf '%s\\n' \"$f\" | awk -v h=\"$H\" -v u=\"$U\" '{ f = $0; o = \"\"; while ((i = index(f, \"%\")) > 0) { c = substr(f, i + 1, 1); o = o substr(f, 1, i - 1) (c == \"h\" ? h : c == \"u\" ? u : c == \"%\" ? \"%\" : \"%\" c); f = substr(f, i + 2) } o = o f; if (substr(o, 1, 1) != \"/\") o = h \"/\" o; print o }')\n"
	"\t\tcase $f in */../* | */./*) err \"$f: not a plain path, not changed\"; continue ;; \"$H\"/*) ;; *) note \"$f is outside $H: not changed\"; continue ;; esac\n"
	"\t\t# no symbolic link between the home directory and the file: it could lead anywhere\n"
	"\t\td=${f%/*}\n"
	"\t\twhile [ \"$d\" != \"$H\" ] && [ ! -L \"$d\" ]; do d=${d%/*}; done\n"
	"\t\t[ \"$d\" = \"$H\" ] || { err \"$d is a symbolic link: $f not changed\"; continue; }\n"
	"\t\tb=$(md \"$f\")\n"
	"\t\tcase $b in\n"
	"\t\tmissing) [ \"$f\" = \"$H/.ssh\" ] && note \"$f does not exist\"; continue ;;\n"
	"\t\tlink) err \"$f is a symbolic link: not changed\"; continue ;;\n"
	"\t\tesac\n"
	"\t\tkv FIX_BEFORE \"$f $b\"\n"
	"\t\tif [ \"$f\" = \"$H/.ssh\" ]; then\n"
	"\t\t\t[ -d \"$f\" ] || { err \"$f is not a directory: not changed\"; continue; }\n"
	"\t\t\tif ! q chown \"$U:$G\" \"$f\" || ! q chmod 700 \"$f\"; then err \"could not chown or chmod $f\"; fi\n"
	"\t\telse\n"
	"\t\t\t[ -f \"$f\" ] || { err \"$f is not a regular file: not changed\"; continue; }\n"
	"\t\t\t[ \"$(q stat -c %h \"$f\")\" = 1 ] || { err \"$f has other hard links: not changed\"; continue; }\n"
	"\t\t\tif ! q chown \"$U:$G\" \"$f\" || ! q chmod 600 \"$f\"; then err \"could not chown or chmod $f\"; fi\n"
	"\t\tfi\n"
	"\t\tfx \"$f\" \"$b\" 077\n"
	"\tdone\n"
	"\tset +f\n"
	"fi\n";

static const char body_unexpire[] =
	"sw() { # -> x (locked none empty set) and e (expiry, days since 1970, or empty)\n"
	"\ts=$(ent shadow)\n"
	"\th=$(printf '%s\\n' \"$s\" | cut -d: -f2)\n"
	"\te=$(printf '%s\\n' \"$s\" | cut -d: -f8)\n"
	"\tcase $h in '!'*) x=locked ;; '*'*) x=none ;; '') x=empty ;; *) x='set' ;; esac\n"
	"}\n"
	"dt() { case $1 in '') echo never ;; *[!0-9]*) echo \"$1\" ;; *) d=$(q date -u -d \"@$(($1 * 86400))\" +%F); echo \"${d:-day $1}\" ;; esac; }\n"
	"td=$(($(date +%s) / 86400))\n"
	"if [ -z \"$(ent passwd)\" ]; then\n"
	"\terr \"no user $U\"\n"
	"else\n"
	"\tsw\n"
	"\tif [ -z \"$s\" ]; then\n"
	"\t\terr \"no shadow entry for $U\"\n"
	"\telse\n"
	"\t\tkv FIX_BEFORE \"password $x, expires $(dt \"$e\")\"\n"
	"\t\tcase $e in\n"
	"\t\t'' | *[!0-9]*) ;;\n"
	"\t\t*)\n"
	"\t\t\tif [ \"$td\" -ge \"$e\" ]; then\n"
	"\t\t\t\tif has chage && q chage -E -1 \"$U\"; then did \"chage -E -1 $U (expired $(dt \"$e\"))\"\n"
	"\t\t\t\telif q usermod -e '' \"$U\"; then did \"usermod -e '' $U (expired $(dt \"$e\"))\"\n"
	"\t\t\t\telse err \"could not clear the expiry of $U\"; fi\n"
	"\t\t\telse\n"
	"\t\t\t\tnote \"expires $(dt \"$e\"), not yet: kept\"\n"
	"\t\t\tfi ;;\n"
	"\t\tesac\n"
	"\t\tif [ $x = locked ]; then\n"
	"\t\t\tr=$(printf '%s\\n' \"$h\" | sed 's/^!*//')\n"
	"\t\t\tif [ -z \"$r\" ]; then\n"
	"\t\t\t\t# nothing behind the lock: usermod -U and passwd -u refuse; '*' still allows no password\n"
	"\t\t\t\tif q usermod -p '*' \"$U\"; then did \"password field of $U: $h -> * (no password, not locked)\"; else err \"could not unlock $U\"; fi\n"
	"\t\t\telse\n"
	"\t\t\t\tfor _ in 1 2; do\n"
	"\t\t\t\t\tif has usermod; then q usermod -U \"$U\"; else q passwd -u \"$U\" >/dev/null; fi\n"
	"\t\t\t\t\tsw\n"
	"\t\t\t\t\t[ $x = locked ] || break\n"
	"\t\t\t\tdone\n"
	"\t\t\t\tif [ $x = locked ]; then err \"could not unlock $U\"; else did \"unlocked the password of $U\"; fi\n"
	"\t\t\tfi\n"
	"\t\tfi\n"
	"\t\tsw\n"
	"\t\tkv FIX_AFTER \"password $x, expires $(dt \"$e\")\"\n"
	"\t\t[ $x = locked ] && ok=no\n"
	"\t\tcase $e in '' | *[!0-9]*) ;; *) [ \"$td\" -ge \"$e\" ] && ok=no ;; esac\n"
	"\tfi\n"
	"fi\n";

static const char body_nologin[] =
	"n=0\n"
	"for f in /etc/nologin /run/nologin /var/run/nologin; do\n"
	"\t[ -e \"$f\" ] || [ -L \"$f\" ] || continue\n"
	"\tn=$((n + 1))\n"
	"\tm=\n"
	"\t[ -f \"$f\" ] && m=$(q head -c 200 \"$f\" | head -n 1)\n"
	"\tkv FIX_BEFORE \"$f: ${m:-(empty)}\"\n"
	"\tif rm -f -- \"$f\" 2>/dev/null && [ ! -e \"$f\" ]; then did \"removed $f\"; else err \"could not remove $f\"; fi\n"
	"done\n"
	"[ $n = 0 ] && did \"no /etc/nologin or /run/nologin: nothing to remove\"\n"
	"l=\n"
	"for f in /etc/nologin /run/nologin; do [ -e \"$f\" ] && l=\"$l $f\"; done\n"
	"kv FIX_AFTER \"nologin files:${l:- none}\"\n"
	"[ -z \"$l\" ] || ok=no\n";


/* ------------------------------------------------------------------ remedies */

struct fix {
	const char *name;
	bool user, port;
	const char *body;
	const char *describe;
};

static const struct fix fixes[GUESTFIX_COUNT] = {
	[GUESTFIX_RESTART_SSHD] = {
		"vm.restart_sshd", false, false, body_restart,
		"Runs a script as root in the VM (Run Command): it checks sshd's configuration with "
		"`sshd -t` and, only when that passes, restarts the SSH service (systemctl restart "
		"ssh or sshd; with socket activation, stops ssh.service and restarts ssh.socket; "
		"else `service` or /etc/init.d), then reports whether sshd runs and which ports it "
		"listens on.  Nothing is written to the VM's files, and a configuration that fails "
		"`sshd -t` is left alone, since restarting would take sshd down.  Cost: new "
		"connections are refused for the moment the restart takes; open SSH sessions stay up "
		"(only the listener restarts).  Run Command takes from half a minute to a few "
		"minutes, and a VM runs one at a time."},
	[GUESTFIX_OPEN_FIREWALL] = {
		"vm.open_guest_firewall", false, true, body_firewall,
		"Runs a script as root in the VM (Run Command) that opens the SSH port in the VM's "
		"own firewall.  From nftables and iptables (IPv4 and IPv6) it deletes each rule of "
		"an input chain that drops or rejects that TCP port alone, for every source; a rule "
		"that also covers other ports, and a drop-or-reject-everything rule, stay and get an "
		"accept for the port placed just before them (commented \"sshtriage\"), and a chain "
		"whose policy is drop gets one at its end.  With ufw or firewalld running it removes "
		"ufw's deny/reject for the port and adds an allow (`ufw allow`, `firewall-cmd "
		"--add-port`, also --permanent): those are saved.  Rules for other ports, rules that "
		"match some sources only (fail2ban bans) and firewalld rich rules are not touched, and "
		"no ruleset is flushed; it prints every rule it removed or added.  The direct "
		"nftables and iptables changes are not saved: a reboot or a reload of the saved "
		"rules brings the blocking rules back.  Cost: the port is open to whatever the "
		"network security groups let through."},
	[GUESTFIX_FIX_PERMISSIONS] = {
		"vm.fix_ssh_permissions", true, false, body_perms,
		"Runs a script as root in the VM (Run Command) that makes the user's files pass "
		"sshd's StrictModes check: the home directory loses write permission for group and "
		"others (chmod go-w, the other bits kept) and, if neither the user nor root owns it, "
		"goes to the user; ~/.ssh becomes mode 700 and each authorized keys file in the home "
		"directory (sshd's AuthorizedKeysFile) 600, both owned by the user and the user's "
		"primary group.  It prints the modes before and after.  Symbolic links, files with "
		"other hard links and files outside the home directory are left alone.  Cost: other "
		"users lose write access to that home directory, and group and others lose access "
		"to ~/.ssh."},
	[GUESTFIX_UNEXPIRE_USER] = {
		"vm.unexpire_user", true, false, body_unexpire,
		"Runs a script as root in the VM (Run Command) that clears the user's account expiry "
		"date when it has passed (chage -E -1, else usermod -e '') and, only when the "
		"password field is locked with '!', unlocks it (usermod -U, else passwd -u); a lock "
		"with no password behind it ('!' alone, which those refuse to unlock) becomes '*', "
		"so that keys work and still no password does.  It never sets a password and never "
		"prints the password hash, only the account's state after.  Cost: an account that "
		"was expired or locked on purpose (someone who left) can log in again with its keys."},
	[GUESTFIX_REMOVE_NOLOGIN] = {
		"vm.remove_nologin", false, false, body_nologin,
		"Runs a script as root in the VM (Run Command) that deletes /etc/nologin and "
		"/run/nologin, which make sshd turn away every user but root, and prints the first "
		"line of the message they held.  Cost: if the VM is in planned maintenance or "
		"shutting down, users can log in again meanwhile (a shutdown in progress creates "
		"/run/nologin again)."},
};

const char *guestfix_name(enum guestfix_id id)
{
	return (unsigned)id < GUESTFIX_COUNT ? fixes[id].name : NULL;
}

bool guestfix_lookup(const char *name, enum guestfix_id *id)
{
	for (int i = 0; name && i < GUESTFIX_COUNT; i++) {
		if (strcmp(name, fixes[i].name) == 0) {
			if (id)
				*id = (enum guestfix_id)i;
			return true;
		}
	}
	return false;
}

bool guestfix_needs_user(enum guestfix_id id)
{
	return (unsigned)id < GUESTFIX_COUNT && fixes[id].user;
}

bool guestfix_needs_port(enum guestfix_id id)
{
	return (unsigned)id < GUESTFIX_COUNT && fixes[id].port;
}

const char *guestfix_describe(enum guestfix_id id)
{
	return (unsigned)id < GUESTFIX_COUNT ? fixes[id].describe : "";
}

int guestfix_script(enum guestfix_id id, const char *user, int port, char *out, size_t outlen)
{
	const struct fix *f;
	char vars[64];
	int n;

	if (out && outlen)
		out[0] = '\0';
	if (!out || (unsigned)id >= GUESTFIX_COUNT)
		return -1;
	f = &fixes[id];
	if ((f->user && !guest_user_ok(user)) || (f->port && (port < 1 || port > 65535)))
		return -1;
	/* the name is a constant, the user [a-z0-9_.-] only: safe inside single quotes */
	if (f->user)
		snprintf(vars, sizeof(vars), "ID='%s'\nU='%s'\n", f->name, user);
	else if (f->port)
		snprintf(vars, sizeof(vars), "ID='%s'\nP='%d'\n", f->name, port);
	else
		snprintf(vars, sizeof(vars), "ID='%s'\n", f->name);
	n = snprintf(out, outlen, "%s%s%s%s%s%s", vars, guest_script_prelude(), fix_head, f->user ? fix_user : "",
		     f->body, fix_tail);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return -1;
	}
	return n;
}

/* ------------------------------------------------------------------ parsing */

static bool is_word(const char *v, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(v, w, n) == 0;
}

/* Copies n bytes of v to dst (NUL becomes '?'). */
static void put_raw(char *dst, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = v[i] ? v[i] : '?';
}

/* Appends v to a field of "; "-joined values.  What does not fit is cut, the field then
 * ends with "..." and takes nothing more. */
static void join(char *f, size_t size, bool *full, const char *v, size_t n)
{
	size_t have = strlen(f), sep = have ? 2 : 0, room;

	if (*full)
		return;
	if (have + sep + n < size) {
		memcpy(f + have, "; ", sep);
		put_raw(f + have + sep, v, n);
		f[have + sep + n] = '\0';
		return;
	}
	*full = true;
	room = size - 4;   /* for "..." and the NUL */
	if (have + sep < room) {
		memcpy(f + have, "; ", sep);
		put_raw(f + have + sep, v, room - have - sep);
	}
	memcpy(f + room, "...", 4);
}

static int tri(const char *v, size_t n)
{
	return is_word(v, n, "yes") ? GUEST_YES : is_word(v, n, "no") ? GUEST_NO : GUEST_UNKNOWN;
}

/* "22,2222": valid distinct ports, at most GUESTFIX_LISTEN_MAX. */
static void take_ports(struct guestfix_result *r, const char *v, size_t n)
{
	size_t i = 0;

	r->have_listen = true;
	while (i < n) {
		size_t j = i;
		long p = 0;
		bool dup = false;

		while (j < n && v[j] >= '0' && v[j] <= '9' && j - i < 6)
			p = p * 10 + (v[j++] - '0');
		if (j > i && (j == n || v[j] == ',') && p >= 1 && p <= 65535) {
			for (int k = 0; k < r->n_listen; k++)
				dup = dup || r->listen[k] == (int)p;
			if (!dup && r->n_listen < GUESTFIX_LISTEN_MAX)
				r->listen[r->n_listen++] = (int)p;
		}
		while (j < n && v[j] != ',')
			j++;
		i = j + 1;
	}
}

enum { J_DID, J_ERR, J_NOTE, J_BEFORE, J_AFTER, J_COUNT };
enum { S_OK, S_ACTIVE, S_SOCKET, S_LISTEN, S_COUNT };

struct seen {
	bool full[J_COUNT];
	bool scalar[S_COUNT];
};

/* One line (without its '\n').  Returns 1 when a result was taken. */
static int take_line(struct guestfix_result *r, struct seen *s, const char *p, size_t n)
{
	static const char *const joined[J_COUNT] = {"FIX_DID", "FIX_ERR", "FIX_NOTE", "FIX_BEFORE", "FIX_AFTER"};
	static const char *const scalars[S_COUNT] = {"FIX_OK", "SSHD_ACTIVE", "SSHD_SOCKET", "SSHD_LISTEN"};
	char *field[J_COUNT] = {r->did, r->err, r->note, r->before, r->after};
	int *count[J_COUNT] = {&r->n_did, &r->n_err, &r->n_note, NULL, NULL};
	size_t kn = 0, vn;
	const char *v;
	int k;

	while (kn < n && kn < 32 && ((p[kn] >= 'A' && p[kn] <= 'Z') || p[kn] == '_'))
		kn++;
	if (kn == 0 || kn >= n || p[kn] != '=') {
		if (n)
			r->bad_lines++;
		return 0;
	}
	v = p + kn + 1;
	vn = n - kn - 1;
	if (is_word(p, kn, "GUESTFIX_BEGIN")) {
		enum guestfix_id id;
		char name[40];

		if (r->begun || vn >= sizeof(name))
			return 0;
		memcpy(name, v, vn);
		name[vn] = '\0';
		r->begun = true;
		r->id = strlen(name) == vn && guestfix_lookup(name, &id) ? (int)id : -1;
		return 0;
	}
	if (is_word(p, kn, "GUESTFIX_END") && is_word(v, vn, "1")) {
		r->ended = true;
		return 0;
	}
	for (k = 0; k < J_COUNT; k++) {
		if (!is_word(p, kn, joined[k]))
			continue;
		join(field[k], GUESTFIX_TEXT, &s->full[k], v, vn);
		if (count[k])
			(*count[k])++;
		return 1;
	}
	for (k = 0; k < S_COUNT && !is_word(p, kn, scalars[k]); k++)
		;
	if (k == S_COUNT) {
		r->unknown_keys++;
		return 0;
	}
	if (s->scalar[k])
		return 0;
	s->scalar[k] = true;
	if (k == S_OK)
		r->ok = tri(v, vn);
	else if (k == S_ACTIVE)
		r->sshd_active = tri(v, vn);
	else if (k == S_SOCKET)
		r->sshd_socket = tri(v, vn);
	else
		take_ports(r, v, vn);
	return 1;
}

int guestfix_parse(const char *out, size_t len, struct guestfix_result *r)
{
	struct seen s;
	struct guest_lines it;
	const char *line;
	size_t n;
	int taken = 0;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	r->id = -1;
	r->ok = r->sshd_active = r->sshd_socket = GUEST_UNKNOWN;
	guest_lines_init(&it, out, len, "GUESTFIX_BEGIN=", "GUESTFIX_END=1");
	while (!r->ended && guest_lines_next(&it, &line, &n))
		taken += take_line(r, &s, line, n);
	r->lines = it.lines;
	r->bad_lines += it.bad_lines;
	r->long_lines = it.long_lines;
	r->complete = r->begun && r->ended;
	if (r->n_err && r->ok == GUEST_YES)
		r->ok = GUEST_NO;
	return taken;
}

bool guestfix_listens(const struct guestfix_result *r, int port)
{
	for (int i = 0; i < r->n_listen; i++)
		if (r->listen[i] == port)
			return true;
	return false;
}
