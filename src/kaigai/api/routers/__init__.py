"""REST routers, one per area, all mounted under /api/v1."""
