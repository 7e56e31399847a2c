"""Policy lab: PPML gravity estimation with high-dimensional fixed effects (``ppml``),
general-equilibrium counterfactuals and the small-firm export simulator."""
