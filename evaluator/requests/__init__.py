"""Request documents: reading YAML/JSON, schema validation and its error reports."""
