"""rustcore exports what the store and callers need, and nothing of the compressors' own machinery."""

from __future__ import annotations

import inspect

import rustcore

PUBLIC = {
    "DEFAULT_ENCODING",
    "ENCODINGS",
    "HASH_HEX_LEN",
    "RANK_EXACT_CANDIDATES",
    "content_hash",
    "count_tokens",
    "diff_line_kinds",
    "encode",
    "estimate_tokens",
    "index_terms",
    "is_hash",
    "json_chunk_breaks",
    "json_members",
    "line_starts",
    "listing_extremes",
    "query_parts",
    "rank_chunks",
    "template_keys",
    "template_lines",
    "trim_heap",
}


def test_the_public_surface_is_exactly_tokens_handles_lines_templates_ranking_retrieval_structure_and_memory() -> None:
    assert set(rustcore.__all__) == PUBLIC
    public_attributes = {name for name in vars(rustcore) if not name.startswith("_")} - {"annotations"}
    assert public_attributes == PUBLIC, "a name outside __all__ is reachable as rustcore.<name>"


def test_every_public_name_resolves_and_is_documented() -> None:
    assert rustcore.__doc__ is not None
    for name in rustcore.__all__:
        value = getattr(rustcore, name)
        assert f"`{name}`" in rustcore.__doc__, f"the module docstring does not name {name}"
        if callable(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_the_compressors_machinery_stays_in_private_modules() -> None:
    from rustcore import _code, _json, _lines, _prose

    for module, name in [
        (_lines, "compress_log"),
        (_lines, "detect_content"),
        (_json, "compress_json"),
        (_code, "CodeFile"),
        (_prose, "prose_gaps"),
        (_prose, "sentence_density"),
    ]:
        assert hasattr(module, name)
        assert not hasattr(rustcore, name)
