"""``kaigai policy``: the policy-lab command group.

This module only creates the group and attaches it to the root app. Each policy command
lives in its own module (``policy_estimate.py`` for ``kaigai policy estimate``; the GE,
firm-simulator and scenario commands in their own ``policy_*.py`` modules) and attaches
itself to :data:`policy_app` from its own ``register(app)``::

    from kaigai.cli.policy import policy_app

    def register(app: typer.Typer) -> None:
        policy_app.command("ge")(ge_command)

The root app discovers modules in sorted order, so ``policy`` is registered before any
``policy_*`` module; Typer builds the Click group lazily, so commands added afterwards
still appear.
"""

from __future__ import annotations

import typer

policy_app: typer.Typer = typer.Typer(
    help="Policy lab: PPML gravity estimation, GE counterfactuals, small-firm export simulator.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Attach the ``policy`` group to the root app."""
    app.add_typer(policy_app, name="policy")
