"""Read, set and remove our entry in a client's config text, per file format.

Each format keeps what it can of the user's file: JSON and JSON-with-comments
are edited by splicing (see `_jsonc`), TOML through tomlkit's round-trip
document, YAML through ruamel.yaml's round-trip mode. Parser errors are
translated here, once, into `ClientConfigError` naming the file, line and column.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mcp_server._errors import ClientConfigError
from mcp_server.install import _jsonc
from mcp_server.install._clients import SERVER_NAME, Client

__all__ = ["read_entry", "remove_entry", "write_entry"]

_YAML_KEY_LINE = re.compile(r"^( *)(- +)?[^#\s-][^:#]*:\s*(#.*)?$")


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    import tomlkit.exceptions
    from ruamel.yaml.error import YAMLError

    try:
        yield
    except _jsonc.JsonSyntaxError as exc:
        raise ClientConfigError(f"{path}: not valid JSON: {exc}; the file was left untouched", path=path) from exc
    except _jsonc.JsonShapeError as exc:
        raise ClientConfigError(f"{path}: {exc}; the file was left untouched", path=path) from exc
    except tomlkit.exceptions.ParseError as exc:
        raise ClientConfigError(f"{path}: not valid TOML: {exc}; the file was left untouched", path=path) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        message = f"{path}: not valid YAML: {problem}{where}; the file was left untouched"
        raise ClientConfigError(message, path=path) from exc


def _shape_error(path: Path, client: Client, what: str) -> ClientConfigError:
    dotted = ".".join(client.container)
    return ClientConfigError(f"{path}: {dotted} {what}; the file was left untouched", path=path)


# --- TOML ---------------------------------------------------------------------


def _toml_container(path: Path, client: Client, doc: Any, create: bool) -> Any:
    import tomlkit

    node = doc
    for key in client.container:
        if key not in node:
            if not create:
                return None
            node[key] = tomlkit.table(is_super_table=True)
        node = node[key]
        if not isinstance(node, Mapping):
            raise _shape_error(path, client, "is not a table")
    return node


def _toml_entry(entry: Mapping[str, Any]) -> Any:
    import tomlkit

    table = tomlkit.table()
    for key, value in entry.items():
        if isinstance(value, Mapping):
            inline = tomlkit.inline_table()
            inline.update(value)
            table.add(key, inline)
        else:
            table.add(key, value)
    return table


# --- YAML ---------------------------------------------------------------------


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a user's long lines
    mapping, offset = 2, 2
    found_mapping = found_offset = False
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for line, nxt in itertools.pairwise(lines):
        match = _YAML_KEY_LINE.match(line)
        if not match:
            continue
        key_col = len(match.group(1)) + len(match.group(2) or "")
        nxt_indent = len(nxt) - len(nxt.lstrip(" "))
        if nxt.lstrip().startswith("- ") and not found_offset and nxt_indent >= key_col:
            offset, found_offset = nxt_indent - key_col, True
        elif nxt_indent > key_col and not found_mapping:
            mapping, found_mapping = nxt_indent - key_col, True
    yaml.indent(mapping=mapping, sequence=max(offset + 2, mapping), offset=offset)
    return yaml


def _yaml_load(path: Path, text: str) -> tuple[Any, Any]:
    yaml = _yaml(text)
    data = yaml.load(text) if text.strip() else None
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    if not isinstance(data, Mapping):
        raise ClientConfigError(f"{path}: the top level is not a mapping; the file was left untouched", path=path)
    return yaml, data


def _yaml_dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    """A parsed value as plain dicts and lists, for comparison."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _yaml_find(path: Path, client: Client, data: Any, create: bool) -> Any:
    node = data
    for i, key in enumerate(client.container):
        last = i == len(client.container) - 1
        if key not in node or node[key] is None:
            if not create:
                return None
            node[key] = [] if last and client.list_container else {}
        node = node[key]
    if client.list_container and not isinstance(node, list):
        raise _shape_error(path, client, "is not a list")
    if not client.list_container and not isinstance(node, Mapping):
        raise _shape_error(path, client, "is not a mapping")
    return node


def _list_index(items: list[Any]) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, Mapping) and item.get("name") == SERVER_NAME:
            return i
    return None


# --- the three operations -----------------------------------------------------


def read_entry(client: Client, path: Path, text: str) -> dict[str, Any] | None:
    """Our entry in `text` as plain data, or None when there is none.

    Raises:
        ClientConfigError: the text does not parse, or the servers key holds the wrong kind of value.
    """
    with _translated(path):
        if client.format in ("json", "jsonc"):
            value = _jsonc.get_member(text, (*client.container, SERVER_NAME), comments=client.format == "jsonc")
        elif client.format == "toml":
            import tomlkit

            servers = _toml_container(path, client, tomlkit.parse(text), create=False)
            value = None if servers is None else servers.get(SERVER_NAME)
        else:
            _, data = _yaml_load(path, text)
            node = _yaml_find(path, client, data, create=False)
            if node is None:
                value = None
            elif client.list_container:
                index = _list_index(node)
                value = None if index is None else node[index]
            else:
                value = node.get(SERVER_NAME)
    value = _plain(value)
    return value if isinstance(value, dict) else None


def write_entry(client: Client, path: Path, text: str, entry: Mapping[str, Any], *, scope: str) -> str:
    """`text` with our entry set to `entry`; everything else kept.

    Raises:
        ClientConfigError: the text does not parse, or the servers key holds the wrong kind of value.
    """
    entry = dict(entry)
    with _translated(path):
        if client.format in ("json", "jsonc"):
            return _jsonc.set_member(text, (*client.container, SERVER_NAME), entry, comments=client.format == "jsonc")
        if client.format == "toml":
            import tomlkit

            doc = tomlkit.parse(text)
            servers = _toml_container(path, client, doc, create=True)
            servers[SERVER_NAME] = _toml_entry(entry)
            return tomlkit.dumps(doc)
        yaml, data = _yaml_load(path, text)
        if not data and client.skeleton is not None:
            data.update(client.skeleton(scope))  # type: ignore[arg-type]
        node = _yaml_find(path, client, data, create=True)
        if client.list_container:
            index = _list_index(node)
            if index is None:
                node.append(entry)
            else:
                node[index] = entry
        else:
            node[SERVER_NAME] = entry
        return _yaml_dump(yaml, data)


def remove_entry(client: Client, path: Path, text: str) -> str:
    """`text` without our entry (unchanged when there is none); everything else kept.

    Raises:
        ClientConfigError: the text does not parse, or the servers key holds the wrong kind of value.
    """
    with _translated(path):
        if client.format in ("json", "jsonc"):
            return _jsonc.remove_member(text, (*client.container, SERVER_NAME), comments=client.format == "jsonc")
        if client.format == "toml":
            import tomlkit

            doc = tomlkit.parse(text)
            servers = _toml_container(path, client, doc, create=False)
            if servers is None or SERVER_NAME not in servers:
                return text
            del servers[SERVER_NAME]
            out = tomlkit.dumps(doc)
            # The blank line that set our table apart stays behind as the previous table's trailing whitespace.
            if text.endswith("\n") and not text.endswith("\n\n"):
                out = out.rstrip("\n") + "\n"
            return out
        yaml, data = _yaml_load(path, text)
        node = _yaml_find(path, client, data, create=False)
        if node is None:
            return text
        if client.list_container:
            index = _list_index(node)
            if index is None:
                return text
            del node[index]
        elif SERVER_NAME in node:
            del node[SERVER_NAME]
        else:
            return text
        return _yaml_dump(yaml, data)
