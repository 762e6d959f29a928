from __future__ import annotations

import ipaddress

import pytest

from core.net.addresses import address_problem, parse_ip_literal, parse_networks


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared"),
        ("100.127.255.255", "shared"),
        ("0.0.0.0", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", ""),
        ("192.0.2.10", ""),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 around 169.254.169.254
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 around 127.0.0.1
        ("2001:db8::1", ""),
    ],
)
def test_non_public_addresses_are_refused(address: str, problem: str) -> None:
    found = address_problem(ipaddress.ip_address(address))
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_allow_list_opens_exactly_its_networks() -> None:
    allowed = parse_networks(["127.0.0.1/32", "::1"])
    assert address_problem(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert address_problem(ipaddress.ip_address("::1"), allowed) is None
    assert address_problem(ipaddress.ip_address("127.0.0.2"), allowed) is not None
    assert address_problem(ipaddress.ip_address("10.0.0.1"), allowed) is not None


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0x7f.1", "127.1", "0177.0.0.1", "1"])
def test_unusual_ipv4_forms_are_errors(host: str) -> None:
    with pytest.raises(ValueError, match="unusual"):
        parse_ip_literal(host)


def test_ip_literals_and_names() -> None:
    assert parse_ip_literal("8.8.8.8") == ipaddress.ip_address("8.8.8.8")
    assert parse_ip_literal("::1") == ipaddress.ip_address("::1")
    assert parse_ip_literal("images.example.com") is None
    assert parse_ip_literal("1e100.net") is None
