"""Drawing for the pages: SVG maps (one pipeline, outlines.py), bar charts, the SPARQL results table."""
