"""An OWL 2 DL check written with rdflib: the conditions of the OWL 2 structural specification
(§5.8.1 typing, §11.1 property typing, §11.2 global restrictions where they can bite here) and
of the RDF mapping that a graph like bpfgraph's can break. No profile checker runs offline here
(the OWL API's needs Maven Central at test time), so these are checked directly:

1. every IRI used as a property (not RDF/RDFS/OWL's own) is declared as exactly one of
   owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty;
2. every IRI used as a class (an rdf:type object, either side of rdfs:subClassOf,
   owl:equivalentClass, owl:disjointWith, a domain, an object property's range) is declared
   owl:Class, and no IRI is both a class and a datatype;
3. the range of a data property is a datatype of the OWL 2 datatype map (rdf:langString is
   not one; rdf:PlainLiteral is) or a declared rdfs:Datatype;
4. object properties have IRIs or blank nodes as values, data properties literals, each of a
   datatype of the OWL 2 datatype map (a language-tagged string is an rdf:PlainLiteral);
5. sub-property and inverse axioms relate properties of one kind; property characteristics
   fit the kind (inverse-functional, transitive, symmetric… on object properties only);
6. RDF lists (rdf:first, rdf:rest) appear only inside OWL constructs (owl:unionOf, …), never
   as data;
7. every named individual typed with owl:NamedIndividual is not also declared a property.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

#: the OWL 2 datatype map (OWL 2 Structural Specification §4), plus rdfs:Literal
OWL2_DATATYPES = {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    OWL.real,
    OWL.rational,
    *(
        XSD[n]
        for n in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    ),
}
#: annotation properties OWL 2 predefines
BUILTIN_ANNOTATIONS = {
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.versionInfo,
    OWL.deprecated,
    OWL.priorVersion,
    OWL.backwardCompatibleWith,
    OWL.incompatibleWith,
}
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
#: predicates whose object is an RDF list in the OWL 2 RDF mapping
LIST_PREDICATES = {
    OWL.unionOf,
    OWL.intersectionOf,
    OWL.oneOf,
    OWL.members,
    OWL.disjointUnionOf,
    OWL.propertyChainAxiom,
    OWL.hasKey,
    OWL.withRestrictions,
    OWL.distinctMembers,
}
OBJECT_ONLY = {
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
}
RESERVED = (str(RDF), str(RDFS), str(OWL), str(XSD))


def _reserved(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(RESERVED)


def _datatype(literal: Literal) -> URIRef:
    if literal.language:
        return RDF.PlainLiteral
    return literal.datatype or XSD.string


def problems(g: Graph) -> list[str]:
    """What keeps ``g`` (an ontology with its data, merged) out of OWL 2 DL, one line each."""
    kinds: dict[Node, set[URIRef]] = defaultdict(set)
    for kind in PROPERTY_KINDS:
        for prop in g.subjects(RDF.type, kind):
            kinds[prop].add(kind)
    classes = set(g.subjects(RDF.type, OWL.Class))
    datatypes = set(g.subjects(RDF.type, RDFS.Datatype))
    out: list[str] = []

    # 1. properties declared once
    used = {p for p in g.predicates() if not _reserved(p)}
    used |= {
        t
        for pred in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty)
        for pair in g.subject_objects(pred)
        for t in pair
    }
    for prop in sorted(used | set(kinds)):
        if prop in BUILTIN_ANNOTATIONS:
            continue
        found = kinds.get(prop, set())
        if len(found) != 1:
            names = ", ".join(sorted(k.fragment for k in found)) or "nothing"
            out.append(f"property {prop} declared as {names}")

    # 2. classes declared
    used_classes: set[Node] = set()
    for o in g.objects(None, RDF.type):
        if not _reserved(o):
            used_classes.add(o)
    for pred in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
        for s, o in g.subject_objects(pred):
            used_classes |= {s, o}
    for prop, cls in g.subject_objects(RDFS.domain):
        if kinds.get(prop, set()) & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            used_classes.add(cls)
    for prop, cls in g.subject_objects(RDFS.range):
        if OWL.ObjectProperty in kinds.get(prop, set()):
            used_classes.add(cls)
    for cls in sorted(c for c in used_classes if isinstance(c, URIRef)):
        if cls not in classes and cls != OWL.Thing:
            out.append(f"class {cls} used but not declared owl:Class")
    for term in sorted(classes & datatypes):
        out.append(f"{term} is both a class and a datatype")

    # 3. data property ranges
    for prop in sorted(p for p, k in kinds.items() if OWL.DatatypeProperty in k):
        for rng in g.objects(prop, RDFS.range):
            if rng not in OWL2_DATATYPES and rng not in datatypes:
                out.append(f"data property {prop} has range {rng}, not an OWL 2 datatype")

    # 4. values fit the property kind
    for s, p, o in g:
        found = kinds.get(p, set())
        if OWL.ObjectProperty in found and isinstance(o, Literal):
            out.append(f"object property {p} has the literal {o.n3()} (on {s})")
        elif OWL.DatatypeProperty in found:
            if not isinstance(o, Literal):
                out.append(f"data property {p} has the resource {o} (on {s})")
            elif _datatype(o) not in OWL2_DATATYPES and _datatype(o) not in datatypes:
                out.append(f"data property {p} has {o.n3()}, not of an OWL 2 datatype (on {s})")

    # 5. axioms relate properties of one kind; characteristics fit
    for pred in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
        for a, b in g.subject_objects(pred):
            if kinds.get(a) != kinds.get(b) and not (pred == RDFS.subPropertyOf and _reserved(b)):
                out.append(f"{a} {pred.n3(g.namespace_manager)} {b}: properties of two kinds")
    for char in OBJECT_ONLY:
        for prop in g.subjects(RDF.type, char):
            if OWL.ObjectProperty not in kinds.get(prop, set()):
                out.append(f"{prop} is a {char.fragment} but not an object property")
    for prop in g.subjects(RDF.type, OWL.FunctionalProperty):
        if not kinds.get(prop, set()) & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            out.append(f"{prop} is functional but neither an object nor a data property")

    # 6. RDF lists only inside OWL constructs
    heads = {n for n in g.subjects(RDF.first, None) if (None, RDF.rest, n) not in g}
    for head in heads:
        owners = list(g.predicates(None, head))
        if not owners or any(p not in LIST_PREDICATES for p in owners):
            names = ", ".join(str(p) for p in owners) or "nothing"
            out.append(f"an RDF list is the value of {names}, not of an OWL construct")

    # 7. individuals are not properties
    for ind in g.subjects(RDF.type, OWL.NamedIndividual):
        if kinds.get(ind):
            out.append(f"{ind} is a named individual and a property")
        if isinstance(ind, BNode):
            out.append("a blank node typed owl:NamedIndividual")
    return sorted(set(out))
