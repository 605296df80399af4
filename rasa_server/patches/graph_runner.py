"""Running the model's graph in the Rasa server without dask's scheduler on every call.

Rasa 3.6 runs its prediction graph (the NLU pipeline for each message, the
policies for each action prediction, several times a turn) through
``DaskGraphRunner.run``: on every call it walks the schema for the nodes the
targets need, builds a dask graph and hands it to dask's synchronous
scheduler, which orders the tasks again. Under load a profile of the Rasa
server put about 9% of its CPU in that bookkeeping rather than in the nodes.

:func:`install` swaps in a ``run`` that works out each target list's nodes
and their order once, then calls the same nodes with the same arguments:
each node gets its needs' ``(name, output)`` pairs, an input arrives as the
``(name, value)`` pair dask would have passed, and a need that is neither a
node nor an input arrives as its bare name, as with dask. A ``RuntimeError``
in a node is still a ``GraphRunError``. Only the Rasa server imports this
package (through our tracker store), so ``rasa train`` keeps dask.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

from rasa_server.patches.guard import replace

Plan = List[Tuple[str, List[str]]]
DASK_RUN = DaskGraphRunner.run  # Rasa's own, kept for comparison
PLANS_ATTRIBUTE = "_run_plans"


def plan(schema: GraphSchema, targets: List[str]) -> Plan:
    """The nodes ``targets`` need, each after its needs, with the names of its needs in order."""
    minimal = schema.minimal_graph_schema(targets)
    ordered: Plan = []
    done: set[str] = set()

    def visit(name: str, path: Tuple[str, ...]) -> None:
        if name in done or name not in minimal.nodes:
            return
        if name in path:
            raise GraphRunError(f"the graph has a cycle through '{name}'")
        needs = list(minimal.nodes[name].needs.values())
        for need in needs:
            visit(need, (*path, name))
        done.add(name)
        ordered.append((name, needs))

    for target in targets:
        visit(target, ())
    return ordered


def run(
    self: DaskGraphRunner, inputs: Dict[str, Any] | None = None, targets: List[str] | None = None
) -> Dict[str, Any]:
    """``DaskGraphRunner.run``: the same nodes, called in an order worked out once per target list."""
    run_targets = targets if targets else self._graph_schema.target_names
    plans: Dict[Tuple[str, ...], Plan] = self.__dict__.setdefault(PLANS_ATTRIBUTE, {})
    key = tuple(run_targets)
    steps = plans.get(key)
    if steps is None:
        steps = plans[key] = plan(self._graph_schema, run_targets)
    results: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and (value in results or any(value == node for node, _ in steps)):
            raise GraphRunError(f"Input value '{value}' clashes with a node name.")
        results[name] = (name, value)
    try:
        for name, needs in steps:
            results[name] = self._instantiated_nodes[name](*(results.get(need, need) for need in needs))
    except RuntimeError as exc:
        raise GraphRunError("Error running runner.") from exc
    return dict(results[target] for target in run_targets)  # each node's (name, output), as dask's result


def install() -> None:
    replace(DaskGraphRunner, "run", "rasa.engine.runner.dask.DaskGraphRunner.run", lambda _rasas: run)
