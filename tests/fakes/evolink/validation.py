"""Checks of generation requests, built from Evolink's own OpenAPI documents plus prose limits.

The JSON schemas in `tests/fakes/spec/evolink/*.openapi.json` (copied from Evolink's published
docs, see `tests/fakes/spec/README.md`) give required fields, types,
`maxLength`, `maxItems` and enums. Most real limits (sizes, counts, durations) live only in the
field descriptions; those come from `bot/evolink/limits.py`, the one table the bot uses too
(PRODUCT §2, DIGEST §2-3). A field a model does not document is refused, so a bot that sends
`size` to image-to-image or `n` to qwen finds out in its tests, not in production.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.evolink import limits
from bot.models import registry

from .extra_models import EXTRA_DOCUMENTS, cross_field_problem

# Every model of the bot's registry, by the name of its OpenAPI document (or built here).
SCHEMA_FILES: dict[str, str] = {
    name: f"{name}.openapi.json" for name in registry.NAMES if name not in EXTRA_DOCUMENTS
}
CALLBACK_URL_MAX = 2048  # DIGEST §5


class InvalidRequest(Exception):
    """A generation request Evolink answers with HTTP 400 `invalid_request` (DIGEST §8.2)."""


# Inside the repository, so a fresh clone tests itself with nothing beside it.
SPEC_DIR = Path(__file__).resolve().parents[1] / "spec" / "evolink"


def reference_dir() -> Path:
    """Where the copied OpenAPI documents live (a function so tests can point it elsewhere)."""
    return SPEC_DIR


def load_document(name: str) -> dict[str, Any]:
    """One English OpenAPI document. A missing file fails loudly: the fake would be blind."""
    path = reference_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"Evolink reference document missing: {path}")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def resolve_refs(node: Any, document: Mapping[str, Any]) -> Any:
    """Inline every local `$ref` so later checks never need the whole document."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve_refs(target, document)
        return {key: resolve_refs(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_refs(item, document) for item in node]
    return node


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What one model's OpenAPI document says about its request."""

    model: str
    path: str  # the endpoint that serves it, e.g. /v1/images/generations
    schema: dict[str, Any]  # request body schema, $refs resolved
    responses: dict[str, Any]  # status -> resolved response schema (for conformance tests)


def _spec_from(document: dict[str, Any]) -> ModelSpec:
    ((path, operations),) = document["paths"].items()
    operation = operations["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    schema = resolve_refs(body, document)
    responses = {
        status: resolve_refs(answer["content"]["application/json"]["schema"], document)
        for status, answer in operation["responses"].items()
    }
    (model,) = schema["properties"]["model"]["enum"]
    return ModelSpec(model=model, path=path, schema=schema, responses=responses)


@functools.cache
def model_specs() -> dict[str, ModelSpec]:
    """Every model the bot uses, keyed by model name; raises if a document is missing."""
    specs = {}
    documents = {name: load_document(filename) for name, filename in SCHEMA_FILES.items()}
    documents |= {name: build(load_document) for name, build in EXTRA_DOCUMENTS.items()}
    for expected, document in documents.items():
        spec = _spec_from(document)
        if spec.model != expected:
            raise ValueError(f"the document of {expected!r} describes {spec.model!r}")
        specs[spec.model] = spec
    return specs


# --- a small JSON-schema subset: exactly the keywords Evolink's documents use -----------------

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _type_ok(expected: str, value: Any) -> bool:
    # bool is an int in Python but never an integer/number in JSON.
    if isinstance(value, bool) and expected != "boolean":
        return False
    return isinstance(value, _TYPES[expected])


def _uri_ok(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def schema_problems(
    schema: Mapping[str, Any], value: Any, where: str = "body", *, allow_extra: bool = True
) -> list[str]:
    """Each way `value` breaks `schema`, as "field: reason". Empty when it conforms.

    `allow_extra=False` refuses properties the schema does not list (used for requests);
    responses keep the default because Evolink adds fields over time (DIGEST D16).
    """
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: must not be null"]
    expected = schema.get("type")
    if expected and not _type_ok(expected, value):
        return [f"{where}: must be of type {expected}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: must be one of {schema['enum']}")
    problems += _string_problems(schema, value, where)
    problems += _number_problems(schema, value, where)
    problems += _array_problems(schema, value, where, allow_extra)
    problems += _object_problems(schema, value, where, allow_extra)
    return problems


def _string_problems(schema: Mapping[str, Any], value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return []
    problems = []
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{where}: at most {schema['maxLength']} characters")
    if schema.get("format") == "uri" and not _uri_ok(value):
        problems.append(f"{where}: must be an http(s) URL")
    return problems


def _number_problems(schema: Mapping[str, Any], value: Any, where: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    problems = []
    if "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{where}: must be >= {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        problems.append(f"{where}: must be <= {schema['maximum']}")
    return problems


def _array_problems(schema: Mapping[str, Any], value: Any, where: str, extra: bool) -> list[str]:
    if not isinstance(value, list):
        return []
    problems = []
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        problems.append(f"{where}: at most {schema['maxItems']} items")
    if "minItems" in schema and len(value) < schema["minItems"]:
        problems.append(f"{where}: at least {schema['minItems']} items")
    for index, item in enumerate(value):
        problems += schema_problems(
            schema.get("items", {}), item, f"{where}[{index}]", allow_extra=extra
        )
    return problems


def _object_problems(schema: Mapping[str, Any], value: Any, where: str, extra: bool) -> list[str]:
    if not isinstance(value, dict):
        return []
    properties: Mapping[str, Any] = schema.get("properties", {})
    prefix = "" if where == "body" else f"{where}."
    problems = [
        f"{prefix}{name}: required" for name in schema.get("required", ()) if name not in value
    ]
    for name, item in value.items():
        if name in properties:
            problems += schema_problems(
                properties[name], item, f"{prefix}{name}", allow_extra=extra
            )
        elif not extra and properties:
            problems.append(f"{prefix}{name}: not a documented field of this model")
    return problems


# --- limits stated only in prose (PRODUCT §2, DIGEST §2-3, §5) --------------------------------

_SIZE = re.compile(r"(\d+)x(\d+)")  # DIGEST §2.1: pixels, lowercase x, no asterisk


def _prompt(value: str) -> str | None:
    if not value.strip():
        return "prompt: must not be empty"
    return None  # the upper bound is the schema's maxLength (= limits.PROMPT_MAX_CHARS)


def _size(value: str) -> str | None:
    match = _SIZE.fullmatch(value)
    if not match:
        return "size: must look like 1280x1280 (WIDTHxHEIGHT, lowercase x)"
    problem = limits.size_problem(int(match[1]), int(match[2]))
    return f"size: {problem} (768x768..1440x1440 pixels, ratio 1/4..4)" if problem else None


def _n(value: int) -> str | None:
    if not limits.N_MIN <= value <= limits.N_MAX:
        return f"n: must be an integer in [{limits.N_MIN}, {limits.N_MAX}]"
    return None


def _duration(value: int) -> str | None:
    return None if value in limits.VIDEO_DURATIONS else "duration: only 5 or 10 seconds"


def _quality(value: str) -> str | None:
    allowed = ", ".join(limits.VIDEO_QUALITIES)
    return None if value in limits.VIDEO_QUALITIES else f"quality: must be one of {allowed}"


def _callback_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return "callback_url: only https URLs are accepted"
    if len(value) > CALLBACK_URL_MAX:
        return f"callback_url: at most {CALLBACK_URL_MAX} characters"
    if _internal_host(parts.hostname):
        return "callback_url: internal addresses are not allowed"
    return None


def _internal_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name; Evolink would resolve it, the fake does not
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


_PROSE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "prompt": _prompt,
    "size": _size,
    "n": _n,
    "duration": _duration,
    "quality": _quality,
    "callback_url": _callback_url,
}


def _image_count(model: str, urls: list[Any]) -> str | None:
    rule = registry.INPUT_LIMITS[model]
    if not rule.min_images <= len(urls) <= rule.max_images:
        span = f"{rule.min_images}..{rule.max_images}"
        return f"image_urls: {model} takes {span} images, got {len(urls)}"
    return None


def validate_generation(path: str, body: Any) -> ModelSpec:
    """The spec of the requested model, or InvalidRequest naming the first bad field."""
    if not isinstance(body, dict):
        raise InvalidRequest("body: must be a JSON object")
    spec = spec_for(path, body.get("model"))
    problems = schema_problems(spec.schema, body, allow_extra=False)
    if problems:
        raise InvalidRequest(problems[0])
    for field, check in _PROSE_CHECKS.items():
        problem = check(body[field]) if field in body else None
        if problem:
            raise InvalidRequest(problem)
    if spec.model in registry.INPUT_LIMITS:
        problem = _image_count(spec.model, body["image_urls"])
        if problem:
            raise InvalidRequest(problem)
    problem = cross_field_problem(spec.model, body)
    if problem:
        raise InvalidRequest(problem)
    return spec


def spec_for(path: str, model: Any) -> ModelSpec:
    """The spec of `model` if this endpoint serves it (DIGEST §2, §3), else InvalidRequest."""
    if not isinstance(model, str):
        raise InvalidRequest("model: required string")
    spec = model_specs().get(model)
    if spec is None:
        raise InvalidRequest(f"model: unknown model {model!r}")
    if spec.path != path:
        raise InvalidRequest(f"model: {model} is served by {spec.path}, not {path}")
    return spec
