"""Separation detection on the standard test cases of the ppmlhdfe project.

The datasets are re-created from sergiocorreia/ppmlhdfe ``test/separation_datasets/*.csv``
(columns ``y``, regressors ``x*``, fixed effects ``id*`` and the known answer ``separated``);
the small ones are embedded here. ppmlhdfe drops exactly the rows with ``separated == 1``
(plus singletons); so must we, and the estimates must then exist (convergence).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from kaigai.policy.ppml import fepois

DATASETS = {
    "02": """\
y,id1,id2,separated
0,1,1,0
1,1,1,0
0,2,1,1
0,2,2,0
1,2,2,0
""",
    "03": """\
y,id1,id2,id3,separated
0,5,3,6,1
0,5,5,7,1
1,1,3,1,0
1,1,5,2,0
1,2,4,1,0
1,2,6,2,0
1,3,1,3,0
1,3,7,4,0
1,4,2,3,0
1,4,8,4,0
1,5,1,5,0
1,5,7,8,0
1,6,2,5,0
1,6,4,6,0
1,6,6,7,0
1,6,8,8,0
""",
    "05": """\
y,x1,x2,x3,x4,separated
0,5,11,2,2,0
0,5,2,11,2,0
0,5,2,2,11,0
0,0,-1,-1,-1,1
1,5,5,5,5,0
2,4,4,4,4,0
3,3,3,3,3,0
4,2,2,2,2,0
5,1,1,1,1,0
""",
    "06": """\
y,x1,x2,x3,x4,separated
0,0,0,0,0,0
0,0,0,0,0,0
0,5,11,2,2,0
0,5,2,11,2,0
0,5,2,2,11,0
0,0,-1,-1,-1,1
1,5,5,5,5,0
2,4,4,4,4,0
3,3,3,3,3,0
4,2,2,2,2,0
5,1,1,1,1,0
""",
    "07": """\
y,x1,x2,id1,id2,separated
0,0,0,1,1,0
0,0,0,1,1,0
0,0,0,1,2,0
0,0,0,1,3,0
0,2,0,1,3,0
0,0,1,2,2,1
0,0,0,2,2,0
0,0,0,2,2,0
0,1,0,2,2,0
0,1,2,2,3,1
0,0,1,2,4,1
0,0,0,4,2,0
0,0,1,5,2,1
1,0,0,1,1,0
1,1,0,4,3,0
1,0,0,5,4,0
2,0,0,1,2,0
2,0,0,2,1,0
""",
    "08": """\
y,x1,x2,id1,id2,separated
0,1,0,1,2,1
0,1,0,2,2,0
1,2,0,1,3,0
1,0,0,2,1,0
1,1,0,2,2,0
1,0,1,2,3,0
2,0,0,2,1,0
2,0,1,2,2,0
2,1,0,2,3,0
""",
    "09": """\
y,x1,x2,x3,separated
0,0,0,1,0
0,0,0,2,0
0,0,0,1,0
0.9788354,3,2,1,0
2.2596662,1,1,2,0
2.4177196,2,2,2,0
2.611468,4,2,1,0
""",
    "10": """\
y,x1,x2,x3,separated
0,-5,0,1,1
0,-2,0,1,1
0,0,2,1,1
0,0,0,2,0
0,0,0,3,1
0,2,3,4,1
0.5,2,2,2,0
1.1,1,1,2,0
2.1,4,2,4,0
3.3,3,3,2,0
""",
    "12": """\
y,id1,id2,separated
0,3,3,0
0,4,3,1
0,4,4,0
0,6,6,0
0,7,7,0
0,8,8,0
0,9,9,0
1,1,1,0
1,2,2,0
1,2,2,0
1,3,3,0
1,4,4,0
1,5,5,0
1,6,6,0
1,7,7,0
1,8,8,0
1,9,9,0
1,10,10,0
""",
    "13": """\
y,id1,id2,separated
0,3,3,0
0,4,3,1
0,4,4,0
0,6,6,0
0,7,7,0
0,8,8,0
0,9,9,0
1,1,1,0
1,2,2,0
1,2,2,0
1,3,3,0
1,4,4,0
1,5,5,0
1,6,6,0
1,7,7,0
1,8,8,0
1,9,9,0
1,10,10,0
""",
    "14": """\
y,x1,x2,separated
0,1,0,0
0,1,0,0
0,-1,0,0
0,0,1,0
0,0,1,0
0,0,1,0
0,0,-1,0
0,0,-1,0
1,0,0,0
2,0,0,0
3,0,0,0
4,0,0,0
5,0,0,0
6,0,0,0
""",
    "15": """\
y,x1,x2,x3,separated
0,1,0,0,0
0,1,0,0,0
0,-1,0,0,0
0,0,1,0,0
0,0,1,0,0
0,0,1,0,0
0,0,-1,0,0
0,0,-1,0,0
0,0,0,1,1
0,0,0,2,1
0,0,0,3,1
0,0,0,4,1
0,0,0,5,1
0,0,0,6,1
0,0,0,7,1
0,0,0,8,1
0,0,0,1000,1
1,0,0,0,0
2,0,0,0,0
3,0,0,0,0
4,0,0,0,0
5,0,0,0,0
6,0,0,0,0
""",
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_ppmlhdfe_separation_dataset(name: str) -> None:
    d = pd.read_csv(io.StringIO(DATASETS[name]))
    xs = [c for c in d.columns if c.startswith("x")]
    ids = [c for c in d.columns if c.startswith("id")]
    fml = "y ~ " + (" + ".join(xs) if xs else "1") + ((" | " + " + ".join(ids)) if ids else "")
    res = fepois(d, fml)
    truth = d.index[d["separated"] == 1]
    found = res.dropped_rows["separated_fe"].union(res.dropped_rows["separated_ir"])
    singletons = res.dropped_rows["singleton"]
    # every truly separated row is dropped (as separated, or first as a singleton) ...
    assert truth.difference(found.union(singletons)).empty
    # ... and no row is called separated that is not
    assert found.difference(truth).empty
    assert res.dropped["separated"] == len(found)
    assert res.converged
    assert np.all(np.isfinite(res.coef.to_numpy()))
