"""sshtriage lab: render the cloud side of the lab network into nftables.

Two renderers live here, both pure functions from a JSON document to an nftables
script that replaces one table atomically (``nft -f``):

* ``render_nsg(doc)``      -- the stateful NSG filter in the ``nsg`` namespace, from
                              ``nsg.json`` (two Azure-shaped NSGs, ``subnet`` and ``nic``).
* ``render_endpoint(doc)`` -- the cloud entry point in the ``endpoint`` namespace, from
                              ``endpoint.json`` (entry ``lb``, ``pip`` or ``fw``).

``evaluate_nsg(doc, ...)`` evaluates one inbound flow offline the way Azure does (subnet
NSG then NIC NSG, ascending priority, first match decides, both must allow); the lab uses
it to cross-check the rendered filter and the ARM stand-in can use it for IP flow verify.

Command line wrappers: ``nsg-render`` and ``endpoint-render`` next to this file.
Python 3 standard library only.
"""

import copy
import ipaddress
import json
import os
import re
import subprocess
import sys

# ---------------------------------------------------------------- lab address plan
VNET = "10.20.0.0/16"              # address space of the VNet (service tag VirtualNetwork)
SUBNET = "10.20.1.0/24"
AZURE_LB = "168.63.129.16/32"     # service tag AzureLoadBalancer
VM_IP = "10.20.1.4"
VM2_IP = "10.20.1.5"
PUBLIC_IP = "203.0.113.10"
# Interfaces in the nsg namespace: one routed link per NIC of the subnet.
SUBNET_IFACES = ("nic-vm", "nic-vm2")
NIC_IFACE = "nic-vm"                 # the NIC the "nic" NSG is attached to (vm)
# Interfaces in the endpoint namespace.
EP_PUBLIC_IFACE = "inet"

DEFAULT_INBOUND = [
    ("AllowVnetInBound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", 65001, "Allow", "AzureLoadBalancer", "*"),
    ("DenyAllInBound", 65500, "Deny", "*", "*"),
]
DEFAULT_OUTBOUND = [
    ("AllowVnetOutBound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", 65001, "Allow", "*", "Internet"),
    ("DenyAllOutBound", 65500, "Deny", "*", "*"),
]


class RenderError(Exception):
    """Bad input: the message says what and where."""


# ---------------------------------------------------------------- building documents
def rule(name, priority, access, protocol="*", source="*", ports="*", direction="Inbound",
         destination="*", source_ports="*", description=None):
    """An Azure-shaped security rule (securityRules[] element)."""
    props = {
        "priority": int(priority),
        "access": access,
        "direction": direction,
        "protocol": protocol,
        "sourcePortRange": source_ports,
        "destinationAddressPrefix": destination,
    }
    if isinstance(source, (list, tuple)):
        props["sourceAddressPrefixes"] = list(source)
    else:
        props["sourceAddressPrefix"] = source
    if isinstance(ports, (list, tuple)):
        props["destinationPortRanges"] = [str(p) for p in ports]
    else:
        props["destinationPortRange"] = str(ports)
    if description:
        props["description"] = description
    return {"name": name, "properties": props}


def default_rules():
    out = []
    for name, prio, access, src, dst in DEFAULT_INBOUND:
        out.append(rule(name, prio, access, "*", src, "*", "Inbound", dst))
    for name, prio, access, src, dst in DEFAULT_OUTBOUND:
        out.append(rule(name, prio, access, "*", src, "*", "Outbound", dst))
    return out


def nsg(name, custom_rules):
    return {"name": name, "properties": {"securityRules": list(custom_rules),
                                          "defaultSecurityRules": default_rules()}}


def baseline_nsg_doc():
    """Healthy baseline: each NSG has only AllowSSH (1000, Allow, Tcp, *, 22) + defaults."""
    def allow_ssh():
        return rule("AllowSSH", 1000, "Allow", "Tcp", "*", "22")
    return {
        "comment": "sshtriage lab NSGs: 'subnet' applies to every NIC of 10.20.1.0/24, "
                   "'nic' to vm (10.20.1.4). null means no NSG associated.",
        "subnet": nsg("lab-subnet-nsg", [allow_ssh()]),
        "nic": nsg("vm1-nic-nsg", [allow_ssh()]),
    }


