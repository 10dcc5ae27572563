"""Wiring for a run: providers, keys, prices, cache and the run log around the runner.

The GUI and the CLI both call :func:`prepare_targets` and :func:`make_runner`,
so a run behaves the same from either: provider configurations from the
store, keys from the keystore, prices from ``resources/prices.json`` (with a
``prices.json`` in the data folder laid over it), the response cache in the
store, and every result written to the store's run log.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from playground import paths
from playground.core.document import PromptDocument, Target, content_hash
from playground.core.errors import ProviderError
from playground.core.events import StreamEvent
from playground.core.pricing import PriceTable
from playground.core.provider_config import ProviderConfig
from playground.core.request import RenderedRequest
from playground.core.runner import Recorder, Runner, RunTarget, TargetResult
from playground.providers.base import DEFAULT_MAX_RETRIES, Timeouts
from playground.providers.registry import build_provider
from playground.store import RunRecord, Store

__all__ = [
    "KeySource",
    "RunContext",
    "StoreCache",
    "context_for",
    "effective_base_url",
    "load_prices",
    "make_runner",
    "prepare_targets",
    "store_recorder",
]

log = logging.getLogger("playground.running")


@dataclass(frozen=True)
class RunContext:
    """Which prompt a run belongs to, for the run log."""

    prompt_id: int
    version_id: int | None
    content_hash: str
    variables: Mapping[str, str]


class _FailingProvider:
    """Stands in for a target that cannot start (no key, say): fails it alone."""

    def __init__(self, error: ProviderError) -> None:
        self._error = error

    async def stream(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        raise self._error
        yield  # pragma: no cover - makes this an async generator


class KeySource(Protocol):
    """Where a run's keys come from: a :class:`KeyStore`, or keys looked up elsewhere."""

    def require(self, config: ProviderConfig) -> str | None: ...


def prepare_targets(
    store: Store,
    keys: KeySource,
    targets: Sequence[Target],
    *,
    timeouts: Timeouts | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> list[RunTarget]:
    """A :class:`RunTarget` per target, ids ``"1"``, ``"2"``... in order.

    An unknown provider name is the caller's mistake and raises
    ``NotFoundError``; a missing key fails only that target, when it runs.
    """
    prepared: list[RunTarget] = []
    for i, target in enumerate(targets, 1):
        config = store.provider_config(target.provider)
        provider = build_provider(config, timeouts=timeouts, max_retries=max_retries)
        url = effective_base_url(config)
        try:
            key = keys.require(config)
        except ProviderError as exc:
            prepared.append(RunTarget(str(i), target, _FailingProvider(exc), config.kind, url))
            continue
        prepared.append(RunTarget(str(i), target, provider, config.kind, url, key))
    return prepared


_SDK_DEFAULTS = {
    "openai": ("OPENAI_BASE_URL", "https://api.openai.com/v1"),
    "anthropic": ("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
}


def effective_base_url(config: ProviderConfig) -> str | None:
    """The address requests go to: the configured one, else what the SDK will use.

    Part of the cache key and of the run log, so answers from one server are
    never served or filed as another's.
    """
    if config.base_url is not None:
        return config.base_url
    env, default = _SDK_DEFAULTS.get(config.kind, ("", ""))
    return os.environ.get(env) or default or None


def load_prices() -> PriceTable:
    bundled = paths.resources_dir() / "prices.json"
    try:
        return PriceTable.load(bundled, paths.data_dir() / "prices.json")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("could not read a price table (%s); using the bundled one", exc)
        return PriceTable.load(bundled)


class StoreCache:
    """The runner's response cache, kept in the library database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> str | None:
        return self._store.cache_get(key)

    def put(self, key: str, provider: str, model: str, result_json: str) -> None:
        self._store.cache_put(key, provider, model, result_json)


def store_recorder(store: Store, context: RunContext) -> Recorder:
    """Writes every finished target (ok, error or cancelled) to the run log."""

    def record(rt: RunTarget, request: RenderedRequest, result: TargetResult) -> None:
        target_json = json.dumps(
            {
                "provider": rt.target.provider,
                "model": rt.target.model,
                "parameters": {
                    "temperature": rt.target.parameters.temperature,
                    "maxTokens": rt.target.parameters.max_tokens,
                    "topP": rt.target.parameters.top_p,
                    "stop": list(rt.target.parameters.stop),
                    "seed": rt.target.parameters.seed,
                },
                "jsonSchema": rt.target.schema,
                "baseUrl": rt.base_url,
                "cached": result.cached,
                "retries": result.retries,
                "schemaValid": result.schema_valid,
                "schemaError": result.schema_error,
            },
            sort_keys=True,
        )
        store.record_run(
            RunRecord(
                prompt_id=context.prompt_id,
                version_id=context.version_id,
                content_hash=context.content_hash,
                provider=rt.target.provider,
                model=rt.target.model,
                target_json=target_json,
                request_json=request.to_json(),
                variables=dict(context.variables),
                output=result.output,
                finish_reason=result.finish_reason,
                tokens_in=result.input_tokens,
                tokens_out=result.output_tokens,
                tokens_estimated=result.tokens_estimated,
                ttft_ms=result.ttft_ms,
                total_ms=result.total_ms,
                cost=result.cost,
                status=result.status,
                error=result.error,
            )
        )

    return record


def make_runner(store: Store, context: RunContext, *, prices: PriceTable | None = None) -> Runner:
    return Runner(
        prices=prices if prices is not None else load_prices(),
        cache=StoreCache(store),
        recorder=store_recorder(store, context),
    )


def context_for(store: Store, doc: PromptDocument, variables: Mapping[str, str]) -> RunContext:
    """The run-log context for ``doc``: its prompt in the library, created if new.

    A document equal to one of the prompt's versions is logged against that
    version; anything else is logged as a draft run, by content hash.
    """
    prompt = store.get_or_create_prompt(doc.name, doc)
    digest = content_hash(doc)
    version_id = next((v.id for v in store.list_versions(prompt.id) if v.hash == digest), None)
    return RunContext(prompt.id, version_id, digest, dict(variables))
