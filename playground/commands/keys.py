"""``playground keys ...``: store, delete and check API keys, headless.

Keys go into the system keyring and nowhere else; the commands never print,
log or store a key. ``keys set`` reads the key without echo from a terminal,
or one line from standard input when it is piped, so scripts can do
``printenv OPENAI_API_KEY | playground keys set openai``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from typing import Any

from playground.commands.common import (
    Handler,
    Parser,
    UsageError,
    emit,
    fail,
    json_flag,
    open_keystore,
    table,
)
from playground.core.errors import KeyStoreError, NotFoundError
from playground.core.provider_config import ProviderConfig
from playground.keystore import KeySource, KeyStore, clean_key
from playground.store import Store

__all__ = ["COMMANDS", "add_parsers", "key_label", "key_sources"]


def add_parsers(sub: Any) -> None:
    keys = sub.add_parser("keys", help="store, delete and check API keys (kept in the keyring)")
    ksub = keys.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = ksub.add_parser(
        "set",
        help="store a provider's key in the system keyring; it is read without echo, "
        "or from standard input when piped",
    )
    p.add_argument("provider")
    json_flag(p)
    p = ksub.add_parser("delete", help="remove a provider's key from the system keyring")
    p.add_argument("provider")
    json_flag(p)
    p = ksub.add_parser("status", help="where each provider's key comes from (never the key)")
    json_flag(p)


def key_label(config: ProviderConfig, source: KeySource | None) -> str:
    """Where the key comes from, for a table cell: keyring, environment, none, not needed."""
    if source is not None:
        return source
    return "none" if config.key_required else "not needed"


def key_sources(
    keystore: KeyStore, configs: Sequence[ProviderConfig]
) -> tuple[list[KeySource | None], str | None]:
    """Each config's key source, and the keyring's complaint if reading it failed.

    A locked keyring should not hide the whole list, so a failure leaves that
    source ``None`` and is reported once.
    """
    sources: list[KeySource | None] = []
    problem: str | None = None
    for config in configs:
        try:
            sources.append(keystore.source(config))
        except KeyStoreError as exc:
            sources.append(None)
            problem = str(exc)
    return sources, problem


def _read_key(config: ProviderConfig) -> str:
    stdin = sys.stdin
    if stdin is None:
        raise UsageError("there is no standard input to read the key from")
    if stdin.isatty():
        try:
            key = getpass.getpass(f"Key for {config.display_name} (input is hidden): ")
        except EOFError:
            key = ""
    else:
        key = stdin.readline()
    if not key.strip():
        raise UsageError(
            f"no key given for {config.name}: type or paste it when asked, or pipe it in, "
            f"e.g. printenv MY_KEY | playground keys set {config.name}"
        )
    try:
        return clean_key(key, config.name)
    except KeyStoreError as exc:
        raise UsageError(str(exc)) from None


def _cmd_keys_set(store: Store, args: argparse.Namespace) -> int:
    config = store.provider_config(args.provider)
    keystore = open_keystore()
    try:
        keystore.check_can_store(config)
        key = _read_key(config)
        keystore.set(config, key)
    except KeyStoreError as exc:
        return fail(str(exc))
    text = (
        f"Stored the key for {config.display_name} in the system keyring "
        f"({keystore.backend_name()})."
    )
    if _env_is_set(config):
        text += f" It takes precedence over {config.key_env}."
    data = {"provider": config.name, "stored": True, "backend": keystore.backend_name()}
    return emit(args, data, text)


def _env_is_set(config: ProviderConfig) -> bool:
    return bool(config.key_env and os.environ.get(config.key_env, "").strip())


def _cmd_keys_delete(store: Store, args: argparse.Namespace) -> int:
    keystore = open_keystore()
    target: ProviderConfig | str
    try:
        target = store.provider_config(args.provider)
    except NotFoundError:
        # A provider removed earlier may have left its key behind; let it go too.
        try:
            orphan = keystore.available() and keystore.stored(args.provider)
        except KeyStoreError as exc:
            return fail(str(exc))
        if not orphan:
            raise
        target = args.provider
    try:
        keystore.delete(target)
    except KeyStoreError as exc:
        return fail(str(exc))
    name = target.display_name if isinstance(target, ProviderConfig) else target
    text = f"Deleted the key for {name} from the system keyring."
    source: KeySource | None = None
    if isinstance(target, ProviderConfig):
        try:
            source = keystore.source(target)
        except KeyStoreError:
            source = None
        if source == "environment":
            text += f" {name} will now use the key in {target.key_env}."
    data = {"provider": args.provider, "deleted": True, "source": source}
    return emit(args, data, text)


def _cmd_keys_status(store: Store, args: argparse.Namespace) -> int:
    keystore = open_keystore()
    configs = store.provider_configs()
    sources, problem = key_sources(keystore, configs)
    rows = [
        {
            "provider": c.name,
            "source": source,
            "keyEnv": c.key_env,
            "keyRequired": c.key_required,
        }
        for c, source in zip(configs, sources, strict=True)
    ]
    data = {
        "keyring": {
            "backend": keystore.backend_name(),
            "available": keystore.available(),
            "warning": keystore.warning,
            "error": problem,
        },
        "providers": rows,
    }
    grid = [("PROVIDER", "KEY", "VARIABLE")]
    for c, source in zip(configs, sources, strict=True):
        variable = c.key_env or "-"
        if c.key_env and source != "environment":
            variable += " (set)" if _env_is_set(c) else " (not set)"
        grid.append((c.name, key_label(c, source), variable))
    head = f"Keyring: {keystore.backend_name()}"
    notes = [n for n in (keystore.warning, problem) if n]
    text = "\n".join([head, *notes, "", table(grid)])
    return emit(args, data, text)


COMMANDS: dict[tuple[str, str | None], Handler] = {
    ("keys", "set"): _cmd_keys_set,
    ("keys", "delete"): _cmd_keys_delete,
    ("keys", "status"): _cmd_keys_status,
}