def baseline_endpoint_doc(entry="lb"):
    return {
        "comment": "sshtriage lab cloud entry point (endpoint namespace)",
        "entry": entry,
        "public_ip": PUBLIC_IP,
        "public_ip_attached": True,
        "lb": {"frontend_port": 22, "backend_ip": VM_IP, "backend_port": 22},
        "pip": {"backend_ip": VM_IP},
        "fw": {"port": 22, "translated_ip": VM_IP, "translated_port": 22, "sources": ["*"]},
    }


# ---------------------------------------------------------------- NSG parsing
_TAGS = {
    "virtualnetwork": "VirtualNetwork", "virtual_network": "VirtualNetwork",
    "azureloadbalancer": "AzureLoadBalancer", "azure_loadbalancer": "AzureLoadBalancer",
    "internet": "Internet",
}
ANY = "*"


def _parse_prefix(value, where):
    """-> ANY, a tag name, an IPv4Network, or None (matches nothing here, e.g. IPv6)."""
    if not isinstance(value, str) or not value.strip():
        raise RenderError(f"{where}: address prefix must be a non-empty string, got {value!r}")
    v = value.strip()
    if v in ("*", "Any", "any", "0.0.0.0/0"):
        return ANY
    tag = _TAGS.get(v.lower())
    if tag:
        return tag
    try:
        net = ipaddress.ip_network(v, strict=False)
    except ValueError:
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", v):
            sys.stderr.write(f"nsg-render: {where}: service tag {v!r} has no addresses in the lab; "
                             "it matches nothing\n")
            return None
        raise RenderError(f"{where}: {v!r} is neither a CIDR, an IP, '*' nor a service tag")
    if net.version != 4:
        return None      # the lab is IPv4 only: an IPv6 prefix never matches
    if net.prefixlen == 0:
        return ANY
    return net


def _parse_ports(values, where):
    """-> ANY or a sorted list of merged (lo, hi) ranges."""
    out = []
    for v in values:
        s = str(v).strip()
        if s in ("*", "Any", "any", "0-65535"):
            return ANY
        m = re.fullmatch(r"(\d{1,5})(?:\s*-\s*(\d{1,5}))?", s)
        if not m:
            raise RenderError(f"{where}: port range {v!r} is not N, N-M or *")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if not (0 <= lo <= hi <= 65535):
            raise RenderError(f"{where}: port range {v!r} out of bounds")
        out.append((lo, hi))
    if not out:
        raise RenderError(f"{where}: empty port list")
    out.sort()
    merged = [list(out[0])]
    for lo, hi in out[1:]:
        if lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    if merged == [[0, 65535]]:
        return ANY
    return [tuple(r) for r in merged]


def _field_list(p, singular, plural, default, where):
    many = p.get(plural)
    if many:
        if not isinstance(many, list):
            raise RenderError(f"{where}: {plural} must be a list")
        return many
    one = p.get(singular)
    if one is None or one == "":
        return [default]
    return [one]


_PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "esp": "Esp", "ah": "Ah",
              "*": "*", "all": "*", "any": "*"}


