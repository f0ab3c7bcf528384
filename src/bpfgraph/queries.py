"""Named SPARQL queries: ``queries/*.rq`` with a YAML header and typed parameters.

A query file starts with ``#+ `` comment lines holding YAML: ``title``, ``description`` and
``params`` (name -> ``type`` of ``iri``/``string``/``integer``, ``required``, ``default``,
``description``). In the query body a parameter is the variable ``?_{name}_{type}`` (the grlc
convention); a value given for it is substituted as an RDF term before the query runs, and an
optional parameter left out stays an unbound variable.

>>> q = NamedQuery.parse("demo", '''#+ title: Demo
... #+ params:
... #+   notation: {type: string, required: true}
... SELECT * WHERE { ?p <urn:n> ?_notation_string }''')
>>> q.bind({"notation": 'G1'}).splitlines()[-1]
'SELECT * WHERE { ?p <urn:n> "G1" }'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import paths
from .iris import iri_problem
from .store import QueryResult, Store
from .vocab import PREFIXES

PARAM_TYPES = ("iri", "string", "integer")


class QueryError(ValueError):
    """A named query that does not exist, or parameters that do not fit it."""


@dataclass
class Param:
    """A parameter of a named query, as its header declares it: ``type`` is one of
    :data:`PARAM_TYPES`; ``default`` is used when no value is given."""

    name: str
    type: str = "string"
    required: bool = False
    default: str | None = None
    description: str = ""

    @property
    def variable(self) -> str:
        """The variable that stands for the parameter in the query body: ``?_{name}_{type}``."""
        return f"?_{self.name}_{self.type}"


@dataclass
class NamedQuery:
    """A query of ``queries/`` (or any ``.rq`` file): its name, header and whole text, and
    the file it was read from."""

    name: str
    title: str
    description: str
    text: str
    params: dict[str, Param] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def parse(cls, name: str, text: str, path: Path | None = None) -> NamedQuery:
        """Read a query with its ``#+`` YAML header. QueryError when the header is not YAML,
        has no ``title``, gives a parameter an unknown type, or declares a parameter the body
        does not use."""
        header = "\n".join(
            line[3:] if line.startswith("#+ ") else line[2:]
            for line in text.splitlines()
            if line.startswith("#+")
        )
        try:
            meta = yaml.safe_load(header) or {}
        except yaml.YAMLError as exc:
            raise QueryError(f"{path or name}: header is not valid YAML: {exc}") from None
        if not isinstance(meta, dict) or "title" not in meta:
            raise QueryError(f"{path or name}: header needs at least '#+ title:'")
        params = {}
        for pname, spec in (meta.get("params") or {}).items():
            spec = spec or {}
            ptype = spec.get("type", "string")
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path or name}: parameter {pname!r} has unknown type {ptype!r}")
            default = spec.get("default")
            params[pname] = Param(
                pname,
                ptype,
                bool(spec.get("required", False)),
                None if default is None else str(default),
                str(spec.get("description", "")),
            )
            if params[pname].variable not in text:
                raise QueryError(
                    f"{path or name}: parameter {pname!r} is not used as {params[pname].variable}"
                )
        return cls(
            name,
            str(meta["title"]),
            " ".join(str(meta.get("description", "")).split()),
            text,
            params,
            path,
        )

    def bind(self, values: dict[str, str] | None = None) -> str:
        """The query text with parameter values substituted as RDF terms."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            names = ", ".join(repr(u) for u in unknown)
            raise QueryError(f"query {self.name!r} has no parameter {names} (parameters: {known})")
        text = self.text
        for param in self.params.values():
            value = values.get(param.name, param.default)
            if value is None:
                if param.required:
                    raise QueryError(
                        f"query {self.name!r} needs parameter {param.name!r} ({param.description})"
                    )
                continue
            term = to_term(param, value)
            # a function, not a template: the term's backslashes stay as they are
            pattern = re.escape(param.variable) + r"\b"
            text = re.sub(pattern, lambda _m: term, text)  # noqa: B023 - re.sub calls it at once
        return text


def to_term(param: Param, value: str) -> str:
    """Serialise a parameter value as a SPARQL term, refusing values that do not fit."""
    if param.type == "iri":
        iri = expand_curie(value)
        problem = iri_problem(iri)
        if problem:
            raise QueryError(f"parameter {param.name!r}: {value[:200]!r} is not an IRI: {problem}")
        return f"<{iri}>"
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            raise QueryError(f"parameter {param.name!r}: {value!r} is not an integer")
        return value.strip()
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def expand_curie(value: str) -> str:
    """Expand a prefixed name with a known prefix (``bpf:CoreProcess``); IRIs pass through."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def load_all(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query in ``queries/``, by name (the file name without ``.rq``)."""
    directory = directory or paths.queries_dir()
    out = {}
    for path in sorted(directory.glob("*.rq")):
        out[path.stem] = NamedQuery.parse(path.stem, path.read_text(encoding="utf-8"), path)
    return out


def get(name_or_path: str) -> NamedQuery:
    """A named query by name, or any ``.rq`` file by path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.is_file():
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("#+"):
            return NamedQuery.parse(path.stem, text, path)
        return NamedQuery(path.stem, path.stem, "", text, {}, path)
    queries = load_all()
    if name_or_path not in queries:
        raise QueryError(f"no named query {name_or_path!r}; known: {', '.join(sorted(queries))}")
    return queries[name_or_path]


def run(store: Store, name_or_path: str, values: dict[str, str] | None = None) -> QueryResult:
    """Run a named query (or a query file) against a store."""
    return store.query(get(name_or_path).bind(values))
