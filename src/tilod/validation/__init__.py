"""Validation: SHACL shapes gate every release; `tilod validate` checks a user's territory file."""
