"""Model files from the Hugging Face hub: found in the local cache, downloaded only where that is allowed.

Both the sentence embedder and the optional prose token classifier get their
files here, through ``huggingface_hub.hf_hub_download``:

- the cache is looked at first (``local_files_only``), so a cached model never
  costs a network round trip, and a pinned revision is never re-checked;
- when a file is missing and the caller allows it (`download=True`, which only
  background threads pass) and ``HF_HUB_OFFLINE`` is not set, the same function
  downloads it into the cache;
- otherwise `ModelFilesMissing` says what is missing, where it was looked for,
  and how to fetch it.

``HF_HOME``, ``HF_HUB_CACHE``, ``HF_HUB_OFFLINE`` and ``HF_ENDPOINT`` are read at
each call: huggingface_hub reads them once, when it is first imported, and a
server or a test may set them later.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ModelFilesMissing", "ModelRef", "cache_dir", "download_hint", "hub_offline", "resolve_files"]

_TRUE = ("1", "ON", "YES", "TRUE")


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A hub repository at a revision (None: the cached ``main``)."""

    repo: str
    revision: str | None = None

    def __str__(self) -> str:
        return f"{self.repo}@{self.revision}" if self.revision else self.repo


class ModelFilesMissing(FileNotFoundError):
    """A model file is not in the cache and could not (or may not) be downloaded; the message says which and why.

    ``final`` is True when trying again in this process cannot help: offline mode, or a download that failed.
    """

    def __init__(self, message: str, *, final: bool) -> None:
        super().__init__(message)
        self.final = final


def hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set now, as huggingface_hub reads them."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in _TRUE


def cache_dir() -> Path | None:
    """The hub cache the environment names now (None: huggingface_hub's default)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return None


def _cache_shown() -> Path:
    found = cache_dir()
    if found is not None:
        return found
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def download_hint(ref: ModelRef, names: Sequence[str]) -> str:
    """The shell command that puts `names` of `ref` into the cache."""
    revision = f" --revision {ref.revision}" if ref.revision else ""
    return f"hf download {ref.repo} {' '.join(names)}{revision}"


def resolve_files(ref: ModelRef, names: Sequence[str], *, download: bool) -> list[Path]:
    """Local paths of `names` in the repository `ref`, from the cache, else downloaded when `download` allows.

    Raises:
        ModelFilesMissing: a file is neither cached nor obtainable now; the message names the file, the cache,
            the reason, and the command that fetches it.
    """
    from huggingface_hub import hf_hub_download

    cache = cache_dir()
    found: list[Path] = []
    missing: list[str] = []
    for name in names:
        try:
            found.append(
                Path(hf_hub_download(ref.repo, name, revision=ref.revision, cache_dir=cache, local_files_only=True))
            )
        except Exception:  # LocalEntryNotFoundError, or an id / revision the cache cannot hold
            missing.append(name)
    if not missing:
        return found
    where = _cache_shown()
    hint = download_hint(ref, names)
    if hub_offline() or not download:
        why = "HF_HUB_OFFLINE is set" if hub_offline() else "it is downloaded in the background, never during a call"
        raise ModelFilesMissing(
            f"{ref} file {', '.join(missing)} is not in the Hugging Face cache {where} ({why}); "
            f"fetch it once with: {hint}, or set HF_HOME to a cache that has it",
            final=hub_offline(),
        )
    endpoint = os.environ.get("HF_ENDPOINT") or None
    for name in missing:
        try:
            hf_hub_download(ref.repo, name, revision=ref.revision, cache_dir=cache, endpoint=endpoint)
        except Exception as exc:  # network, HTTP, offline-at-import, disk: all end the same way here
            raise ModelFilesMissing(
                f"{ref} file {name} is not in the Hugging Face cache {where} and could not be downloaded "
                f"({type(exc).__name__}: {exc}); fetch it once with: {hint}, or set HF_HUB_OFFLINE=1 to stop trying",
                final=True,
            ) from exc
    return resolve_files(ref, names, download=False)
