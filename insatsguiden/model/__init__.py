"""Read and check the data: one reader, strict YAML, the schema, the named rules, the catalogue."""
