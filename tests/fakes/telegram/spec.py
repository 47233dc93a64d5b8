"""Bot API 10.0 specification (api-10.0.json) and a validator for incoming calls.

The spec file is a copy kept in the repository (``tests/fakes/spec/telegram``, origin and
licence in ``tests/fakes/spec/README.md``). It only encodes which parameters exist, which are
required and their types; the prose limits (text lengths, album sizes, ...) live in ``rules.py``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC_FILE_NAME = "api-10.0.json"
PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
ARRAY_PREFIX = "Array of "
ATTACH_PREFIX = "attach://"
_INTEGER_RE = re.compile(r"-?\d+")
# Union members are tagged by their first field: 'must be photo' / 'always "user"'.
_TAG_RE = re.compile(r'(?:must be|always)\s+"?([A-Za-z_]+)"?\s*$')


def default_spec_path() -> Path:
    """Where api-10.0.json lives: inside the repository, so a fresh clone needs nothing else."""
    return Path(__file__).resolve().parents[1] / "spec" / "telegram" / SPEC_FILE_NAME


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: Mapping[str, Field]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: Mapping[str, Field]
    subtypes: tuple[str, ...] = ()
    # For union members: the tag field ('type', 'status', 'source') and its fixed value.
    tag: tuple[str, str] | None = None


def _fields(raw: Sequence[Mapping[str, Any]] | None) -> dict[str, Field]:
    return {
        f["name"]: Field(f["name"], tuple(f["types"]), bool(f["required"]), f["description"])
        for f in raw or ()
    }


def _tag_of(fields: Mapping[str, Field]) -> tuple[str, str] | None:
    first = next(iter(fields.values()), None)
    if first is None or first.name not in ("type", "status", "source"):
        return None
    match = _TAG_RE.search(first.description)
    return (first.name, match.group(1)) if match else None


class Spec:
    """The parsed spec: ``methods`` and ``types`` keyed by their exact names."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = raw.get("version", "?")
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(name, _fields(m.get("fields")), tuple(m.get("returns", ())))
            for name, m in raw["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {}
        for name, t in raw["types"].items():
            fields = _fields(t.get("fields"))
            self.types[name] = TypeSpec(
                name, fields, tuple(t.get("subtypes", ())), _tag_of(fields)
            )
        # The real server matches method names case-insensitively.
        self._by_lower = {name.lower(): name for name in self.methods}

    def method(self, name: str) -> MethodSpec | None:
        canonical = self._by_lower.get(name.lower())
        return self.methods[canonical] if canonical else None

    def minimal_object(self, type_name: str, **values: Any) -> dict[str, Any]:
        """An object of ``type_name`` with every required field filled with a neutral value.

        Used to build answers such as ChatMemberAdministrator or ChatFullInfo, whose many
        required booleans are irrelevant to the fake.
        """
        out: dict[str, Any] = {}
        for f in self.types[type_name].fields.values():
            if f.name in values:
                out[f.name] = values[f.name]
            elif f.required:
                out[f.name] = self._neutral(f.types[0])
        return out

    def _neutral(self, type_str: str) -> Any:
        if type_str.startswith(ARRAY_PREFIX):
            return []
        neutral = {"Integer": 0, "Float": 0.0, "Boolean": False, "String": ""}
        if type_str in neutral:
            return neutral[type_str]
        return self.minimal_object(type_str)


@functools.cache
def load_spec(path: Path | None = None) -> Spec:
    """Load (once per path) and parse the spec file."""
    spec_path = path or default_spec_path()
    with spec_path.open(encoding="utf-8") as fh:
        return Spec(json.load(fh))


class SpecError(ValueError):
    """A call does not match the spec; the message says where and why."""


@dataclass(frozen=True)
class Upload:
    """One multipart file part."""

    name: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class _Ctx:
    files: Mapping[str, Upload]
    referenced: set[str] = field(default_factory=set)


class Validator:
    """Checks one call's parameters against the spec and decodes them.

    Form values arrive as strings (PTB sends strings raw and everything else JSON-encoded),
    JSON bodies arrive typed; both are normalised to Python values per the matched type.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def validate_call(
        self, method: MethodSpec, fields: Mapping[str, Any], files: Mapping[str, Upload]
    ) -> dict[str, Any]:
        ctx = _Ctx(files)
        for name in fields:
            if name not in method.fields:
                raise SpecError(f'unknown parameter "{name}"')
        decoded: dict[str, Any] = {}
        for name, spec_field in method.fields.items():
            if name in fields and name in files:
                raise SpecError(f'parameter "{name}" sent both as a field and as a file')
            if name in files:
                decoded[name] = self._file_param(spec_field, files[name], ctx)
            elif name in fields:
                decoded[name] = self.check_value(fields[name], spec_field, name, ctx, top=True)
            elif spec_field.required:
                raise SpecError(f'parameter "{name}" is required')
        stray = set(files) - set(decoded) - ctx.referenced
        if stray:
            raise SpecError(f"unknown parameter(s) {sorted(stray)} (file parts not referenced)")
        return decoded

    def check_object(self, value: Any, type_name: str, path: str = "") -> Any:
        """Validate an already-decoded JSON value against a named type (used for self-checks)."""
        return self._check_one(value, type_name, path or type_name, _Ctx({}), top=False)

    def check_result(self, method: MethodSpec, value: Any) -> None:
        """Check an answer against the method's return types (self-check of the fake)."""
        result_field = Field("result", method.returns, True, "")
        self.check_value(value, result_field, f"{method.name} result", _Ctx({}), top=False)

    @staticmethod
    def _file_param(spec_field: Field, upload: Upload, ctx: _Ctx) -> Upload:
        if "InputFile" not in spec_field.types:
            raise SpecError(f'parameter "{spec_field.name}" can not be a file upload')
        ctx.referenced.add(upload.name)
        return upload

    def check_value(self, value: Any, spec_field: Field, path: str, ctx: _Ctx, top: bool) -> Any:
        types = spec_field.types
        # Albums: the spec lists 'Array of InputMediaPhoto', 'Array of InputMediaVideo', ...
        # but Telegram accepts mixed photo/video arrays, i.e. an array of the union.
        if len(types) > 1 and all(t.startswith(ARRAY_PREFIX) for t in types):
            items = self._as_list(value, path, top)
            element_field = Field(
                spec_field.name, tuple(t[len(ARRAY_PREFIX) :] for t in types), True, ""
            )
            return [
                self.check_value(item, element_field, f"{path}[{i}]", ctx, top=False)
                for i, item in enumerate(items)
            ]
        errors: list[str] = []
        for type_str in self._narrow(value, types, path):
            try:
                return self._check_one(value, type_str, path, ctx, top, spec_field)
            except SpecError as exc:
                errors.append(str(exc))
        if len(errors) == 1:
            raise SpecError(errors[0])
        # The error that got deepest into the value is most likely the one that matters.
        closest = max(errors, key=lambda e: len(e.split(": ", 1)[0]))
        raise SpecError(f"{path}: matches none of {list(types)}; closest: {closest}")

    def _narrow(self, value: Any, types: tuple[str, ...], path: str) -> tuple[str, ...]:
        """Alternatives whose tag ("type": "photo", ...) matches the value, if any do."""
        if not isinstance(value, dict):
            return types
        tags = [self.spec.types[t].tag if t in self.spec.types else None for t in types]
        matching = tuple(
            t for t, tag in zip(types, tags, strict=True) if tag and value.get(tag[0]) == tag[1]
        )
        if matching or None in tags:
            return matching or types
        # Every alternative is tagged and none matches: say which tags exist.
        tag_field = str(tags[0][0]) if tags[0] else "type"
        allowed = sorted({tag[1] for tag in tags if tag})
        raise SpecError(f"{path}: {tag_field} {value.get(tag_field)!r} is not one of {allowed}")

    def _check_one(
        self,
        value: Any,
        type_str: str,
        path: str,
        ctx: _Ctx,
        top: bool,
        spec_field: Field | None = None,
    ) -> Any:
        if type_str.startswith(ARRAY_PREFIX):
            inner = Field(
                spec_field.name if spec_field else path, (type_str[len(ARRAY_PREFIX) :],), True, ""
            )
            items = self._as_list(value, path, top)
            return [
                self.check_value(item, inner, f"{path}[{i}]", ctx, top=False)
                for i, item in enumerate(items)
            ]
        if type_str in PRIMITIVES:
            return self._primitive(value, type_str, path, ctx, top, spec_field)
        if top and isinstance(value, str):
            value = self._json(value, path)
        return self._named(value, type_str, path, ctx)

    def _as_list(self, value: Any, path: str, top: bool) -> list[Any]:
        if top and isinstance(value, str):
            value = self._json(value, path)
        if not isinstance(value, list):
            raise SpecError(f"{path}: expected a JSON array, got {type(value).__name__}")
        return value

    @staticmethod
    def _json(value: str, path: str) -> Any:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise SpecError(f"{path}: not valid JSON ({exc})") from None

    def _primitive(
        self,
        value: Any,
        type_str: str,
        path: str,
        ctx: _Ctx,
        top: bool,
        spec_field: Field | None,
    ) -> Any:
        raw_str = top and isinstance(value, str)
        if type_str == "Integer":
            if raw_str and _INTEGER_RE.fullmatch(value.strip()):
                return int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise SpecError(f"{path}: expected Integer, got {value!r:.60}")
        if type_str == "Float":
            return self._float(value, path, raw_str)
        if type_str == "Boolean":
            if raw_str and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if isinstance(value, bool):
                return value
            raise SpecError(f"{path}: expected Boolean true/false, got {value!r:.60}")
        if type_str == "InputFile":
            return self._input_file_ref(value, path, ctx)
        if not isinstance(value, str):
            raise SpecError(f"{path}: expected String, got {type(value).__name__}")
        if value.startswith(ATTACH_PREFIX) and self._may_hold_file(spec_field):
            self._attach(value, path, ctx)
        return value

    @staticmethod
    def _float(value: Any, path: str, raw_str: bool) -> float:
        number: float | None = None
        if raw_str:
            try:
                number = float(value)
            except ValueError:
                number = None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        if number is None or not math.isfinite(number):
            raise SpecError(f"{path}: expected Float, got {value!r:.60}")
        return number

    def _input_file_ref(self, value: Any, path: str, ctx: _Ctx) -> str:
        # An InputFile given as a value (not a file part) is only an attach:// reference.
        if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            self._attach(value, path, ctx)
            return value
        raise SpecError(f"{path}: expected InputFile (a file part or attach://<name>)")

    @staticmethod
    def _may_hold_file(spec_field: Field | None) -> bool:
        # InputMedia*.media/thumbnail/cover are typed String but may carry attach:// refs.
        if spec_field is None:
            return False
        return "InputFile" in spec_field.types or spec_field.name in (
            "media",
            "thumbnail",
            "cover",
        )

    @staticmethod
    def _attach(value: str, path: str, ctx: _Ctx) -> None:
        name = value[len(ATTACH_PREFIX) :]
        if name not in ctx.files:
            raise SpecError(f"{path}: {value} refers to no uploaded file part")
        ctx.referenced.add(name)

    def _named(self, value: Any, type_name: str, path: str, ctx: _Ctx) -> Any:
        type_spec = self.spec.types.get(type_name)
        if type_spec is None:
            raise SpecError(f"{path}: unknown type {type_name} in spec")
        if not isinstance(value, dict):
            raise SpecError(f"{path}: expected a {type_name} JSON object")
        if type_spec.subtypes:
            return self._union(value, type_spec, path, ctx)
        return self._object(value, type_spec, path, ctx)

    def _union(self, value: dict[str, Any], union: TypeSpec, path: str, ctx: _Ctx) -> Any:
        members = [self.spec.types[name] for name in union.subtypes]
        tagged = {m.tag[1]: m for m in members if m.tag}
        tag_field = next((m.tag[0] for m in members if m.tag), None)
        if tag_field and len(tagged) == len(members):
            member = tagged.get(str(value.get(tag_field)))
            if member is None:
                raise SpecError(
                    f"{path}: {union.name}.{tag_field} must be one of {sorted(tagged)}, "
                    f"got {value.get(tag_field)!r}"
                )
            return self._object(value, member, path, ctx)
        # Untagged unions (InputMessageContent, ...): the first member that fits wins.
        errors = []
        for member in members:
            try:
                return self._object(value, member, path, ctx)
            except SpecError as exc:
                errors.append(str(exc))
        raise SpecError(f"{path}: matches no member of {union.name}: " + " | ".join(errors))

    def _object(self, value: dict[str, Any], type_spec: TypeSpec, path: str, ctx: _Ctx) -> Any:
        tag = type_spec.tag
        if tag and value.get(tag[0]) != tag[1]:
            raise SpecError(f"{path}: {type_spec.name}.{tag[0]} must be {tag[1]!r}")
        for key in value:
            if key not in type_spec.fields:
                raise SpecError(f'{path}: unknown field "{key}" for {type_spec.name}')
        out: dict[str, Any] = {}
        for name, spec_field in type_spec.fields.items():
            if name in value:
                out[name] = self.check_value(value[name], spec_field, f"{path}.{name}", ctx, False)
            elif spec_field.required:
                raise SpecError(f'{path}: {type_spec.name} requires field "{name}"')
        return out
