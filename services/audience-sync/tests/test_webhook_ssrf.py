"""The SSRF guard: what may be subscribed and delivered to, checked on every delivery, with
the connection pinned to the checked address."""

from __future__ import annotations

import contextlib
import datetime
import ssl
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).parent))

import xw_kit as xw
from audience_sync.webhook import ssrf
from audience_sync.webhook.delivery import Sender
from kit import error_of
from xw_kit import AS, MapResolver, make_deliverer, subscribe

HOOKS = f"{AS}/webhooks"
EVENTS = ["audience_sync.completed"]
PUBLIC = "93.184.215.14"


@pytest.fixture
def names(xw_strict_app) -> MapResolver:
    resolver: MapResolver = xw_strict_app.state.webhook_resolver
    return resolver


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/", "169.254.169.254 is a cloud metadata address"),
        ("http://169.254.169.254/latest/meta-data/iam", "cloud metadata"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://127.0.0.1:8103/internal", "loopback"),
        ("http://localhost/", "'localhost' resolves to"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("http://[::ffff:10.0.0.1]/", "embeds 10.0.0.1"),
        ("http://192.168.1.10/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://100.64.0.1/", "CGNAT"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://[fe80::1]/", "link-local"),
        ("http://2130706433/", "loopback"),
        ("ftp://example.com/hook", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://user:pw@example.com/", "credentials"),
        ("http:///nohost", "no host"),
        ("http://example.com:99999/", "invalid port"),
    ],
)
async def test_unsafe_urls_are_refused_with_a_clear_error(url, reason, strict_caller):
    response = await strict_caller.post(HOOKS, json={"url": url, "events": EVENTS})

    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "WEBHOOK_URL_NOT_ALLOWED"
    assert reason in error["message"], error["message"]
    assert error["details"]["field"] == "url"


async def test_a_name_resolving_to_a_private_address_is_refused(strict_caller, names):
    names.names["hooks.corp.example"] = [PUBLIC, "10.20.30.40"]
    names.names["metadata.example"] = ["169.254.169.254"]

    for host, needle in (
        ("hooks.corp.example", "'hooks.corp.example' resolves to 10.20.30.40"),
        ("metadata.example", "cloud metadata"),
    ):
        response = await strict_caller.post(
            HOOKS, json={"url": f"https://{host}/webhooks", "events": EVENTS}
        )
        assert response.status_code == 422, response.text
        assert needle in error_of(response)["message"]


async def test_unresolvable_hosts_are_refused(strict_caller):
    response = await strict_caller.post(
        HOOKS, json={"url": "https://no-such-host.invalid/", "events": EVENTS}
    )
    assert response.status_code == 422
    assert "could not be resolved" in error_of(response)["message"]


async def test_public_names_are_accepted_and_patching_to_a_private_url_is_refused(
    strict_caller, names
):
    names.names["hooks.partner.example"] = [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    created = await strict_caller.post(
        HOOKS, json={"url": "https://hooks.partner.example/adscale", "events": EVENTS}
    )
    assert created.status_code == 201, created.text

    patched = await strict_caller.patch(
        f"{HOOKS}/{created.json()['id']}", json={"url": "http://10.0.0.1/"}
    )
    assert patched.status_code == 422
    assert error_of(patched)["code"] == "WEBHOOK_URL_NOT_ALLOWED"
    kept = await strict_caller.get(f"{HOOKS}/{created.json()['id']}")
    assert kept.json()["url"] == "https://hooks.partner.example/adscale"


async def test_the_development_setting_allows_loopback_only(caller):
    for url in ("http://127.0.0.1:9/", "http://127.8.9.10/", "http://[::1]:9/"):
        response = await caller.post(HOOKS, json={"url": url, "events": EVENTS})
        assert response.status_code == 201, (url, response.text)
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[fe80::1]/"):
        response = await caller.post(HOOKS, json={"url": url, "events": EVENTS})
        assert response.status_code == 422, url


def test_refusal_covers_every_class_of_address():
    refused = [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.1.1",
        "169.254.169.254",
        "fd00:ec2::254",
        "100.100.100.200",
        "fc00::1",
        "fe80::1%eth0",
        "ff02::1",
        "0.0.0.0",
        "::",
        "198.18.0.1",
        "192.0.2.1",
        "::ffff:127.0.0.1",
        "2002:a00:1::",  # 6to4 around 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    ]
    for address in refused:
        assert ssrf.refusal(address) is not None, address
    for address in ("93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"):
        assert ssrf.refusal(address) is None, address
    assert ssrf.refusal("127.0.0.1", allow_loopback=True) is None
    assert ssrf.refusal("::1", allow_loopback=True) is None
    assert ssrf.refusal("169.254.169.254", allow_loopback=True) is not None
    assert ssrf.refusal("10.0.0.1", allow_loopback=True) is not None


@contextlib.asynccontextmanager
async def _named_hook(
    caller: Any, receiver: Any, xw_app: Any, monkeypatch: Any, host: str, addresses: list[str]
) -> AsyncIterator[tuple[MapResolver, str, Any]]:
    """A webhook on ``http://<host>:<receiver port>/in``, ``host`` resolving to ``addresses``
    through our own resolver (the app's and the deliverer's): yields the resolver, the
    hook's id and the deliverer, whose sender is closed after."""
    resolver = MapResolver({host: addresses})
    monkeypatch.setattr(xw_app.state, "webhook_resolver", resolver, raising=False)
    hook = (await subscribe(caller, f"http://{host}:{receiver.port}/in", EVENTS))["id"]
    deliverer, sender = make_deliverer(xw_app, resolver=resolver)
    try:
        yield resolver, hook, deliverer
    finally:
        await sender.aclose()


async def test_each_delivery_checks_again_and_connects_to_the_checked_address(
    caller, receiver, xw_app, xw_sessions, quiet_deliveries, monkeypatch
):
    """The URL names a host only our resolver knows: the request reaches the receiver only
    because it connects to the address that passed the check (Host header kept). When the
    name later resolves somewhere else (rebinding), the delivery is refused before any
    connection."""
    host = "receiver.hooks.test"
    named = _named_hook(caller, receiver, xw_app, monkeypatch, host, ["127.0.0.1"])
    async with named as (resolver, hook, deliverer):
        await _queue(xw_sessions, hook, caller.user_id)
        await deliverer.run_once()
        (request,) = await receiver.wait_for(1)
        assert request.headers["host"] == f"{host}:{receiver.port}"
        assert request.path == "/in"

        # Rebinding: the name now points at the metadata service.
        resolver.names[host] = ["169.254.169.254"]
        await _queue(xw_sessions, hook, caller.user_id)
        await deliverer.run_once()
        refused = (await caller.get(f"{HOOKS}/{hook}/deliveries")).json()["deliveries"][0]
        assert refused["attempt"] == 1
        assert refused["response_code"] is None
        assert "cloud metadata" in refused["error"]
        assert refused["status"] == "pending"  # retried on schedule: DNS may recover
        assert len(receiver.requests) == 1
    assert resolver.lookups.count(host) == 3  # subscribe, then once per delivery


async def test_an_address_refusing_the_connection_falls_through_to_the_next_checked_one(
    caller, receiver, xw_app, xw_sessions, quiet_deliveries, monkeypatch
):
    """A name listing an address where nothing listens (the receiver is on 127.0.0.1 only)
    before a working one: the delivery reaches the second, in one attempt."""
    host = "dual.hooks.test"
    named = _named_hook(caller, receiver, xw_app, monkeypatch, host, ["::1", "127.0.0.1"])
    async with named as (_, hook, deliverer):
        await _queue(xw_sessions, hook, caller.user_id)
        await deliverer.run_once()
        (request,) = await receiver.wait_for(1)
        assert request.headers["host"] == f"{host}:{receiver.port}"
        (delivery,) = (await caller.get(f"{HOOKS}/{hook}/deliveries")).json()["deliveries"]
        assert delivery["status"] == "succeeded" and delivery["attempt"] == 1


async def _queue(sessions, subscription_id: str, user_id) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            sa.text(
                "INSERT INTO webhook_delivery (id, subscription_id, user_id, event_id, event_type, "
                "body, next_attempt_at) VALUES (gen_random_uuid(), :sub, :user, gen_random_uuid(), "
                "'audience_sync.completed', '{}', now())"
            ),
            {"sub": subscription_id, "user": user_id},
        )


async def test_redirects_are_not_followed(caller, receiver, xw_app, xw_sessions, quiet_deliveries):
    created = (await caller.post(HOOKS, json={"url": receiver.url, "events": EVENTS})).json()
    receiver.default = 302
    deliverer, sender = make_deliverer(xw_app)
    try:
        await _queue(xw_sessions, created["id"], caller.user_id)
        await deliverer.run_once()
    finally:
        await sender.aclose()
    await receiver.wait_for(1)
    deliveries = (await caller.get(f"{HOOKS}/{created['id']}/deliveries")).json()["deliveries"]
    assert deliveries[0]["response_code"] == 302
    assert "redirects are not followed" in deliveries[0]["error"]
    assert deliveries[0]["status"] == "pending"
    assert len(receiver.requests) == 1


def _tls_files(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A CA and a certificate for ``host`` signed by it (PEM files)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xw test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


async def test_https_to_the_pinned_address_still_verifies_the_certificate_for_the_name(
    tmp_path,
):
    """Connecting to the checked IP keeps TLS honest: SNI and certificate verification use
    the URL's host name, so a certificate for another name is refused."""
    ca, cert, key = _tls_files(tmp_path, "secure.hooks.test")
    server = xw.Receiver(certfile=str(cert), keyfile=str(key))
    await server.start()
    resolver = MapResolver(
        {"secure.hooks.test": ["127.0.0.1"], "impostor.hooks.test": ["127.0.0.1"]}
    )
    context = ssl.create_default_context(cafile=str(ca))
    sender = Sender(
        timeout=3,
        allow_loopback=True,
        resolver=resolver,
        transport=httpx.AsyncHTTPTransport(verify=context),
    )
    try:
        good = await sender.send(
            f"https://secure.hooks.test:{server.port}/in", "msg_1", b"{}", ["whsec_" + "A" * 44]
        )
        bad = await sender.send(
            f"https://impostor.hooks.test:{server.port}/in", "msg_2", b"{}", ["whsec_" + "A" * 44]
        )
    finally:
        await sender.aclose()
        await server.stop()

    assert (good.success, good.response_code) == (True, 200)
    assert server.requests[0].headers["host"] == f"secure.hooks.test:{server.port}"
    assert not bad.success
    assert bad.error == "connection failed (ConnectError)"
    assert len(server.requests) == 1
