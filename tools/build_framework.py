"""Write data/framework.ttl from the curated extraction tools/framework_source.json.

Run once by a maintainer after editing the extraction (``python tools/build_framework.py``);
the Turtle it writes is committed and reviewed like code. Nothing at build or run time calls
this script, and it never reads the standard's text: framework_source.json is the curated,
reviewed extraction (see its "split_decisions").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bpfgraph.vocab import slug  # noqa: E402

ID = "https://w3id.org/bpfgraph/id/"
DOC = "iso-iec-30145-1-2021"
TYPES = {"G": "bpf:GovernanceProcess", "C": "bpf:CoreProcess", "S": "bpf:SupportingProcess"}

RIGHTS = (
    "Text reproduced from ISO/IEC 30145-1:2021 (the statements, descriptions, purposes, "
    "names and notes, each with its clause as dcterms:source) is © ISO/IEC 2021, all rights "
    "reserved, and is reproduced to the extent needed to identify and describe the framework. "
    "The modelling (IRIs, structure and links) is by the bpfgraph developers under CC BY 4.0."
)

CLAUSES = {
    "0.1": "General",
    "0.2": "Stakeholders",
    "0.3": "Vision and outcomes",
    "1": "Scope",
    "4": "Smart city business process overview",
    "5": "Smart city governance processes",
    "5.1": "General",
    "6": "Smart city core processes",
    "6.1": "General",
    "7": "Smart city Supporting processes",
    "7.1": "General",
    "8": "Mapping the business processes of a smart city",
    "8.1": "General",
}

DOCUMENTS = {
    DOC: (
        "ISO/IEC 30145-1:2021",
        "Information technology — Smart City ICT reference framework — Part 1: Smart city "
        "business process framework",
    ),
    "iso-iec-30145-2": ("ISO/IEC 30145-2", "Part 2: Smart city knowledge management framework"),
    "iso-iec-30145-3": ("ISO/IEC 30145-3", "Part 3: Smart city engineering framework"),
    "iso-iec-33071": ("ISO/IEC 33071", None),
    "iso-37106": ("ISO 37106", None),
    "tm-forum-digital-maturity-model": ("TM Forum Digital Maturity Model", None),
}

# Clause 0.1, Figure 1: the five components, and where each is described.
COMPONENTS = [
    ("stakeholders", "stakeholders", DOC),
    ("vision-and-outcomes", "vision and outcomes", DOC),
    (None, "business process framework", DOC),  # the framework resource itself
    ("knowledge-management-framework", "knowledge management framework", "iso-iec-30145-2"),
    ("engineering-framework", "engineering framework", "iso-iec-30145-3"),
]
STAKEHOLDERS = ["enterprises", "citizens", "government entities", "non-government entities"]
VISION_OUTCOMES = [
    "well-being",
    "transparency",
    "sustainability",
    "economic development",
    "efficiency and resilience",
    "collaboration and innovation",
]
COMPONENTS_TEXT = (
    "Figure 1 shows the components of the smart city ICT reference framework, which consist of "
    "5 components: stakeholders, vision and outcomes, the business process framework, the "
    "knowledge management framework, and the engineering framework. This document describes "
    "stakeholders, vision and outcomes, and the business process framework. The knowledge "
    "management framework and engineering framework are described in ISO/IEC 30145-2 and "
    "ISO/IEC 30145-3 respectively."
)
STAKEHOLDERS_TEXT = (
    "The stakeholders served by the smart city ICT reference framework are enterprises, "
    "citizens, government entities and non-government entities. This stakeholder list is not "
    "exhaustive but defines the key stakeholders in a smart city and the user for the smart "
    "city ICT reference framework."
)
VISION_TEXT = (
    "The smart city ICT reference framework articulates a vision that the Smart City will be "
    "transparent in the delivery of city services that meet city sustainability ambitions. This "
    "vision uses collaboration and innovation approaches to deliver desired city outcomes. City "
    "outcomes are expected to improve the efficiency and resilience of city services and "
    "promote economic development activities that enhance the well-being of citizens."
)
VISION_OUTCOMES_TEXT = (
    "The vision and outcomes of the smart city ICT reference framework are well-being, "
    "transparency, sustainability, economic development, efficiency and resilience, "
    "collaboration and innovation. This vision and outcomes list is not exhaustive, but defines "
    "the key vision and outcomes of a smart city."
)
FRAMEWORK_AIM = (
    "The aim of the smart city business process framework is to identify and describe the key "
    "business processes required in a smart city and to provide a framework for individual "
    "cities to describe how those processes are being carried out within their city."
)
FRAMEWORK_SCOPE = (
    "This document specifies a generic business process framework for a smart city focusing "
    "solely on smart city-specific processes. Generic business processes common between smart "
    "cities and commercial organizations are identified but not detailed."
)
# Clause 7.1 lists S2 under a shorter name, which the relationship notes also use.
ALT_LABELS = {"S2": "Legal and Regulatory Systems and Services"}


def lit(text: str, lang: str | None = "en") -> str:
    """A Turtle literal: long form when the text has line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    body = f'"""{escaped}"""' if "\n" in text else f'"{escaped}"'
    return body + (f"@{lang}" if lang else "")


