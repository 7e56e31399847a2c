"""Dashboard page routers; engine pages are added when their engine is installed."""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter

log = logging.getLogger("kaigai.web")
PAGES = ("auth", "home", "workspace", "plans", "tools", "account")


def routers() -> list[APIRouter]:
    out: list[APIRouter] = []
    for name in PAGES:
        try:
            out.append(importlib.import_module(f"kaigai.web.pages.{name}").router)
        except ModuleNotFoundError as exc:
            log.warning("dashboard page %s not mounted: %s", name, exc)
    return out
