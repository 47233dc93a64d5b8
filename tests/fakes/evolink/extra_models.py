"""Models without an OpenAPI document among the reference files, described here instead.

wan2.5-text-to-video (facts from `reference/evolink/extra/wan2.5-text-to-video.md`, copied
here so nothing outside the repository is read at test time): the text-only sibling of
image-to-video, with the same endpoint, task object, responses and errors. Its document is
the image-to-video one with the request schema replaced, and its one rule the schema can't
say (4:3 and 3:4 only at 720p and 1080p) is a cross-field check.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

TEXT_TO_VIDEO = "wan2.5-text-to-video"
_RATIOS_NOT_AT_480P = ("4:3", "3:4")

_TEXT_TO_VIDEO_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["model", "prompt"],
    "properties": {
        "model": {"type": "string", "enum": [TEXT_TO_VIDEO]},
        "prompt": {"type": "string", "maxLength": 2000},
        "aspect_ratio": {"type": "string", "enum": ["16:9", "9:16", "1:1", "4:3", "3:4"]},
        "quality": {"type": "string", "enum": ["480p", "720p", "1080p"]},
        "duration": {"type": "integer", "enum": [5, 10]},
        "prompt_extend": {"type": "boolean"},
        "callback_url": {"type": "string", "format": "uri"},
    },
}


def _text_to_video(load: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    document = copy.deepcopy(load("wan2.5-image-to-video.openapi.json"))
    ((_, operations),) = document["paths"].items()
    content = operations["post"]["requestBody"]["content"]["application/json"]
    content["schema"] = copy.deepcopy(_TEXT_TO_VIDEO_REQUEST)
    return document


# model -> builds its OpenAPI document from a loader of the reference documents
EXTRA_DOCUMENTS: dict[str, Callable[[Callable[[str], dict[str, Any]]], dict[str, Any]]] = {
    TEXT_TO_VIDEO: _text_to_video,
}


def cross_field_problem(model: str, body: dict[str, Any]) -> str | None:
    """Rules between fields that a JSON schema does not express."""
    if model != TEXT_TO_VIDEO or body.get("quality", "720p") != "480p":
        return None
    if body.get("aspect_ratio", "16:9") in _RATIOS_NOT_AT_480P:
        return "aspect_ratio: 4:3 and 3:4 need quality 720p or 1080p"
    return None
