"""Records: the real input files read into plain, typed Python records."""
