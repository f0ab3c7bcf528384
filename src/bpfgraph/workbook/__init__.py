"""City mapping workbooks (``.xlsx``): a mapping graph written as a workbook, and the template.

The domain half of the workbook: :func:`write_workbook` writes any mapping the workbook can hold
(every triple accounted for, or :class:`WorkbookError` naming the first it cannot hold), and
:func:`template_workbook` the empty workbook ``bpfgraph template --format xlsx`` gives. Reading
is a syntax of :mod:`bpfgraph.rdfio` (``rdfio/workbook.py``), in the base layer, so that every
way a mapping comes in reads workbooks; the layout both share is ``rdfio/workbook_layout.py``.
"""

from __future__ import annotations

import datetime as dt

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from ..framework import load_part
from ..template import TODO, check_iri, default_base
from ..vocab import BPF, PROCESS_IDS, process
from .sheets import WorkbookError, write_workbook

__all__ = ["WorkbookError", "template_workbook", "write_workbook"]


def template_workbook(
    city: str, label: str, base: str | None = None, today: dt.date | None = None
) -> bytes:
    """The workbook a city starts from: its metadata filled in, all 21 processes mapped under
    the framework's names, every outcome and practice a row to fill in."""
    check_iri(city, "city")
    base = check_iri(base or default_base(city), "base")
    if not label.strip():
        raise ValueError("the mapping needs a name (--label)")
    g = Graph()
    mapping, org = URIRef(base + "mapping"), URIRef(base + "organisation")
    g.add((mapping, RDF.type, BPF.CityMapping))
    g.add((mapping, RDFS.label, Literal(label, lang="en")))
    g.add((mapping, BPF.city, URIRef(city)))
    g.add(
        (
            mapping,
            DCTERMS.created,
            Literal((today or dt.date.today()).isoformat(), datatype=XSD.date),
        )
    )
    g.add((mapping, PROV.wasAttributedTo, org))
    g.add((mapping, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((org, RDF.type, ORG.Organization))
    g.add((org, RDFS.label, Literal(f"{TODO}: the organisation that made this mapping", lang="en")))
    fw = load_part("framework")
    for pid in PROCESS_IDS:
        pm = URIRef(base + pid)
        g.add((mapping, BPF.hasProcessMapping, pm))
        g.add((pm, RDF.type, BPF.ProcessMapping))
        g.add((pm, BPF.mapsProcess, process(pid)))
        g.add((pm, RDFS.label, Literal(str(fw.value(process(pid), SKOS.prefLabel)), lang="en")))
        g.add((pm, BPF.responsibleOrganization, org))
    return write_workbook(g, base=base, framework=fw)
