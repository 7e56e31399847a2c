"""Application layer: one function per user question, typed request in, typed result out.

Each module loads its inputs through :mod:`kaigai.data`, calls the pure engines and owns the
caches; the shells (CLI, API, web, reports) and the export plan call only this layer.
See docs/architecture.md.
"""
