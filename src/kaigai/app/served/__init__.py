"""The application layer's answers for the served application (REST API and dashboard).

The same app functions as the CLI (:mod:`kaigai.app.duty`, :mod:`kaigai.app.origin`,
:mod:`kaigai.app.markets`, :mod:`kaigai.app.plan`, :mod:`kaigai.app.readiness`) with what a
server adds: the per-query answer cache, accounts and workspace records (stored BOMs, profiles,
plans). The API routers and the web pages both call these modules; neither calls the other.
"""
