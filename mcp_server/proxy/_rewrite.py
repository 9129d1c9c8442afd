"""A request body with its bulky tool results compressed, every other byte as the client sent it.

`Rewriter.rewrite(body, key)` finds the conversation (``messages``, or the Responses ``input``) with the
position-keeping scanner (`_scan`), lets `compressors.tool_texts` say where the tool results are, decides per
result by the rule of `_memory` (what went compressed before goes compressed again, byte for byte; what went as it
was stays so; only the newest turn's results are compressed for the first time), and splices the new strings into
the client's text. Results of headroom's own MCP tools (a retrieve the model asked for) are never compressed.
Whatever goes wrong raises: the caller then forwards the client's body unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compressors import TOOL_RESULT_MIN_TOKENS, compress_tool_text, detect, tool_texts
from compressors._messages import called_tools, is_model_turn, is_own_tool
from mcp_server.proxy._memory import ForwardMemory, Remembered, memory_key
from mcp_server.proxy._scan import array_elements, splice, string_span

if TYPE_CHECKING:
    from ccr import Store

__all__ = ["RESULT_SIGNS", "Rewrite", "Rewriter"]

# A body holding a tool result in any of the three shapes contains one of these (checked at memchr speed first).
RESULT_SIGNS = (b"tool_result", b'"tool"', b"_call_output")
# Texts shorter than this were never compressed (`min_tokens` is at least 100 and a character is at most 4 bytes).
_SHORTEST_COMPRESSED = 25
# How often a remembered result's original is checked to be still in the store.
_RECHECK_S = 3600.0


@dataclass(frozen=True, slots=True)
class Rewrite:
    """The body to forward and what became of the tool results in it."""

    body: bytes
    results: int = 0  # tool-result texts in the conversation
    compressed: int = 0  # compressed for the first time in this request
    resent: int = 0  # sent compressed again, as remembered
    tokens_before: int = 0  # of the texts compressed for the first time
    tokens_after: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.compressed or self.resent)


class Rewriter:
    """Compresses tool results in request bodies by the memory's rule; one per proxy, shared by its threads."""

    def __init__(
        self,
        store: Store,
        memory: ForwardMemory,
        *,
        min_tokens: int = TOOL_RESULT_MIN_TOKENS,
        client: str | None = None,
        session: str | None = None,
    ) -> None:
        self.store = store
        self.memory = memory
        self.min_tokens = min_tokens
        self.client = client
        self.session = session
        self._checked: dict[str, float] = {}

    def rewrite(self, body: bytes, key: str, *, client: str | None = None) -> Rewrite:
        """``body`` with its tool results compressed; ``key`` names the member holding the conversation.

        Raises:
            Exception: anything; the caller forwards ``body`` unchanged.
        """
        if not any(sign in body for sign in RESULT_SIGNS):
            return Rewrite(body)
        text = body.decode("utf-8")
        elements = array_elements(text, key)
        if not elements:
            return Rewrite(body)
        newest = 1 + max((i for i, e in enumerate(elements) if is_model_turn(e.value)), default=-1)
        own = {c for e in elements for c, name in called_tools(e.value).items() if is_own_tool(name)}
        found = [(i, e, t) for i, e in enumerate(elements) for t in tool_texts(e.value) if t.call_id not in own]
        if not found:
            return Rewrite(body)
        keys = [
            memory_key(t.call_id, t.part, t.text) if len(t.text) >= _SHORTEST_COMPRESSED else "" for _, _, t in found
        ]
        remembered = self.memory.lookup(k for k in keys if k)
        chosen: dict[int, Remembered] = {}
        fresh: list[tuple[str, Remembered]] = []
        before = after = 0
        for n, ((i, _, t), k) in enumerate(zip(found, keys, strict=True)):
            if k in remembered:
                chosen[n] = remembered[k]
                self._keep_original(remembered[k], t.text)
            elif k and i >= newest:
                c = compress_tool_text(
                    t.text,
                    store=self.store,
                    min_tokens=self.min_tokens,
                    client=client or self.client,
                    session=self.session,
                    source="proxy",
                )
                if c is not None:
                    fresh.append((k, Remembered(c.text, c.hash)))
                    before, after = before + c.tokens_before, after + c.tokens_after
        resent = len(chosen)
        if fresh:
            stored = self.memory.remember(fresh)
            for n, k in enumerate(keys):
                if k in stored and n not in chosen:
                    chosen[n] = stored[k]
        if not chosen:
            return Rewrite(body, len(found))
        spans = []
        for n, r in chosen.items():
            _, element, t = found[n]
            start, end = string_span(text, element.start, t.path)
            spans.append((start, end, r.text))
        out = splice(text, spans).encode("utf-8")
        return Rewrite(out, len(found), len(chosen) - resent, resent, before, after)

    def _keep_original(self, remembered: Remembered, original: str) -> None:
        """A result sent compressed again: its markers must still redeem, so its original goes back into the store
        when it has expired there (the client has just sent it whole)."""
        now = time.monotonic()
        if now - self._checked.get(remembered.hash, -_RECHECK_S) < _RECHECK_S:
            return
        if remembered.hash not in self.store:
            kind = detect(original).content_type
            self.store.put(original.encode("utf-8", errors="surrogatepass"), content_type=kind, source="proxy")
        if len(self._checked) > 100_000:
            self._checked.clear()
        self._checked[remembered.hash] = now