def _parse_rule(r, nsg_key, kind):
    if not isinstance(r, dict):
        raise RenderError(f"{nsg_key}: {kind} entry is not an object")
    name = r.get("name")
    if not isinstance(name, str) or not name:
        raise RenderError(f"{nsg_key}: a rule has no name")
    where = f"{nsg_key}/{name}"
    p = r.get("properties", r)
    if not isinstance(p, dict):
        raise RenderError(f"{where}: properties is not an object")
    try:
        priority = int(p.get("priority"))
    except (TypeError, ValueError):
        raise RenderError(f"{where}: priority missing or not a number")
    access = str(p.get("access", "")).capitalize()
    if access not in ("Allow", "Deny"):
        raise RenderError(f"{where}: access must be Allow or Deny, got {p.get('access')!r}")
    direction = str(p.get("direction", "Inbound")).capitalize()
    if direction not in ("Inbound", "Outbound"):
        raise RenderError(f"{where}: direction must be Inbound or Outbound")
    proto = _PROTOCOLS.get(str(p.get("protocol", "*")).lower())
    if proto is None:
        raise RenderError(f"{where}: protocol must be Tcp, Udp, Icmp, Esp, Ah or *, "
                          f"got {p.get('protocol')!r}")
    src = [_parse_prefix(x, where) for x in
           _field_list(p, "sourceAddressPrefix", "sourceAddressPrefixes", "*", where)]
    dst = [_parse_prefix(x, where) for x in
           _field_list(p, "destinationAddressPrefix", "destinationAddressPrefixes", "*", where)]
    sports = _parse_ports(_field_list(p, "sourcePortRange", "sourcePortRanges", "*", where), where)
    dports = _parse_ports(_field_list(p, "destinationPortRange", "destinationPortRanges", "*",
                                      where), where)
    return {"name": name, "kind": kind, "priority": priority, "access": access,
            "direction": direction, "protocol": proto, "src": src, "dst": dst,
            "sports": sports, "dports": dports}


