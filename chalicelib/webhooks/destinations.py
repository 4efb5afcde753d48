"""Where a facilitator's webhooks may go: on a deployed stage, only https URLs whose host
resolves to global addresses (no private, loopback, link-local, reserved... address), so an
account linked to a facilitator cannot make our Lambdas POST into AWS's metadata service or
anything else inside a network. Checked when the URL is set and again before each POST: a
name that resolved to a public address yesterday may resolve to 169.254.169.254 today.

The local stages (``make run``, the tests) send to http://127.0.0.1 sinks, so they skip it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def refusal(url: str, deployed: bool) -> str | None:
    """Why ``url`` is no place to POST a facilitator's webhooks to, or None when it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an https URL with a host"
    if parts.username or parts.password:
        return "must not carry credentials (the signature says who sent it)"
    if not deployed:
        return None
    if parts.scheme != "https":
        return "must be https"
    try:
        port = parts.port or 443
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return f"host {parts.hostname!r} does not resolve"
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        if not _is_public(ip):
            return f"host {parts.hostname!r} resolves to a non-public address ({ip})"
    return None


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not ip.is_multicast
