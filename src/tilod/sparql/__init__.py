"""The SPARQL 1.1 Protocol and content negotiation, without Flask: what a request asks for.

media_types: the formats tilod serves; negotiation: Accept parsing and the one decision per
request; guard: what a public endpoint refuses to run; protocol: the query operation's
parameters and the query's form.
"""
