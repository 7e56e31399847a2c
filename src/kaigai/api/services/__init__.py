"""Service functions shared by the REST routers and the web pages (no HTTP types here)."""