def parse_nsg(obj, nsg_key):
    """One NSG (Azure resource shape, or a bare {securityRules: [...]}) -> sorted inbound rules.

    Returns None when obj is null (no NSG associated: everything passes)."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise RenderError(f"{nsg_key}: NSG must be an object or null")
    props = obj.get("properties", obj)
    custom = props.get("securityRules", []) or []
    defaults = props.get("defaultSecurityRules")
    if not isinstance(custom, list):
        raise RenderError(f"{nsg_key}: securityRules must be a list")
    if defaults is None:
        defaults = default_rules()
    if not isinstance(defaults, list):
        raise RenderError(f"{nsg_key}: defaultSecurityRules must be a list")
    rules = [_parse_rule(r, nsg_key, "securityRules") for r in custom]
    rules += [_parse_rule(r, nsg_key, "defaultSecurityRules") for r in defaults]
    seen = {}
    for r in rules:
        if r["direction"] != "Inbound":
            continue
        key = r["priority"]
        if key in seen:
            raise RenderError(f"{nsg_key}: rules {seen[key]} and {r['name']} share inbound "
                              f"priority {key}")
        seen[key] = r["name"]
    inbound = [r for r in rules if r["direction"] == "Inbound"]
    inbound.sort(key=lambda r: r["priority"])
    return {"name": obj.get("name", nsg_key), "rules": inbound}


def parse_nsg_doc(doc):
    if not isinstance(doc, dict):
        raise RenderError("nsg document must be a JSON object")
    for key in ("subnet", "nic"):
        if key not in doc:
            raise RenderError(f"nsg document has no {key!r} NSG (use null for none)")
    return {key: parse_nsg(doc[key], key) for key in ("subnet", "nic")}


# ---------------------------------------------------------------- NSG rendering
def _nft_set(items):
    items = list(items)
    if len(items) == 1:
        return items[0]
    return "{ " + ", ".join(items) + " }"


def _addr_groups(prefixes, field):
    """OR of prefixes -> list of nft match strings (OR of them); [] = matches nothing."""
    nets, tags = [], set()
    for p in prefixes:
        if p is None:
            continue
        if p == ANY:
            return [""]
        if isinstance(p, str):
            tags.add(p)
        else:
            nets.append(p)
    if "VirtualNetwork" in tags:
        nets.append(ipaddress.ip_network(VNET))
    if "AzureLoadBalancer" in tags:
        nets.append(ipaddress.ip_network(AZURE_LB))
    out = []
    if nets:
        collapsed = list(ipaddress.collapse_addresses(nets))
        out.append(f"ip {field} " + _nft_set(
            str(n.network_address) if n.prefixlen == 32 else str(n) for n in collapsed))
    if "Internet" in tags:
        out.append(f"ip {field} != {{ {VNET}, {AZURE_LB.split('/')[0]} }}")
    return out


def _port_match(ranges, field):
    if ranges == ANY:
        return ""
    return f"th {field} " + _nft_set(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)


_L4 = {"Tcp": "tcp", "Udp": "udp", "Icmp": "icmp", "Esp": "esp", "Ah": "ah"}


def _comment(text):
    return '"' + re.sub(r'[^A-Za-z0-9 ._:/,()=-]', "_", text)[:120] + '"'


def _render_rules(key, parsed):
    lines = []
    if parsed is None:
        lines.append(f"# no {key} NSG associated: everything passes")
        return lines
    for r in parsed["rules"]:
        verdict = "return" if r["access"] == "Allow" else "drop"
        tag = f"{key} {parsed['name']} {r['name']} priority {r['priority']} {r['access']}"
        ports_used = r["protocol"] in ("Tcp", "Udp", "*") and (r["sports"] != ANY
                                                                  or r["dports"] != ANY)
        if r["protocol"] == "*":
            l4 = "meta l4proto { tcp, udp }" if ports_used else ""
        else:
            l4 = f"meta l4proto {_L4[r['protocol']]}"
        sport = _port_match(r["sports"], "sport") if ports_used else ""
        dport = _port_match(r["dports"], "dport") if ports_used else ""
        srcs = _addr_groups(r["src"], "saddr")
        dsts = _addr_groups(r["dst"], "daddr")
        if not srcs or not dsts:
            lines.append(f"# {tag}: matches nothing in the lab (IPv6 or unknown tag only)")
            continue
        for s in srcs:
            for d in dsts:
                parts = [x for x in (l4, s, d, sport, dport) if x]
                parts += ["counter", verdict, "comment", _comment(tag)]
                lines.append(" ".join(parts))
    return lines


def render_nsg(doc):
    """nsg.json document -> nft script replacing table ip nsg (raises RenderError)."""
    parsed = parse_nsg_doc(doc)
    subnet_ifaces = _nft_set(f'"{i}"' for i in SUBNET_IFACES)
    out = [
        "# sshtriage lab NSG filter, rendered by tests/lab/nsg-render; do not edit",
        "table ip nsg",
        "delete table ip nsg",
        "table ip nsg {",
        "\tchain forward {",
        "\t\ttype filter hook forward priority filter; policy accept;",
        "\t\t# stateful: replies and established flows pass, ICMP errors too",
        "\t\tct state established,related accept",
        f"\t\toifname {subnet_ifaces} jump subnet_in comment \"subnet NSG\"",
        f"\t\toifname \"{NIC_IFACE}\" jump nic_in comment \"NIC NSG of vm\"",
        "\t}",
    ]
    for key, chain in (("subnet", "subnet_in"), ("nic", "nic_in")):
        out.append(f"\tchain {chain} {{")
        out += ["\t\t" + line for line in _render_rules(key, parsed[key])]
        out.append("\t}")
    out.append("}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- NSG evaluation
def _prefix_matches(prefixes, addr):
    a = ipaddress.ip_address(addr)
    for p in prefixes:
        if p is None:
            continue
        if p == ANY:
            return True
        if p == "VirtualNetwork" and a in ipaddress.ip_network(VNET):
            return True
        if p == "AzureLoadBalancer" and a in ipaddress.ip_network(AZURE_LB):
            return True
        if p == "Internet" and not (a in ipaddress.ip_network(VNET)
                                    or a in ipaddress.ip_network(AZURE_LB)):
            return True
        if isinstance(p, ipaddress.IPv4Network) and a in p:
            return True
    return False


def _port_matches(ranges, port):
    return ranges == ANY or any(lo <= port <= hi for lo, hi in ranges)


def evaluate_nsg(doc, protocol, src, dst, dport, sport=40000):
    """Inbound flow -> (access, [(nsg_key, nsg_name, rule_name, priority, access)...]).

    access is "Allow" only when every applicable NSG allows it."""
    parsed = parse_nsg_doc(doc)
    proto = _PROTOCOLS.get(str(protocol).lower())
    trail = []
    keys = ["subnet"] + (["nic"] if dst == VM_IP else [])
    for key in keys:
        n = parsed[key]
        if n is None:
            trail.append((key, None, None, None, "Allow"))
            continue
        for r in n["rules"]:
            if r["protocol"] != "*" and r["protocol"] != proto:
                continue
            if not _prefix_matches(r["src"], src) or not _prefix_matches(r["dst"], dst):
                continue
            if proto in ("Tcp", "Udp") and not (_port_matches(r["dports"], dport)
                                                 and _port_matches(r["sports"], sport)):
                continue
            trail.append((key, n["name"], r["name"], r["priority"], r["access"]))
            break
        else:
            trail.append((key, n["name"], None, None, "Deny"))
        if trail[-1][4] == "Deny":
            return "Deny", trail
    return "Allow", trail


# ---------------------------------------------------------------- endpoint rendering
def _ipv4(value, where):
    try:
        return str(ipaddress.IPv4Address(str(value)))
    except ValueError:
        raise RenderError(f"{where}: {value!r} is not an IPv4 address")


def _port(value, where):
    try:
        p = int(value)
    except (TypeError, ValueError):
        raise RenderError(f"{where}: {value!r} is not a port number")
    if not 1 <= p <= 65535:
        raise RenderError(f"{where}: port {p} out of range")
    return p


def _l4(proto, where):
    """A NAT/DNAT protocol (Tcp, Udp, All/Any, or a list of them) -> nft l4proto match."""
    vals = proto if isinstance(proto, list) else [proto]
    out = set()
    for v in vals:
        p = str(v).strip().lower()
        if p in ("tcp",):
            out.add("tcp")
        elif p in ("udp",):
            out.add("udp")
        elif p in ("all", "any", "*"):
            out.update(("tcp", "udp"))
        elif p == "icmp":
            continue          # DNAT of ICMP: nothing to translate to a port
        else:
            raise RenderError(f"{where}: protocol {v!r} is not Tcp, Udp or All")
    if not out:
        return None
    return "meta l4proto " + _nft_set(sorted(out))


def _endpoint_rules(cfg, kind):
    """The rules of one entry kind: cfg["rules"] when present, else cfg itself (one rule)."""
    rules = cfg.get("rules")
    if rules is None:
        return [cfg]
    if not isinstance(rules, list):
        raise RenderError(f"{kind}.rules must be a list")
    return rules


def render_endpoint(doc):
    """endpoint.json document -> nft script replacing table ip endpoint.

    ``lb`` and ``fw`` hold one rule directly (frontend_port/backend_ip/backend_port, or
    port/translated_ip/translated_port/sources) or several in ``rules`` (a list of such
    objects, each optionally with ``protocol``: Tcp, Udp or All); ``rules`` wins."""
    if not isinstance(doc, dict):
        raise RenderError("endpoint document must be a JSON object")
    entry = doc.get("entry")
    if entry not in ("lb", "pip", "fw"):
        raise RenderError(f"entry must be lb, pip or fw, got {entry!r}")
    pub = _ipv4(doc.get("public_ip", PUBLIC_IP), "public_ip")
    attached = doc.get("public_ip_attached", True)
    cfg = doc.get(entry) or {}
    pre, post, inp = [], [], []
    if not attached:
        pre.append(f'iifname "{EP_PUBLIC_IFACE}" ip daddr {pub} counter drop '
                   'comment "public IP not attached"')
    if entry == "lb":
        for i, r in enumerate(_endpoint_rules(cfg, "lb")):
            where = f"lb.rules[{i}]" if "rules" in cfg else "lb"
            if not isinstance(r, dict):
                raise RenderError(f"{where} must be an object")
            fport = _port(r.get("frontend_port", 22), f"{where}.frontend_port")
            bip = _ipv4(r.get("backend_ip", VM_IP), f"{where}.backend_ip")
            bport = _port(r.get("backend_port", 22), f"{where}.backend_port")
            l4 = _l4(r.get("protocol", "Tcp"), f"{where}.protocol")
            if l4 is None:
                continue
            name = re.sub(r"[^A-Za-z0-9._-]", "_", str(r.get("name", "")))[:40]
            label = f"lb inbound NAT rule {name + ' ' if name else ''}{fport} to {bport}"
            pre.append(f'iifname "{EP_PUBLIC_IFACE}" ip daddr {pub} {l4} th dport {fport} counter '
                       f'dnat to {bip}:{bport} comment "{label}"')
    elif entry == "pip":
        bip = _ipv4(cfg.get("backend_ip", VM_IP), "pip.backend_ip")
        pre.append(f'iifname "{EP_PUBLIC_IFACE}" ip daddr {pub} counter dnat to {bip} '
                   'comment "public IP on the NIC"')
        post.append(f'oifname "{EP_PUBLIC_IFACE}" ip saddr {bip} counter snat to {pub} '
                    'comment "public IP on the NIC"')
    else:
        for i, r in enumerate(_endpoint_rules(cfg, "fw")):
            where = f"fw.rules[{i}]" if "rules" in cfg else "fw"
            if not isinstance(r, dict):
                raise RenderError(f"{where} must be an object")
            dport = _port(r.get("port", 22), f"{where}.port")
            tip = _ipv4(r.get("translated_ip", VM_IP), f"{where}.translated_ip")
            tport = _port(r.get("translated_port", 22), f"{where}.translated_port")
            l4 = _l4(r.get("protocol", "Tcp"), f"{where}.protocol")
            sources = r.get("sources", ["*"])
            if not isinstance(sources, list):
                raise RenderError(f"{where}.sources must be a list")
            nets, anyone = [], False
            for s in sources:
                p = _parse_prefix(s, f"{where}.sources")
                if p == ANY:
                    anyone = True
                elif isinstance(p, ipaddress.IPv4Network):
                    nets.append(p)
                elif p is not None:
                    raise RenderError(f"{where}.sources: service tag {s!r} not supported by the lab")
            if anyone:
                smatch = ""
            elif nets:
                smatch = "ip saddr " + _nft_set(str(n) for n in ipaddress.collapse_addresses(nets)) + " "
            else:
                smatch = None
            if smatch is not None and l4 is not None:
                name = re.sub(r"[^A-Za-z0-9._-]", "_", str(r.get("name", "")))[:40]
                label = f"firewall DNAT rule{' ' + name if name else ''}"
                pre.append(f'iifname "{EP_PUBLIC_IFACE}" ip daddr {pub} {l4} th dport {dport} {smatch}'
                           f'counter dnat to {tip}:{tport} comment "{label}"')
    # whatever the entry does not translate is addressed to the endpoint itself: dropped,
    # as Azure drops it (a load balancer or firewall answers nothing it has no rule for)
    inp.append(f'iifname "{EP_PUBLIC_IFACE}" ip daddr {pub} meta l4proto {{ tcp, udp }} '
               'counter drop comment "no rule for this port"')
    post.append(f'oifname "{EP_PUBLIC_IFACE}" ip saddr {VNET} counter snat to {pub} '
                'comment "outbound SNAT of the VNet"')
    out = [
        f"# sshtriage lab endpoint ({entry}), rendered by tests/lab/endpoint-render; do not edit",
        "table ip endpoint",
        "delete table ip endpoint",
        "table ip endpoint {",
        "\tchain prerouting {",
        "\t\ttype nat hook prerouting priority dstnat; policy accept;",
        *["\t\t" + x for x in pre],
        "\t}",
        "\tchain postrouting {",
        "\t\ttype nat hook postrouting priority srcnat; policy accept;",
        *["\t\t" + x for x in post],
        "\t}",
        "\tchain input {",
        "\t\ttype filter hook input priority filter; policy accept;",
        *["\t\t" + x for x in inp],
        "\t}",
        "\tchain forward {",
        "\t\ttype filter hook forward priority filter; policy accept;",
        "\t\tct state established,related accept",
        f'\t\tiifname "{EP_PUBLIC_IFACE}" ct status dnat accept',
        f'\t\tiifname "{EP_PUBLIC_IFACE}" counter drop comment "not published"',
        "\t}",
        "}",
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- fabric (VM power)
def render_fabric(down):
    """{ip: reason} of VMs whose guest does not answer (stopped, deallocated, emergency mode)
    -> nft script replacing table ip fabric in the nsg namespace: the hypervisor drops what
    is addressed to them (silently: no ICMP host unreachable from the router's ARP failure)."""
    lines = []
    for ip in sorted(down):
        _ipv4(ip, "fabric")
        lines.append(f'ip daddr {ip} counter drop comment {_comment("VM " + str(down[ip]))}')
    out = [
        "# sshtriage lab fabric: VMs that are not running (rendered by fakearm); do not edit",
        "table ip fabric",
        "delete table ip fabric",
        "table ip fabric {",
        "\tchain forward {",
        "\t\ttype filter hook forward priority filter - 10; policy accept;",
        *["\t\t" + x for x in lines],
        "\t}",
        "}",
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- applying
def netns_name(which):
    return os.environ.get("LAB_PREFIX", "st-") + which


def apply(script, netns):
    """Load an nft script in one transaction inside the named network namespace."""
    path = f"/run/netns/{netns}"
    if not os.path.exists(path):
        raise RenderError(f"network namespace {netns} does not exist (is the lab up?)")
    res = subprocess.run(["nsenter", f"--net={path}", "nft", "-f", "-"], input=script,
                         text=True, capture_output=True)
    if res.returncode != 0:
        raise RenderError(f"nft -f in {netns} failed: {res.stderr.strip()}")


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise RenderError(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise RenderError(f"{path}: not valid JSON: {e}")


def write_json(path, doc):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------- command line
def _usage(prog, kind):
    extra = ("\n       %s [--netns NS] --flow PROTO SRC DST DPORT FILE   evaluate one inbound flow"
             % prog) if kind == "nsg" else ""
    return (f"usage: {prog} [--apply] [--netns NS] FILE   (print, or apply with --apply; "
            f"FILE - reads stdin){extra}\n")


def main(argv, kind):
    prog = os.path.basename(argv[0])
    args = argv[1:]
    do_apply, netns, flow = False, None, None
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a == "--apply":
            do_apply = True
        elif a == "--print":
            do_apply = False
        elif a == "--netns" and args:
            netns = args.pop(0)
        elif a == "--flow" and kind == "nsg" and len(args) >= 4:
            flow, args = args[:4], args[4:]
        elif a in ("-h", "--help"):
            sys.stdout.write(_usage(prog, kind))
            return 0
        else:
            sys.stderr.write(_usage(prog, kind))
            return 2
    if len(args) != 1:
        sys.stderr.write(_usage(prog, kind))
        return 2
    try:
        doc = json.load(sys.stdin) if args[0] == "-" else load_json(args[0])
        if flow:
            access, trail = evaluate_nsg(doc, flow[0], flow[1], flow[2], int(flow[3]))
            for key, name, rname, prio, acc in trail:
                print(f"{key}\t{name}\t{rname}\t{prio}\t{acc}")
            print(access)
            return 0 if access == "Allow" else 1
        script = render_nsg(doc) if kind == "nsg" else render_endpoint(doc)
        if do_apply:
            apply(script, netns or netns_name(kind))
        else:
            sys.stdout.write(script)
        return 0
    except RenderError as e:
        sys.stderr.write(f"{prog}: {e}\n")
        return 2
    except (ValueError, json.JSONDecodeError) as e:
        sys.stderr.write(f"{prog}: {e}\n")
        return 2
