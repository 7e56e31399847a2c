"""HS nomenclature: codes, descriptions, search, edition concordance."""
