"""Where a webhook may be sent: the SSRF guard.

A URL must be ``http`` or ``https`` with a host and no credentials. The host is resolved
and *every* address must be public: loopback, private, link-local, multicast, reserved,
unspecified, shared (CGNAT), documentation and cloud-metadata addresses are refused, as
are IPv6 forms embedding such an IPv4 address (mapped, 6to4, Teredo, NAT64). The check
runs when a subscription is saved and again before every delivery, and the delivery
connects to the address that passed the check (:class:`Target`), so a DNS answer that
changes between check and connection (rebinding) cannot redirect it.

``allow_loopback`` (development) admits 127.0.0.0/8 and ::1, nothing else.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

MAX_URL_LENGTH = 2048

METADATA_ADDRESSES: frozenset[Address] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle instance metadata
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.253",  # AWS VPC DNS
        "169.254.169.123",  # AWS time sync
        "100.100.100.200",  # Alibaba Cloud metadata
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "fd00:ec2::253",  # AWS VPC DNS over IPv6
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why (safe to show the owner)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the addresses the request may connect to (every one checked), in
    the resolver's order."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]

    @property
    def address(self) -> str:
        return self.addresses[0]

    def pinned_url_for(self, address: str) -> str:
        """The URL with the host replaced by ``address`` (one of the checked ones)."""
        assert address in self.addresses
        parts = urlsplit(self.url)
        literal = f"[{address}]" if ":" in address else address
        return urlunsplit(
            (parts.scheme, f"{literal}:{self.port}", parts.path or "/", parts.query, "")
        )

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why ``address`` may not be contacted, or ``None`` when it may."""
    try:
        ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = refusal(str(embedded), allow_loopback=allow_loopback)
            return f"{ip} embeds {embedded}: {reason}" if reason else None
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a shared (CGNAT) address"),
        (not ip.is_global, "not publicly routable"),
    )
    for hit, what in checks:
        if hit:
            return f"{ip} is {what}"
    return None


def parse(url: str) -> SplitResult:
    """Syntax checks only (no DNS)."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"URL longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise UnsafeUrl("URL contains whitespace or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeUrl("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("credentials in the URL are not allowed")
    if not parts.hostname:
        raise UnsafeUrl("URL has no host")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise UnsafeUrl("URL has an invalid port") from None
    return parts


async def check(
    url: str,
    *,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
    resolve_timeout: float = 5.0,
) -> Target:
    """Resolve and check ``url``; every address must pass. Raises :class:`UnsafeUrl`."""
    parts = parse(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            if not host.isascii():
                host = host.encode("idna").decode("ascii")
            async with asyncio.timeout(resolve_timeout):
                addresses = await resolver(host, port)
        except (OSError, UnicodeError, TimeoutError):
            raise UnsafeUrl(f"host {host!r} could not be resolved") from None
        if not addresses:
            raise UnsafeUrl(f"host {host!r} could not be resolved")
    for address in addresses:
        reason = refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            where = "" if literal is not None else f"{host!r} resolves to "
            raise UnsafeUrl(f"{where}{reason}; webhooks only go to public addresses")
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=tuple(addresses))
