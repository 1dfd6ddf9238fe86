"""Ad copy generation behind a provider interface.

* :class:`BuiltinCopyProvider` needs no network: deterministic (same input, same
  copy), built from the product name/description, audience and tone, always
  within the platform's headline/description limits.
* :class:`ChatCompletionsCopyProvider` calls any OpenAI-compatible
  ``/chat/completions`` endpoint (``CAMPAIGNS_COPY_LLM_URL``, ``_API_KEY``,
  ``_MODEL``) with a timeout; its answer is checked and fitted to the limits.

:class:`CopyGenerator` tries the configured providers in order and falls back
to the built-in one on any failure; the response names the provider used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from campaigns.creative.limits import TextLimits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CopyRequest:
    product_name: str
    product_description: str
    target_audience: str | None
    tone: str | None


@dataclass(frozen=True)
class GeneratedCopy:
    headline: str
    description: str
    call_to_action: str
    provider: str


class CopyProvider(Protocol):
    name: str

    async def generate(self, request: CopyRequest, limits: TextLimits) -> GeneratedCopy: ...


class CopyProviderError(Exception):
    """The provider gave no usable copy (the generator falls back)."""


# --------------------------------------------------------------------------- text helpers


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fit(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (no dangling punctuation)."""
    text = _squash(text)
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else text[:limit]
    return cut.rstrip(" ,;:-\u2013\u2014")[:limit]


def _sentence(text: str) -> str:
    text = _squash(text).rstrip(".!?")
    return f"{text}." if text else ""


# --------------------------------------------------------------------------- built-in


_TONES: dict[str, dict[str, tuple[str, ...]]] = {
    "professional": {
        "headlines": (
            "{name}: Built for Results",
            "Discover {name}",
            "{name} for {audience}",
            "Work Smarter with {name}",
            "{name}",
        ),
        "closers": ("Get started today.", "See the difference.", "Trusted by professionals."),
    },
    "casual": {
        "headlines": ("Meet {name}", "Say Hello to {name}", "{name}, Made Easy", "{name}"),
        "closers": ("Give it a try!", "You'll love it.", "Why not today?"),
    },
    "energetic": {
        "headlines": ("{name} Is Here!", "Level Up with {name}!", "Go Big with {name}!", "{name}!"),
        "closers": ("Don't miss out!", "Grab yours now!", "Let's go!"),
    },
    "friendly": {
        "headlines": ("Say Hi to {name}", "{name}, Just for You", "Meet {name}", "{name}"),
        "closers": ("We think you'll love it.", "Come take a look.", "Happy to have you."),
    },
    "luxury": {
        "headlines": ("{name}: Pure Elegance", "The Art of {name}", "Indulge in {name}", "{name}"),
        "closers": ("Crafted without compromise.", "Experience the exceptional."),
    },
    "urgent": {
        "headlines": ("{name}: Act Fast", "Last Chance: {name}", "{name} Won't Wait", "{name}"),
        "closers": ("Offer ends soon.", "Act now.", "Limited time only."),
    },
}
_TONE_ALIASES = {
    "formal": "professional",
    "business": "professional",
    "fun": "casual",
    "playful": "casual",
    "relaxed": "casual",
    "exciting": "energetic",
    "bold": "energetic",
    "warm": "friendly",
    "premium": "luxury",
    "elegant": "luxury",
    "urgency": "urgent",
}
_CTA_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("app", "download", "install"), "Download"),
    (("book", "appointment", "reservation", "reserve"), "Book Now"),
    (("course", "learn", "guide", "webinar"), "Learn More"),
    (("subscribe", "newsletter", "membership", "subscription"), "Subscribe"),
    (("trial", "sign up", "signup", "account", "register"), "Sign Up"),
    (("sale", "discount", "% off", "deal", "offer"), "Get Offer"),
)
_CTA_BY_TONE = {
    "professional": "Learn More",
    "casual": "Shop Now",
    "energetic": "Shop Now",
    "friendly": "Learn More",
    "luxury": "Shop Now",
    "urgent": "Get Offer",
}


def _tone(tone: str | None) -> str:
    key = (tone or "professional").strip().lower()
    key = _TONE_ALIASES.get(key, key)
    return key if key in _TONES else "professional"


