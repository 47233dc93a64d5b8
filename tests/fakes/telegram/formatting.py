"""Text formatting as Telegram does it: HTML parse_mode, entities, UTF-16 offsets.

Only parse_mode HTML is implemented (the bot uses it); the parser mirrors the strictness of
tdlib's ``parse_html``: unknown tags, unclosed or mismatched tags are errors, unknown
``&entities;`` are kept literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# tag -> entity type. span and blockquote are refined by their attributes below.
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]+")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


class EntityParseError(ValueError):
    """The text can't be parsed; str() is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Rendered:
    """Text after entity parsing: what the user sees, plus MessageEntity dicts."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset in the output
    attrs: dict[str, str]


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len16 += utf16_len(text)

    def parse(self) -> Rendered:
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch == "<":
                self.tag()
            elif ch == "&":
                self.entity()
            else:
                nxt = self._next_special()
                self.emit(self.src[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return Rendered("".join(self.out), self.entities)

    def _next_special(self) -> int:
        candidates = [
            i for i in (self.src.find("<", self.pos), self.src.find("&", self.pos)) if i >= 0
        ]
        return min(candidates) if candidates else len(self.src)

    def entity(self) -> None:
        match = _ENTITY_RE.match(self.src, self.pos)
        decoded = _decode_entity(match.group(1)) if match else None
        if match is None or decoded is None:
            # tdlib keeps an '&' that does not start a known entity as a literal.
            self.emit("&")
            self.pos += 1
            return
        self.emit(decoded)
        self.pos = match.end()

    def tag(self) -> None:
        start = self.pos
        if self.src.startswith("</", start):
            self.end_tag(start)
        else:
            self.start_tag(start)

    def start_tag(self, start: int) -> None:
        match = _TAG_NAME_RE.match(self.src, start + 1)
        name = match.group(0).lower() if match else ""
        if not name:
            raise EntityParseError(f"Empty tag name at byte offset {self.byte_offset(start)}")
        if name not in _TAG_ENTITY:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(start)}'
            )
        assert match is not None
        attrs, end = self.attributes(match.end(), start)
        self._check_attrs(name, attrs, start)
        self.stack.append(_Open(name, self.out_len16, attrs))
        self.pos = end

    def attributes(self, pos: int, start: int) -> tuple[dict[str, str], int]:
        attrs: dict[str, str] = {}
        while True:
            while pos < len(self.src) and self.src[pos].isspace():
                pos += 1
            if pos >= len(self.src):
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(start)}"
                )
            if self.src[pos] == ">":
                return attrs, pos + 1
            match = _ATTR_RE.match(self.src, pos)
            if match is None or match.end() == pos:
                raise EntityParseError(
                    f"Expected equal sign in declaration of an attribute of the tag at byte "
                    f"offset {self.byte_offset(start)}"
                )
            value = match.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            attrs[match.group(1).lower()] = _unescape(value)
            pos = match.end()

    def _check_attrs(self, name: str, attrs: dict[str, str], start: int) -> None:
        where = f"at byte offset {self.byte_offset(start)}"
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')

    def end_tag(self, start: int) -> None:
        close = self.src.find(">", start)
        if close < 0:
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte_offset(start)}")
        name = self.src[start + 2 : close].strip().lower()
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte_offset(start)}")
        top = self.stack[-1]
        if name != top.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(start)}, expected "
                f'"</{top.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = close + 1
        self.close_entity(top)

    def close_entity(self, opened: _Open) -> None:
        length = self.out_len16 - opened.offset
        entity: dict[str, Any] = {"type": _TAG_ENTITY[opened.tag], "offset": opened.offset}
        entity["length"] = length
        if opened.tag == "a":
            if not opened.attrs.get("href"):
                return  # tdlib drops links without a URL and keeps the text
            entity["url"] = opened.attrs["href"]
        elif opened.tag == "blockquote" and "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
        elif opened.tag == "tg-emoji":
            entity["custom_emoji_id"] = opened.attrs["emoji-id"]
        elif opened.tag == "pre" and "language" in opened.attrs:
            entity["language"] = opened.attrs["language"]
        elif opened.tag == "code" and self._merge_into_pre(opened):
            return
        if length > 0:
            self.entities.append(entity)

    def _merge_into_pre(self, opened: _Open) -> bool:
        # <pre><code class="language-x"> becomes a single pre entity with a language.
        parent = self.stack[-1] if self.stack else None
        language = opened.attrs.get("class", "")
        if parent is None or parent.tag != "pre" or not language.startswith("language-"):
            return False
        parent.attrs["language"] = language[len("language-") :]
        return True


def _decode_entity(body: str) -> str | None:
    if body.startswith("#"):
        try:
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return None
    return _NAMED_ENTITIES.get(body)


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        decoded = _decode_entity(match.group(1))
        return decoded if decoded is not None else match.group(0)

    return _ENTITY_RE.sub(repl, text)


def parse_html(source: str) -> Rendered:
    """Parse HTML-formatted text into plain text + entities (raises EntityParseError)."""
    return _HtmlParser(source).parse()


def strip_rendered(rendered: Rendered) -> Rendered:
    """Trim surrounding whitespace like Telegram does, shifting entities accordingly."""
    text = rendered.text
    stripped = text.strip()
    if stripped == text:
        return rendered
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    entities = []
    for entity in rendered.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return Rendered(stripped, entities)


def render(text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None) -> Rendered:
    """What Telegram would store for ``text`` sent with ``parse_mode`` / explicit entities."""
    if parse_mode:
        if parse_mode.lower() != "html":
            raise EntityParseError(f'parse_mode "{parse_mode}" is not supported by the fake')
        rendered = parse_html(text)
    else:
        rendered = Rendered(text, [dict(e) for e in entities or ()])
    return strip_rendered(rendered)


def command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading /cmd or /cmd@name, as Telegram clients produce."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
