/* fuzz_netjson: every ARM network mapper on the same bytes.
 *
 * Properties: no crash, leak or over-read (the input is handed over at its exact length with
 * nothing after it); a failure always leaves a one-line message; the error line is always
 * written and, once sanitised, holds no control byte; an NSG that maps can be evaluated.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *       tests/fuzz/fuzz_netjson.c src/azure/netjson.c src/azure/nsg.c src/util/sanitize.c \
 *       -lcjson -o fuzz_netjson
 *   ./fuzz_netjson -max_total_time=60 tests/fuzz/corpus/netjson
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/netjson.h"
#include "util/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int failed, const char *err, size_t errlen)
{
	if (!memchr(err, '\0', errlen))
		abort();
	if (failed && err[0] == '\0')
		abort();
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