class BuiltinCopyProvider:
    """Offline, deterministic templates; the same request always gives the same copy."""

    name = "builtin"

    async def generate(self, request: CopyRequest, limits: TextLimits) -> GeneratedCopy:
        return self.compose(request, limits)

    def compose(self, request: CopyRequest, limits: TextLimits) -> GeneratedCopy:
        name = _squash(request.product_name)
        description = _squash(request.product_description)
        audience = _squash(request.target_audience or "")
        tone = _tone(request.tone)
        seed = int.from_bytes(
            hashlib.sha256(
                "\x1f".join((name, description, audience, tone)).lower().encode()
            ).digest()[:8],
            "big",
        )
        templates = _TONES[tone]["headlines"]
        headline = ""
        for i in range(len(templates)):
            template = templates[(seed + i) % len(templates)]
            if "{audience}" in template and not audience:
                continue
            candidate = _squash(template.format(name=name, audience=audience))
            if len(candidate) <= limits.headline:
                headline = candidate
                break
        if not headline:
            headline = fit(name, limits.headline)

        closers = _TONES[tone]["closers"]
        closer = closers[seed % len(closers)]
        first = _sentence(re.split(r"(?<=[.!?])\s", description, maxsplit=1)[0])
        audience_part = f"Made for {audience}." if audience else ""
        description_text = ""
        for parts in (
            (first, audience_part, closer),
            (first, audience_part),
            (first, closer),
            (first,),
        ):
            candidate = _squash(" ".join(p for p in parts if p))
            if candidate and len(candidate) <= limits.description:
                description_text = candidate
                break
        if not description_text:
            description_text = fit(first or name, limits.description)

        lowered = f"{name} {description}".lower()
        cta = _CTA_BY_TONE[tone]
        for words, label in _CTA_KEYWORDS:
            if any(re.search(rf"\b{re.escape(w)}", lowered) for w in words):
                cta = label
                break
        return GeneratedCopy(
            headline=headline,
            description=description_text,
            call_to_action=fit(cta, limits.call_to_action),
            provider=self.name,
        )


# --------------------------------------------------------------------------- chat completions


_SYSTEM_PROMPT = (
    "You write advertising copy. Answer with one JSON object and nothing else, with the keys "
    '"headline", "description" and "call_to_action". The headline must have at most '
    "{headline} characters, the description at most {description} characters, the call to "
    "action at most {cta} characters (for example Shop Now, Learn More, Sign Up)."
)


class ChatCompletionsCopyProvider:
    """Any OpenAI-compatible chat-completions endpoint."""

    name = "chat_completions"

    def __init__(
        self,
        *,
        url: str,
        model: str,
        api_key: str = "",
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        base = url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else f"{base}/chat/completions"
        self.model = model
        self._api_key = api_key
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def generate(self, request: CopyRequest, limits: TextLimits) -> GeneratedCopy:
        user = {
            "product_name": request.product_name,
            "product_description": request.product_description,
            "target_audience": request.target_audience,
            "tone": request.tone or "professional",
        }
        body = {
            "model": self.model,
            "temperature": 0.7,
            "messages": [
                {
                    "role": "system",
                    "content": _SYSTEM_PROMPT.format(
                        headline=limits.headline,
                        description=limits.description,
                        cta=limits.call_to_action,
                    ),
                },
                {"role": "user", "content": json.dumps(user, ensure_ascii=False)},
            ],
        }
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            response = await self._http.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise CopyProviderError(f"request failed: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise CopyProviderError(f"HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
            data = _json_object(str(content))
            headline = _squash(str(data["headline"]))
            description = _squash(str(data["description"]))
            cta = _squash(str(data.get("call_to_action") or "Learn More"))
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise CopyProviderError("unusable answer") from exc
        if not headline or not description:
            raise CopyProviderError("empty headline or description")
        return GeneratedCopy(
            headline=fit(headline, limits.headline),
            description=fit(description, limits.description),
            call_to_action=fit(cta, limits.call_to_action),
            provider=self.name,
        )


def _json_object(text: str) -> dict[str, Any]:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the answer")
    value = json.loads(text[start : end + 1])
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


# --------------------------------------------------------------------------- generator


class CopyGenerator:
    def __init__(self, providers: list[CopyProvider] | None = None) -> None:
        self.builtin = BuiltinCopyProvider()
        self.providers: list[CopyProvider] = list(providers or [])

    async def generate(self, request: CopyRequest, limits: TextLimits) -> GeneratedCopy:
        for provider in self.providers:
            try:
                return await provider.generate(request, limits)
            except Exception as exc:
                logger.warning(
                    "copy provider failed; falling back",
                    extra={"provider": provider.name, "error": str(exc)[:200]},
                )
        return await self.builtin.generate(request, limits)

    async def aclose(self) -> None:
        for provider in self.providers:
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()
