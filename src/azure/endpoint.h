/* endpoint: is the cloud entry point sound for this target?  Pure: decides the three
 * endpoint checks from what discovery read — the public IPs of the VM's resource group, the
 * NIC's own public IP and inbound NAT rule, the firewall policy's DNAT rules — and, when
 * Run Command could read them, the ports sshd listens on.
 *
 * The entry kind follows from what holds the public IP that has the target's address:
 * the VM's NIC (pip: no translation, no source list), a load balancer frontend (lb: an
 * inbound NAT rule maps frontend -> backend port) or an Azure Firewall (fw: a DNAT rule maps
 * destination -> translated address and port, for the sources it lists).  Nothing is kept:
 * the checks are filled in place and hold raw names (sanitise to show). */
#ifndef SSHTRIAGE_AZURE_ENDPOINT_H
#define SSHTRIAGE_AZURE_ENDPOINT_H

#include "azure/netjson.h"
#include "core/model.h"

struct endpoint_input {
	const char *target_addr;                 /* numeric */
	int target_port;
	const char *client_ip;                   /* this client's public address, "" unknown */
	const char *vm_ipconf_id;                /* the VM's primary IP configuration */
	const char *vm_private_ip;
	const struct netjson_public_ip *pips;    /* public IPs read (the NIC's own among them) */
	int n_pips;
	const struct netjson_nat_rule *nat;      /* the NIC's inbound NAT rules */
	int n_nat;
	const struct netjson_fw_rcg *const *rcg; /* the firewall policy's rule collection groups */
	int n_rcg;
	const int *sshd_ports;                   /* where sshd listens (Run Command), n 0: unknown */
	int n_sshd_ports;
};

enum endpoint_kind { ENDPOINT_UNKNOWN, ENDPOINT_PIP, ENDPOINT_LB, ENDPOINT_FW, ENDPOINT_OTHER };

struct endpoint_out {
	enum endpoint_kind kind;
	int port;                    /* where the entry delivers on the VM; 0: no entry found */
	char objects[300];           /* "lab-pip -> load balancer lab-lb, NAT rule ssh-vm1" */
};

/* Fills pip (endpoint.public_ip), ports (endpoint.port_mapping), acl
 * (endpoint.source_acl) and out. */
void endpoint_evaluate(const struct endpoint_input *in, struct check *pip, struct check *ports,
		       struct check *acl, struct endpoint_out *out);
const char *endpoint_kind_name(enum endpoint_kind k);   /* "pip", "lb", "fw", ... */

#endif
