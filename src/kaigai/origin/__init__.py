"""Rules-of-origin engine: rule grammar, rule store, BOM evaluator, what-if and documents."""
