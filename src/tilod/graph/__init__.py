"""Graph: records become RDF; every URI tilod publishes is minted in `uris`."""
