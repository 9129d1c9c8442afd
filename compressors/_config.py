"""Configuration files: every file header and section, the keys asked about with their parents, the structure."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_config

__all__ = ["ConfigCompressor"]

# Keys, sections and documents say what a config holds; the values below them are what retrieval is for.
_DEFAULT = DefaultBudget(share=0.2, floor=1000, ceiling=8000)


class ConfigCompressor(Compressor):
    """YAML, TOML, INI, `key=value`, Dockerfiles and `==> path <==` concatenations: keeps file headers,
    sections and document breaks, the keys the query names (a dotted path finds the key under its parents)
    with the lines above them, then the top-level keys and the first keys below each; a long run of flat
    keys shows the first of each prefix group. Every other run is one marker, cut at top-level groups."""

    name = "config"
    description = "configuration files: file headers, sections, the keys asked about with their parents, structure"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_config, text, ctx, _DEFAULT)
