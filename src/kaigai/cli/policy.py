"""``kaigai policy``: the policy-lab command group.

This module only creates the group and attaches it to the root app. Each policy command
lives in its own module (``policy_estimate.py`` for ``kaigai policy estimate``; the GE,
firm-simulator and scenario commands in their own ``policy_*.py`` modules) and attaches
itself to :data:`policy_app` from its own ``register(app)``::

    from kaigai.cli.policy import policy_app

    def register(app: typer.Typer) -> None:
        policy_app.command("ge")(ge_command)

The group is a :class:`~kaigai.cli.subgroups.LazySubGroup`: a command's module is imported,
and its Click command built, when that command is invoked (``kaigai policy estimate``
builds no other policy command); :data:`~kaigai.cli.registry.SUBCOMMANDS` lists them.
"""

from __future__ import annotations

import typer

from kaigai.cli.subgroups import APPS, LazySubGroup

policy_app: typer.Typer = typer.Typer(
    help="Policy lab: PPML gravity estimation, GE counterfactuals, small-firm export simulator.",
    no_args_is_help=True,
    cls=LazySubGroup,
)
APPS["policy"] = policy_app


def register(app: typer.Typer) -> None:
    """Attach the ``policy`` group to the root app."""
    app.add_typer(policy_app, name="policy")
