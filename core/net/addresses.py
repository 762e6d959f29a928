"""Which IP addresses an outbound fetch may connect to: public unicast ones only.

Loopback, private, link-local (cloud metadata at 169.254.169.254), multicast, unspecified,
broadcast, reserved, shared (carrier-grade NAT) and documentation ranges are refused, and so are
IPv6 addresses that embed one of those IPv4 addresses (IPv4-mapped, 6to4, NAT64, Teredo).
Hosts written as unusual IPv4 forms (``2130706433``, ``0x7f.1``, ``127.1``, ``0177.0.0.1``) are
refused outright: no legitimate link uses them, and resolvers disagree on what they mean.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from core.i18n import Message, msg

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

_SHARED = IPv4Network("100.64.0.0/10")
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))
_BROADCAST = IPv4Address("255.255.255.255")


def parse_networks(networks: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """Parse an allow-list such as ``["127.0.0.1/32", "::1/128"]``.

    Raises:
        ValueError: an entry is not a network.
    """
    return tuple(
        n if isinstance(n, IPv4Network | IPv6Network) else ipaddress.ip_network(n, strict=False)
        for n in networks
    )


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if any(address in network for network in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _ipv4_problem(address: IPv4Address) -> Message | None:
    if address.is_unspecified:
        return msg("an unspecified address")
    if address.is_loopback:
        return msg("a loopback address")
    if address.is_link_local:
        return msg("a link-local address (cloud metadata lives there)")
    if address.is_multicast:
        return msg("a multicast address")
    if address == _BROADCAST:
        return msg("the broadcast address")
    if address in _SHARED:
        return msg("a shared (carrier-grade NAT) address")
    if address.is_private:
        return msg("a private network address")
    if address.is_reserved or not address.is_global:
        return msg("a reserved address")
    return None


def _ipv6_problem(address: IPv6Address) -> Message | None:
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        problem = _ipv4_problem(embedded)
        if problem:
            return msg("%(problem)s inside an IPv6 address", problem=problem)
    if address.is_unspecified:
        return msg("an unspecified address")
    if address.is_loopback:
        return msg("a loopback address")
    if address.is_link_local:
        return msg("a link-local address")
    if address.is_multicast:
        return msg("a multicast address")
    if address.is_site_local or address.is_private:
        return msg("a private network address")
    if address.is_reserved or not address.is_global:
        return msg("a reserved address")
    return None


def address_problem(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> Message | None:
    """Say why an outbound connection to ``address`` is refused, or None when it is allowed.

    Args:
        address: the IP address a host resolved to (or was written as).
        allowed: networks explicitly allowed although not public (tests, the local demo).

    Returns:
        A phrase such as ``"a loopback address"``, or None.
    """
    if any(address in network for network in allowed if network.version == address.version):
        return None
    if isinstance(address, IPv4Address):
        return _ipv4_problem(address)
    return _ipv6_problem(address)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address of a host written as a canonical IP literal, else None.

    Args:
        host: a URL's host, IPv6 without brackets.

    Raises:
        ValueError: the host is an unusual IPv4 form (decimal, octal, hex, short).
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise ValueError(f"unusual IP address form {host!r}")
