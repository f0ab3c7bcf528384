"""bpfgraph: the ISO/IEC 30145-1 smart city business process framework as linked data.

``bpfgraph.validate(source)`` validates a city mapping (see :mod:`bpfgraph.api`).
"""

from __future__ import annotations

from typing import Any

from .version import __version__

__all__ = ["__version__", "validate"]


def validate(*args: Any, **kwargs: Any) -> Any:
    """Validate a city mapping; see :func:`bpfgraph.api.validate`."""
    # deferred: importing any bpfgraph module must not load pyshacl (worker processes, the CLI)
    from .api import validate as _validate

    return _validate(*args, **kwargs)
