"""A checklist's header read without reading the checklist: the plain top-level values written before a given key,
from the YAML parser's events. files/checklist_folder.py uses it to pass over the files of other versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError, ValidationFailed
from nanxian_cli.files.inputs import read_bytes
from nanxian_cli.files.yaml import _loader_class, decode_text


def peek_top_level(path: Path, keys: tuple[str, ...], until: str) -> dict[str, Any] | None:
    """The plain values of a few top-level keys of a mapping document written before its key `until` (a
    checklist's header before its `items`), read from the parser's events without building the document. None
    when the head cannot be read this way (not UTF-8, bad YAML, not a mapping, a tag, an anchor or a key that is
    not plain text): the caller then reads the file in full, with the full reader's exact errors. A key written
    after `until`, or not at all, is absent from the result."""
    import yaml

    try:
        loader = _loader_class()(decode_text(read_bytes(path), path))
    except (ValidationFailed, InputError):
        return None
    try:
        for kind in (yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.MappingStartEvent):
            if not isinstance(loader.get_event(), kind):
                return None
        found: dict[str, Any] = {}
        while True:
            key = loader.get_event()
            if not isinstance(key, yaml.ScalarEvent) or key.tag is not None or key.anchor is not None or key.style:
                return found if isinstance(key, yaml.MappingEndEvent) else None
            if key.value == until:
                return found
            value = loader.get_event()
            if key.value in keys:
                if (not isinstance(value, yaml.ScalarEvent) or value.tag is not None or value.anchor is not None
                        or key.value in found):
                    return None
                tag = loader.resolve(yaml.ScalarNode, value.value, value.implicit)
                found[key.value] = loader.construct_object(yaml.ScalarNode(tag, value.value, value.start_mark,
                                                                           value.end_mark, style=value.style))
                continue
            depth = 1 if isinstance(value, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) else 0
            while depth:  # the value of another key, passed over
                event = loader.get_event()
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    depth += 1
                elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    depth -= 1
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return None
    finally:
        loader.dispose()
