"""Shared machinery of the served application (REST API and dashboard, siblings of each other).

Server state and limits (:mod:`~kaigai.service.state`), sessions, CSRF and rate limits
(:mod:`~kaigai.service.security`), request payload checks (:mod:`~kaigai.service.payloads`),
the answer cache (:mod:`~kaigai.service.fastpath`) and the HTTP helpers both shells use
(:mod:`~kaigai.service.http`). It answers no question itself: the API routers and the web pages
call :mod:`kaigai.app` (the served answers in :mod:`kaigai.app.served`).
"""
