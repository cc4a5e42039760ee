"""What a resource's page says: its own triples, labels of what it links to, inverse links.

Bounded, so that a région or the programme never produces a huge page. It reads the release's
data and its named graphs (ontology, VoID, changes) as one, so that the dataset's page shows its
description and a term's label shows beside a type. The subject ?s is
bound by the store (`substitutions` here; a VALUES block at the `#VALUES` line on a remote store,
stores/remote.py), never pasted into the query text.
"""

from __future__ import annotations

import pyoxigraph as ox

INBOUND_LIMIT = 500
OUTBOUND_LIMIT = 2000

OUTBOUND = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
CONSTRUCT {{ ?s ?p ?o . ?o rdfs:label ?label . ?o ?gp ?go }}
WHERE {{
  #VALUES
  {{ ?s ?p ?o OPTIONAL {{ ?o rdfs:label ?label }} }}
  UNION {{ ?s geo:hasGeometry ?o . ?o ?gp ?go }}
}} LIMIT {OUTBOUND_LIMIT}
"""

INBOUND = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?i ?ip ?s . ?i rdfs:label ?label }}
WHERE {{
  #VALUES
  ?i ?ip ?s OPTIONAL {{ ?i rdfs:label ?label }}
}} LIMIT {INBOUND_LIMIT}
"""


def describe(store: ox.Store, uri: str) -> list[ox.Triple]:
    """Triples describing `uri`; empty if the release says nothing about it as a subject."""
    try:
        subject = {ox.Variable("s"): ox.NamedNode(uri)}
    except ValueError:  # not an IRI (a space, '<', '%zz'... in the path): nothing describes it
        return []
    outbound = list(store.query(OUTBOUND, substitutions=subject, use_default_graph_as_union=True))  # type: ignore[arg-type]
    if not outbound:
        return []
    inbound = list(store.query(INBOUND, substitutions=subject, use_default_graph_as_union=True))  # type: ignore[arg-type]
    return distinct(outbound + inbound)


def distinct(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Each triple once (one said in two graphs is matched in each), in the order found."""
    return list(dict.fromkeys(triples))
