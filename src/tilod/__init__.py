"""tilod: Territoires d'industrie as Linked Open Data.

The package follows the flow of the data:
records (read the real files) -> graph (mint URIs, make triples) -> validation (SHACL)
-> release (dumps, description, atomic switch) -> serving (HTTP, SPARQL).
"""

__version__ = "0.1.0"
