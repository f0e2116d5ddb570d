/* fuzz_netjson: every ARM network mapper on the same bytes.
 *
 * Properties: no crash, leak or over-read (the input is handed over at its exact length with
 * nothing after it); a failure always leaves a one-line message; the error line is always
 * written and, once sanitised, holds no control byte; an NSG that maps can be evaluated; the
 * lists keep their bounds; a nextLink holds no space or control byte; an async status body's
 * properties.output, printed back, parses again to a JSON value; an id's last segment holds
 * no '/'; location names compare as documented (never equal to an empty one).
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *       tests/fuzz/fuzz_netjson.c src/azure/netjson.c src/azure/nsg.c src/util/sanitize.c \
 *       -lcjson -o fuzz_netjson
 *   ./fuzz_netjson -max_total_time=60 tests/fuzz/corpus/netjson
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "fuzz.h"
#include "util/sanitize.h"

#define check_err fuzz_check_err

/* Subnet, virtual network, and the helpers on ids and location names. */
static void network(const char *text, size_t size)
{
	char err[NETJSON_ERR_LEN], pfx[4][NETJSON_IP_LEN], name[64], *str;
	struct netjson_subnet sn;
	int rc;

	rc = netjson_subnet(text, size, &sn, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (rc == 0) {
		FUZZ_STR(sn.address_prefix);
		FUZZ_STR(sn.nsg_id);
	}
	rc = netjson_vnet_prefixes(text, size, pfx, 4, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (rc > 4)
		abort();
	for (int i = 0; i < rc; i++)
		FUZZ_STR(pfx[i]);
	/* the bytes as an id and as location names */
	str = fuzz_cstr((const uint8_t *)text, size);
	netjson_id_name(str, name, sizeof(name));
	FUZZ_STR(name);
	if (strchr(name, '/') || strlen(name) > strlen(str))
		abort();
	if (netjson_same_location(str, "") || netjson_same_location(NULL, str) ||
	    (str[0] && strcspn(str, " ") && !netjson_same_location(str, str)) ||
	    netjson_same_location(str, "West Europe") != netjson_same_location("westeurope", str))
		abort();
	free(str);
}

static void evaluate(const struct nsg *n)
{
	struct nsg_ctx ctx;
	struct nsg_flow f;
	struct nsg_result r;
	struct nsg_remedy rem[NSG_STAGES];

	nsg_ctx_init(&ctx);
	nsg_ctx_add_vnet(&ctx, "10.0.0.0/8");
	if (nsg_flow_init(&f, NSG_INBOUND, NSG_PROTO_TCP, "198.51.100.7", 40000, "10.0.0.4", 22) < 0)
		abort();
	nsg_evaluate(n, n, &ctx, &f, &r);
	nsg_propose_allow(n, n, &f, &r, rem);
	if (!memchr(r.summary, '\0', sizeof(r.summary)))
		abort();
}

/* The paged lists and the nextLink. */
static void lists(const char *text, size_t size)
{
	char err[NETJSON_ERR_LEN], next[512], wid[NETJSON_ID_LEN];
	struct netjson_public_ip *pips;
	struct netjson_watcher *ws;
	struct netjson_vm_list *vl;
	int rc;

	rc = netjson_next_link(text, size, next, sizeof(next), err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	for (size_t i = 0; i < strlen(next); i++)
		if ((unsigned char)next[i] <= ' ' || next[i] == 0x7f)
			abort();
	if (rc < 0 && next[0])
		abort();
	rc = netjson_public_ip_list(text, size, &pips, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (rc > NETJSON_MAX_LIST || (rc <= 0 && pips))
		abort();
	free(pips);
	rc = netjson_watchers(text, size, &ws, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (rc > NETJSON_MAX_LIST || (rc <= 0 && ws))
		abort();
	free(ws);
	rc = netjson_watcher_in(text, size, "West Europe", wid, sizeof(wid), err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if ((rc == 1) != (wid[0] != '\0'))
		abort();
	vl = netjson_vm_list(text, size, err, sizeof(err));
	check_err(!vl, err, sizeof(err));
	for (int i = 0; vl && i < vl->n; i++)
		if (vl->vm[i].n_nics > NETJSON_MAX_VM_NICS || (vl->vm[i].n_nics > 0) != (vl->vm[i].nics != NULL))
			abort();
	netjson_vm_list_free(vl);
}

/* Firewall, policy, health, async status. */
static void others(const char *text, size_t size)
{
	char err[NETJSON_ERR_LEN], ids[4][NETJSON_ID_LEN], *output;
	struct netjson_firewall fw;
	struct netjson_health h;
	struct netjson_async as;
	size_t olen;
	int rc;

	rc = netjson_firewall(text, size, &fw, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (fw.n_ipconf > NETJSON_MAX_FW_IPCONF)
		abort();
	rc = netjson_fw_policy(text, size, ids, 4, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (rc > 4)
		abort();
	rc = netjson_health(text, size, &h, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if (h.n_actions > NETJSON_MAX_ACTIONS || !memchr(h.summary, '\0', sizeof(h.summary)))
		abort();
	rc = netjson_async_status(text, size, &as, &output, &olen, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	if ((output != NULL) != (rc == 0 && as.has_output))
		abort();
	if (output) {
		cJSON *again = cJSON_ParseWithLength(output, olen);

		if (!again || strlen(output) != olen)
			abort();
		cJSON_Delete(again);
		free(output);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1), err[NETJSON_ERR_LEN], line[512], clean[512];
	struct netjson_public_ip pip;
	struct netjson_nat_rule nat;
	struct netjson_ipflow flow;
	struct netjson_arm_error ae;
	struct netjson_effective *e;
	struct netjson_nic *nic;
	struct netjson_lb *lb;
	struct netjson_fw_rcg *g;
	struct nsg *n, *list;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	lists(text, size);
	others(text, size);
	network(text, size);

	n = netjson_nsg(text, size, err, sizeof(err));
	check_err(!n, err, sizeof(err));
	if (n)
		evaluate(n);
	nsg_free(n);

	list = nsg_new("list", "");
	rc = netjson_rule_list(text, size, list, true, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	rc = netjson_rule(text, size, list, false, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	evaluate(list);
	nsg_free(list);

	e = netjson_effective(text, size, err, sizeof(err));
	check_err(!e, err, sizeof(err));
	for (int i = 0; e && i < e->n; i++)
		evaluate(e->item[i].nsg);
	netjson_effective_free(e);

	nic = netjson_nic(text, size, err, sizeof(err));
	check_err(!nic, err, sizeof(err));
	if (nic && !netjson_nic_primary(nic))
		abort();
	netjson_nic_free(nic);

	rc = netjson_public_ip(text, size, &pip, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	rc = netjson_nat_rule(text, size, &nat, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	lb = netjson_lb(text, size, err, sizeof(err));
	check_err(!lb, err, sizeof(err));
	netjson_lb_free(lb);
	g = netjson_fw_rcg(text, size, err, sizeof(err));
	check_err(!g, err, sizeof(err));
	netjson_fw_rcg_free(g);
	rc = netjson_ipflow(text, size, &flow, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));
	rc = netjson_arm_error(text, size, &ae, err, sizeof(err));
	check_err(rc < 0, err, sizeof(err));

	netjson_error_line(text, size, 500, line, sizeof(line));
	if (!memchr(line, '\0', sizeof(line)) || strncmp(line, "HTTP 500", 8) != 0)
		abort();
	sanitize(clean, sizeof(clean), line, strlen(line), SANITIZE_UTF8);
	if (!sanitize_is_clean(clean, strlen(clean), SANITIZE_UTF8))
		abort();
	free(text);
	return 0;
}
