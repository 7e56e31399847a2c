"""Which module defines each ``kaigai`` command, and its one-line help (read without importing).

The root command (:mod:`kaigai.cli.app`) lists these names and imports a command's modules only
when that command runs, so ``kaigai duty`` never imports the policy lab or the web server.
``tests/cli/test_registry.py`` checks that this table equals what the modules register.
Adding a command: write ``register(app)`` in its module and add one line here (a command of
a group listed in :data:`SUBCOMMANDS`: one line there).
"""

from __future__ import annotations

#: command name -> (modules under kaigai.cli, registered in this order; one-line help)
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "config": (("config_cmd",), "Show the effective configuration."),
    "countries": (
        ("countries",),
        "List countries (ISO3, ISO2, numeric, English/Japanese names) or resolve one.",
    ),
    "data": (("data",), "Datasets: status, import local files, pull from official sources."),
    "demo": (
        ("demo",),
        "The main job in one command: the export plan of the example firm (markets, duty, origin, readiness, actions).",
    ),
    "duty": (
        ("duty",),
        "Every duty option side by side: MFN and each agreement in force, best option, staging path.",
    ),
    "duty-changes": (
        ("duty",),
        "Every line whose rate changed between two dated schedule versions (`kaigai duty changes`).",
    ),
    "duty-import": (
        ("duty",),
        "Import a national tariff schedule file (the documented kaigai schedule format).",
    ),
    "hs": (("hs",), "HS nomenclature: show a code, search descriptions, map editions."),
    "markets": (
        ("markets",),
        "Market finder: export potential (ITC method), untapped potential and market risk.",
    ),
    "origin": (("origin",), "Rules of origin: rule lookup, BOM qualification, what-if, documents."),
    "overview": (
        ("demo",),
        "Product lookup and market overview: what the product is and where the exporter sells it.",
    ),
    "plan": (
        ("plan",),
        "Export plan for a firm: market finder -> duty & FTA -> origin -> readiness -> actions.",
    ),
    "policy": (
        ("policy",),  # its commands: SUBCOMMANDS["policy"]
        "Policy lab: PPML gravity estimation, GE counterfactuals, small-firm export simulator.",
    ),
    "readiness": (
        ("readiness",),
        "Export-readiness self-assessment: scores per dimension, gaps and next steps with why.",
    ),
    "serve": (
        ("serve",),
        "Serve the dashboard (/) and the REST API (/api/v1, docs at /api/v1/docs).",
    ),
}

#: group -> command -> (module under kaigai.cli, the first paragraph of its help): the groups
#: whose commands are built one at a time, when invoked (:mod:`kaigai.cli.subgroups`)
SUBCOMMANDS: dict[str, dict[str, tuple[str, str]]] = {
    "policy": {
        "estimate": (
            "policy_estimate",
            "Estimate gravity models (PPML or OLS) and print coefficients, sample and fit.",
        ),
        "firms": (
            "policy_firms",
            "New exporters, their sales, FTA utilisation and jobs, by firm size.",
        ),
        "ge": (
            "policy_ge",
            "Welfare, trade and multilateral-resistance effects of a new agreement.",
        ),
        "run": (
            "policy_run",
            "Run a policy scenario: GE counterfactual of its agreements and the small-firm"
            " simulator.",
        ),
    },
}

__all__ = ["COMMANDS", "SUBCOMMANDS"]