def iri(path: str) -> str:
    return f"<{ID}{path}>"


class Writer:
    def __init__(self) -> None:
        self.out: list[str] = []

    def comment(self, text: str) -> None:
        self.out.append(f"# {'-' * 93}\n# {text}\n# {'-' * 93}\n")

    def subject(self, subject: str, pairs: list[tuple[str, list[str] | str]]) -> None:
        lines = [subject]
        items = [(p, [o] if isinstance(o, str) else o) for p, o in pairs]
        items = [(p, o) for p, o in items if o]
        for i, (pred, objs) in enumerate(items):
            end = " ." if i == len(items) - 1 else " ;"
            if len(objs) == 1:
                lines.append(f"    {pred} {objs[0]}{end}")
            else:
                lines.append(f"    {pred}")
                for j, obj in enumerate(objs):
                    sep = end if j == len(objs) - 1 else " ,"
                    lines.append(f"        {obj}{sep}")
        self.out.append("\n".join(lines) + "\n")


def build(source: dict) -> str:
    processes = source["processes"]
    ids = [p["id"] for p in processes]
    w = Writer()
    w.out.append(
        "# The ISO/IEC 30145-1:2021 smart city business process framework as RDF.\n"
        "# Generated by tools/build_framework.py from tools/framework_source.json; committed.\n"
        f"# Rights: {RIGHTS}\n\n"
        "@prefix bpf:     <https://w3id.org/bpfgraph/def#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .\n"
    )

    w.comment("The business process framework (clauses 1 and 4)")
    w.subject(
        iri("framework"),
        [
            ("a", "bpf:ProcessFramework , bpf:FrameworkComponent , skos:ConceptScheme"),
            ("rdfs:label", lit("Smart city business process framework")),
            ("skos:prefLabel", lit("Smart city business process framework")),
            ("dcterms:title", lit("Smart city business process framework")),
            ("dcterms:description", [lit(FRAMEWORK_AIM), lit(FRAMEWORK_SCOPE)]),
            ("bpf:ordinal", "3"),
            ("bpf:furtherDetailedIn", iri(f"document/{DOC}")),
            ("bpf:hasProcess", [iri(f"process/{i}") for i in ids]),
            ("skos:hasTopConcept", [iri(f"process/{i}") for i in ids]),
            ("dcterms:rights", lit(RIGHTS)),
            ("dcterms:license", "<https://creativecommons.org/licenses/by/4.0/>"),
            ("dcterms:source", [iri("clause/4"), iri("clause/1")]),
        ],
    )

    w.comment("The smart city ICT reference framework (clause 0)")
    components = []
    for key, _label, _doc in COMPONENTS:
        components.append(iri("framework") if key is None else iri(f"component/{key}"))
    w.subject(
        iri("reference-framework"),
        [
            ("a", "bpf:ReferenceFramework"),
            ("rdfs:label", lit("Smart city ICT reference framework")),
            ("dcterms:description", lit(COMPONENTS_TEXT)),
            ("bpf:hasComponent", components),
            ("bpf:hasStakeholder", [iri(f"stakeholder/{slug(s)}") for s in STAKEHOLDERS]),
            ("bpf:hasVisionOutcome", [iri(f"vision-outcome/{slug(v)}") for v in VISION_OUTCOMES]),
            ("bpf:visionStatement", lit(VISION_TEXT)),
            ("dcterms:source", [iri("clause/0.1"), iri("clause/0.2"), iri("clause/0.3")]),
        ],
    )
    for n, (key, label, doc) in enumerate(COMPONENTS, 1):
        if key is None:
            continue
        w.subject(
            iri(f"component/{key}"),
            [
                ("a", "bpf:FrameworkComponent"),
                ("rdfs:label", lit(label)),
                ("bpf:ordinal", str(n)),
                ("bpf:furtherDetailedIn", iri(f"document/{doc}")),
                ("dcterms:source", iri("clause/0.1")),
            ],
        )
    for n, name in enumerate(STAKEHOLDERS, 1):
        w.subject(
            iri(f"stakeholder/{slug(name)}"),
            [
                ("a", "bpf:Stakeholder"),
                ("rdfs:label", lit(name)),
                ("bpf:ordinal", str(n)),
                ("skos:scopeNote", lit(STAKEHOLDERS_TEXT)),
                ("dcterms:source", iri("clause/0.2")),
            ],
        )
    for n, name in enumerate(VISION_OUTCOMES, 1):
        w.subject(
            iri(f"vision-outcome/{slug(name)}"),
            [
                ("a", "bpf:VisionOutcome"),
                ("rdfs:label", lit(name)),
                ("bpf:ordinal", str(n)),
                ("skos:scopeNote", lit(VISION_OUTCOMES_TEXT)),
                ("dcterms:source", iri("clause/0.3")),
            ],
        )

    w.comment("The 21 business processes (clauses 5, 6 and 7)")
    work_products: dict[str, tuple[str, list[str]]] = {}
    for n, p in enumerate(processes, 1):
        pid = p["id"]
        base = f"process/{pid}"
        clause_iri = iri(f"clause/{p['clause']}")
        notes = p["relationship_notes"]
        others = [i for i in ids if i != pid] if notes["requires_all"] else []
        docs = [slug(r["document"]) for r in p["reference_documents"]]
        detailed = []
        for doc in ("iso-iec-30145-2", "iso-iec-30145-3"):
            if notes["text"] and DOCUMENTS[doc][0] in notes["text"]:
                detailed.append(iri(f"document/{doc}"))
        for name in p["inputs"] + p["outputs"]:
            key = slug(name)
            if key in work_products and work_products[key][0] != name:
                raise SystemExit(f"slug clash: {name!r} vs {work_products[key][0]!r}")
            work_products.setdefault(key, (name, []))
            if clause_iri not in work_products[key][1]:
                work_products[key][1].append(clause_iri)
        w.subject(
            iri(base),
            [
                ("a", f"{TYPES[pid[0]]} , skos:Concept"),
                ("rdfs:label", lit(p["name"])),
                ("skos:prefLabel", lit(p["name"])),
                ("skos:altLabel", lit(ALT_LABELS[pid]) if pid in ALT_LABELS else []),
                ("skos:notation", lit(pid, None)),
                ("dcterms:identifier", lit(pid, None)),
                ("bpf:ordinal", str(n)),
                ("bpf:briefDescription", lit(p["brief_description"])),
                ("bpf:extendedDescription", lit("\n".join(p["extended_description"]))),
                ("bpf:purpose", lit("\n".join(p["purpose"]))),
                ("skos:scopeNote", lit(p["clause_note"]) if p["clause_note"] else []),
                (
                    "bpf:outcomesIntroduction",
                    lit(p["outcomes_intro"]) if p["outcomes_intro"] else [],
                ),
                (
                    "bpf:hasOutcome",
                    [iri(f"{base}/outcome/{i}") for i in range(1, len(p["outcomes"]) + 1)],
                ),
                (
                    "bpf:hasBasePractice",
                    [iri(f"{base}/practice/{i}") for i in range(1, len(p["base_practices"]) + 1)],
                ),
                ("bpf:workProductsHeading", lit(p["work_products_heading"])),
                ("bpf:hasInput", [iri(f"work-product/{slug(x)}") for x in p["inputs"]]),
                ("bpf:hasOutput", [iri(f"work-product/{slug(x)}") for x in p["outputs"]]),
                (
                    "bpf:hasWorkProductUsage",
                    [iri(f"{base}/input/{i}") for i in range(1, len(p["inputs"]) + 1)]
                    + [iri(f"{base}/output/{i}") for i in range(1, len(p["outputs"]) + 1)],
                ),
                ("bpf:relatedProcess", [iri(f"process/{r}") for r in notes["related"]]),
                ("bpf:requiresProcess", [iri(f"process/{r}") for r in others]),
                ("bpf:relationshipNote", lit(notes["text"]) if notes["text"] else []),
                ("bpf:hasReferenceDocument", [iri(f"document/{d}") for d in docs]),
                ("bpf:referenceNote", [lit(r["text"]) for r in p["reference_documents"]]),
                ("bpf:furtherDetailedIn", detailed),
                ("skos:inScheme", iri("framework")),
                ("skos:topConceptOf", iri("framework")),
                ("dcterms:source", clause_iri),
            ],
        )
        for kind, items, cls, code in (
            ("outcome", p["outcomes"], "bpf:Outcome", "O"),
            ("practice", p["base_practices"], "bpf:BasePractice", "BP"),
        ):
            for i, text in enumerate(items, 1):
                label = "outcome" if kind == "outcome" else "base practice"
                w.subject(
                    iri(f"{base}/{kind}/{i}"),
                    [
                        ("a", cls),
                        ("rdfs:label", lit(f"{pid} {label} {i}")),
                        ("skos:notation", lit(f"{pid}-{code}{i}", None)),
                        ("bpf:statement", lit(text)),
                        ("bpf:ordinal", str(i)),
                        ("bpf:outcomeOf" if kind == "outcome" else "bpf:practiceOf", iri(base)),
                        ("dcterms:source", clause_iri),
                    ],
                )
        for role, names in (("input", p["inputs"]), ("output", p["outputs"])):
            for i, name in enumerate(names, 1):
                w.subject(
                    iri(f"{base}/{role}/{i}"),
                    [
                        ("a", "bpf:WorkProductUsage"),
                        ("rdfs:label", lit(f"{pid} {role} {i}")),
                        ("bpf:workProduct", iri(f"work-product/{slug(name)}")),
                        (
                            "bpf:workProductRole",
                            "bpf:InputRole" if role == "input" else "bpf:OutputRole",
                        ),
                        ("bpf:ordinal", str(i)),
                        ("dcterms:source", clause_iri),
                    ],
                )

    w.comment("Work products (one resource per name, however many processes name it)")
    for key, (name, clauses) in sorted(work_products.items()):
        w.subject(
            iri(f"work-product/{key}"),
            [
                ("a", "bpf:WorkProduct"),
                ("rdfs:label", lit(name)),
                ("dcterms:source", clauses),
            ],
        )

    w.comment("Documents and clauses cited as sources")
    for key, (label, title) in DOCUMENTS.items():
        w.subject(
            iri(f"document/{key}"),
            [
                ("a", "bpf:ReferenceDocument"),
                ("rdfs:label", lit(label)),
                ("dcterms:title", lit(title) if title else []),
                (
                    "dcterms:rights",
                    lit("© ISO/IEC 2021. All rights reserved.") if key == DOC else [],
                ),
                ("dcterms:issued", '"2021"^^xsd:gYear' if key == DOC else []),
            ],
        )
    clauses = dict(CLAUSES)
    for p in processes:
        clauses[p["clause"]] = p["clause_title"]
    for number in sorted(clauses, key=lambda c: [int(x) for x in c.split(".")]):
        w.subject(
            iri(f"clause/{number}"),
            [
                ("a", "bpf:Clause"),
                ("rdfs:label", lit(f"ISO/IEC 30145-1:2021, {number} {clauses[number]}")),
                ("dcterms:title", lit(clauses[number])),
                ("bpf:clauseNumber", lit(number, None)),
                ("dcterms:isPartOf", iri(f"document/{DOC}")),
            ],
        )
    return "\n".join(w.out)


def main() -> None:
    source = json.loads((ROOT / "tools" / "framework_source.json").read_text(encoding="utf-8"))
    text = build(source)
    (ROOT / "data" / "framework.ttl").write_text(text, encoding="utf-8")
    print(f"wrote data/framework.ttl ({len(text.splitlines())} lines)")


if __name__ == "__main__":
    main()
