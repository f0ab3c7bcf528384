"""What the commands share: the usage error, printing, the settings and the configured store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from ..loading import ensure_loaded, source_digest, stored_digest
from ..settings import Settings
from ..store.base import Store, StoreError
from ..store.engines import open_store


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def out(text: str) -> None:
    """Print ``text`` on standard output, ending it with a newline if it has none."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings from the environment, with the command's ``--store`` and ``--data-dir``."""
    overrides = {}
    if getattr(args, "store", None):
        overrides["store"] = args.store
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise UsageError(f"bad setting BPFGRAPH_{field.upper()}: {first['msg']}") from None


def open_configured_store(args: argparse.Namespace, write: bool) -> Store:
    """The configured store with the framework loaded (once; a no-op when up to date)."""
    settings = settings_for(args)
    try:
        store = open_store(settings)
        ensure_loaded(store)
    except StoreError as exc:
        if write or settings.store != "oxigraph":
            raise UsageError(str(exc)) from None
        # another process (bpfgraph serve) holds the store: read it without writing
        try:
            store = open_store(settings, read_only=True)
        except StoreError as exc2:
            raise UsageError(str(exc2)) from None
        if stored_digest(store) != source_digest():
            print(
                "bpfgraph: warning: the store holds another version of the framework",
                file=sys.stderr,
            )
    return store
