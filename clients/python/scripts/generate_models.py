"""Regenerate the SDK's models from the gateway's merged OpenAPI document.

    uv run python clients/python/scripts/generate_models.py            # in-process, no stack
    uv run python clients/python/scripts/generate_models.py --url http://127.0.0.1:8107

Without ``--url`` every service's FastAPI app is built in a process of its own (they
share table names, so one interpreter cannot hold two) and their documents are merged
with the gateway's own merge function, exactly as the running gateway does. The merged
document goes to ``clients/python/openapi.json`` and the models, made by
datamodel-code-generator, to ``clients/python/src/adscale/models.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
SPEC = PACKAGE / "openapi.json"
MODELS = PACKAGE / "src" / "adscale" / "models.py"
SERVICES = {
    "identity": "identity.main",
    "campaigns": "campaigns.main",
    "audience-sync": "audience_sync.main",
    "billing": "billing.main",
}
HEADER = "AdScale API models, generated from the gateway's merged OpenAPI: do not edit."


def _service_document(module: str, env: dict[str, str]) -> dict[str, Any]:
    code = f"import json, {module} as m; print(json.dumps(m.create_app().openapi()))"
    out = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    document: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return document


def merged_in_process() -> dict[str, Any]:
    """The document the gateway would serve, built from the services' apps."""
    sys.path.insert(0, str(ROOT / "deploy"))
    from stack import base_env  # type: ignore[import-not-found]

    from gateway.main import _HEALTH_DOC
    from gateway.openapi import merge_documents

    env = {**base_env(), **dict(__import__("os").environ)}
    documents = {name: _service_document(module, env) for name, module in SERVICES.items()}
    return merge_documents(
        documents,
        title="AdScale API",
        version="1.0.0",
        own_paths={"/api/v1/health": _HEALTH_DOC},
    )


def fetched(base_url: str) -> dict[str, Any]:
    response = httpx.get(base_url.rstrip("/") + "/openapi.json", timeout=30)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def render_models(document: dict[str, Any]) -> str:
    """models.py's text for ``document`` (datamodel-code-generator, pydantic v2)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "openapi.json"
        target = Path(tmp) / "models.py"
        source.write_text(json.dumps(document, indent=1, sort_keys=True))
        subprocess.run(  # noqa: S603 - the generator installed next to us
            [
                sys.executable,
                "-m",
                "datamodel_code_generator",
                "--input",
                str(source),
                "--input-file-type",
                "openapi",
                "--output",
                str(target),
                "--output-model-type",
                "pydantic_v2.BaseModel",
                "--target-python-version",
                "3.11",
                "--use-annotated",
                "--use-standard-collections",
                "--use-union-operator",
                "--field-constraints",
                "--use-schema-description",
                "--disable-timestamp",
                "--set-default-enum-member",
                "--capitalise-enum-members",
                "--type-mappings",
                "string+password=string",
                "string+email=string",
                "--formatters",
                "builtin",
                "--custom-file-header",
                # A constrained number with a default is a RootModel field whose default
                # is the plain number (pydantic validates it); mypy cannot see that.
                f'"""{HEADER}"""\n# ruff: noqa: E501\n# mypy: disable-error-code="assignment"',
            ],
            check=True,
        )
        # The repository's own formatter and fixes, so lint passes on the committed file.
        config = str(ROOT / "pyproject.toml")
        ruff = [sys.executable, "-m", "ruff"]
        for step in (["check", "--fix", "-q"], ["format", "-q"]):
            subprocess.run([*ruff, *step, "--config", config, str(target)], check=False)  # noqa: S603
        return target.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="take /openapi.json from a running gateway instead")
    args = parser.parse_args()
    document = fetched(args.url) if args.url else merged_in_process()
    SPEC.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    MODELS.write_text(render_models(document))
    print(f"wrote {SPEC.relative_to(ROOT)} and {MODELS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
