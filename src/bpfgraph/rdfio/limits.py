"""The limits on RDF input, each named with its value in the message that refuses it, and the
thresholds that decide when rdflib's parser is tried after Oxigraph's."""

#: the longest literal accepted (characters, with its language tag); longer ones are abuse
MAX_LITERAL = 1_000_000

#: the longest IRI accepted (characters), datatype IRIs included
MAX_IRI = 1_000_000

#: the deepest nesting accepted: ``[ ]``/``( )`` in Turtle and TriG (and ``{ }`` in N3),
#: ``{ }``/``[ ]`` in JSON-LD, elements in RDF/XML
MAX_NESTING = 100

#: the most distinct prefix declarations accepted in one document
MAX_PREFIXES = 500

#: the most digits accepted in a JSON number (Python's limit for converting one)
MAX_NUMBER_DIGITS = 4_300

#: the base rdflib's parsers resolve relative IRIs against when the input declares none (they
#: would take the process's directory, ``file:///…``): IRIs under it are refused as relative
NO_BASE = "http://relative-iri.invalid/"

# --- when rdflib's parser reads what Oxigraph's refuses --------------------------------------

#: inputs up to this size that Oxigraph's parser refuses go to rdflib's, for its messages and
#: leniency; rdflib's is slow on large ones (quadratic in the length of an N-Triples line)
RDFLIB_FALLBACK_BYTES = 512 * 1024

#: rdflib's Turtle parser recurses some eight frames a level: deeper inputs never go to it
RDFLIB_NESTING = 32
