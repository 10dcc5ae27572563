"""``playground providers ...``: list, add, remove and test provider configurations.

A configuration says which server to talk to and with which protocol; keys
are not part of it (see ``playground keys``). ``providers test`` asks the
server for its models, which checks the address, the protocol and the key in
one request.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from playground.commands.common import (
    EXIT_FAILURE,
    Handler,
    Parser,
    emit,
    fail,
    json_flag,
    open_keystore,
    table,
)
from playground.commands.keys import key_label, key_sources
from playground.core.errors import KeyStoreError, ProviderError
from playground.core.provider_config import BUILTIN_PROVIDERS, KINDS, ProviderConfig
from playground.keystore import KeySource, redact
from playground.running import effective_base_url
from playground.store import Store

__all__ = ["COMMANDS", "add_parsers"]

_BUILTIN_NAMES = frozenset(c.name for c in BUILTIN_PROVIDERS)
DEFAULT_TEST_TIMEOUT_S = 10.0


def add_parsers(sub: Any) -> None:
    providers = sub.add_parser("providers", help="list, add, remove and test model providers")
    psub = providers.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )
    p = psub.add_parser("list", help="list providers and where their keys come from")
    json_flag(p)
    p = psub.add_parser(
        "add", help="add a provider, or change a built-in one (same name), or replace one"
    )
    p.add_argument("name", help="lower-case name used in targets, e.g. together:MODEL")
    p.add_argument("--kind", required=True, choices=KINDS, help="the wire protocol")
    p.add_argument(
        "--base-url", metavar="URL", help="server address (required for openai-compatible)"
    )
    p.add_argument(
        "--key-env", metavar="VAR", help="environment variable to read the key from (not the key)"
    )
    p.add_argument(
        "--model",
        action="append",
        default=[],
        dest="models",
        metavar="ID",
        help="a default model id (repeatable)",
    )
    json_flag(p)
    p = psub.add_parser("remove", help="remove a provider, or undo changes to a built-in one")
    p.add_argument("name")
    json_flag(p)
    p = psub.add_parser("test", help="ask the server for its models, to check address and key")
    p.add_argument("name")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TEST_TIMEOUT_S,
        metavar="S",
        help=f"seconds to wait to connect and for an answer (default {DEFAULT_TEST_TIMEOUT_S:g})",
    )
    json_flag(p)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"'{text}' must be more than 0 and at most 600 seconds")
    return value


def _config_json(config: ProviderConfig, source: KeySource | None) -> dict[str, Any]:
    return {
        "name": config.name,
        "displayName": config.display_name,
        "kind": config.kind,
        "baseUrl": config.base_url,
        "keyEnv": config.key_env,
        "keyRequired": config.key_required,
        "keySource": source,
        "defaultModels": list(config.default_models),
        "builtin": config.builtin,
        "overridesBuiltin": not config.builtin and config.name in _BUILTIN_NAMES,
    }


def _cmd_providers_list(store: Store, args: argparse.Namespace) -> int:
    keystore = open_keystore()
    configs = store.provider_configs()
    sources, problem = key_sources(keystore, configs)
    rows = [_config_json(c, s) for c, s in zip(configs, sources, strict=True)]
    grid = [("NAME", "KIND", "BASE URL", "KEY ENV", "KEY")]
    for c, source in zip(configs, sources, strict=True):
        name = c.name + (" (changed)" if not c.builtin and c.name in _BUILTIN_NAMES else "")
        grid.append(
            (name, c.kind, c.base_url or "(SDK default)", c.key_env or "-", key_label(c, source))
        )
    notes = [n for n in (keystore.warning, problem) if n]
    return emit(args, rows, "\n".join([table(grid), *notes]))


def _cmd_providers_add(store: Store, args: argparse.Namespace) -> int:
    existing = {c.name: c for c in store.provider_configs()}.get(args.name)
    saved = store.save_provider_config(
        ProviderConfig(
            name=args.name,
            kind=args.kind,
            base_url=args.base_url,
            key_env=args.key_env,
            default_models=tuple(args.models),
        )
    )
    if existing is not None and saved.name in _BUILTIN_NAMES:
        action = "overrode"
        text = (
            f"Saved your settings for the built-in provider '{saved.name}'; "
            f"`playground providers remove {saved.name}` restores its defaults."
        )
    elif existing is not None:
        action = "replaced"
        text = f"Replaced provider '{saved.name}'."
    else:
        action = "added"
        where = saved.base_url or "the SDK's default address"
        text = f"Added provider '{saved.name}' ({saved.kind}, {where})."
        if saved.key_required:
            env = f" or set {saved.key_env}" if saved.key_env else ""
            text += f" Store its key with `playground keys set {saved.name}`{env}."
    return emit(args, {"action": action, "provider": _config_json(saved, None)}, text)


def _cmd_providers_remove(store: Store, args: argparse.Namespace) -> int:
    store.remove_provider_config(args.name)
    if args.name in _BUILTIN_NAMES:
        text = f"Removed your changes to '{args.name}'; the built-in settings are back."
        restored = True
    else:
        text = f"Removed provider '{args.name}'."
        restored = False
        keystore = open_keystore()
        try:
            if keystore.stored(args.name):
                text += (
                    " Its key is still in the keyring: "
                    f"`playground keys delete {args.name}` removes it."
                )
        except KeyStoreError:
            pass  # only a courtesy note; the removal itself worked
    return emit(args, {"removed": args.name, "builtinRestored": restored}, text)


def _cmd_providers_test(store: Store, args: argparse.Namespace) -> int:
    config = store.provider_config(args.name)
    keystore = open_keystore()
    try:
        key = keystore.require(config)
        models, seconds = _list_models(config, key, args.timeout)
    except (ProviderError, KeyStoreError) as exc:
        message = redact(str(exc), keystore.known_secrets())
        if args.json:
            status = exc.status if isinstance(exc, ProviderError) else None
            failure = {
                "provider": config.name,
                "ok": False,
                "error": message,
                "errorType": type(exc).__name__,
                "status": status,
            }
            emit(args, failure, "")
        return fail(message, EXIT_FAILURE)
    where = effective_base_url(config)
    data = {
        "provider": config.name,
        "ok": True,
        "baseUrl": where,
        "models": models,
        "seconds": round(seconds, 3),
    }
    noun = "model" if len(models) == 1 else "models"
    lines = [f"{config.display_name} answered at {where} in {seconds:.2f} s: {len(models)} {noun}."]
    lines += [f"  {m}" for m in models]
    return emit(args, data, "\n".join(lines))


def _list_models(
    config: ProviderConfig, key: str | None, timeout: float
) -> tuple[list[str], float]:
    from playground.providers.base import Timeouts
    from playground.providers.registry import build_provider

    provider = build_provider(config, timeouts=Timeouts(connect=timeout, idle=timeout))
    started = time.perf_counter()
    models = asyncio.run(provider.list_models(key))
    return models, time.perf_counter() - started


COMMANDS: dict[tuple[str, str | None], Handler] = {
    ("providers", "list"): _cmd_providers_list,
    ("providers", "add"): _cmd_providers_add,
    ("providers", "remove"): _cmd_providers_remove,
    ("providers", "test"): _cmd_providers_test,
}
