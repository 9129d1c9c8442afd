"""`headroom_stats` and ``headroom://stats``: the store's event totals, priced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from mcp_server.server._models import ClientTotals, CompressorStats, NamespaceTotals, StatsOutput

if TYPE_CHECKING:
    from mcp_server.server._state import AppState

__all__ = ["collect_stats"]


def collect_stats(state: AppState, scope: Literal["session", "lifetime"]) -> StatsOutput:
    """Totals for this server's session or for everything the store has recorded, with the cost saved."""
    summary = state.store.stats(session=state.session_id if scope == "session" else None)
    pricing = state.options.pricing
    by_compressor = [
        CompressorStats(
            compressor=name,
            calls=s.calls,
            tokens_before=s.tokens_before,
            tokens_after=s.tokens_after,
            tokens_saved=s.tokens_saved,
        )
        for name, s in sorted(summary.by_compressor.items(), key=lambda kv: (-kv[1].tokens_saved, kv[0]))
    ]
    return StatsOutput(
        scope=scope,
        session_id=state.session_id,
        calls=summary.compressions,
        calls_by_kind=dict(summary.calls),
        tokens_before=summary.tokens_before,
        tokens_after=summary.tokens_after,
        tokens_saved=summary.tokens_saved,
        savings_percent=round(summary.savings_pct, 1),
        retrievals=summary.retrievals,
        retrieval_rate=round(summary.retrieval_rate, 4),
        tokens_retrieved=summary.tokens_retrieved,
        net_saved=summary.net_saved,
        by_compressor=by_compressor,
        store_entries=summary.entries,
        store_bytes=summary.store_bytes,
        search_pending=state.store.unindexed(),
        search_ranking="hybrid" if state.semantic is not None and state.semantic.semantic_note() is None else "lexical",
        model=pricing.model,
        usd_per_mtok=pricing.usd_per_mtok,
        cost_saved_usd=round(pricing.cost(summary.net_saved), 6),
        store=state.store.backend,
        namespace=summary.namespace,
        by_client=[ClientTotals(client=name, **c.to_dict()) for name, c in sorted(summary.by_client.items())],
        by_namespace=[
            NamespaceTotals(namespace=name, **n.to_dict()) for name, n in sorted(summary.by_namespace.items())
        ],
    )
