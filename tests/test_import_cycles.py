"""No module of the project imports itself back, directly or through others (function-level
imports included): the layers of .importlinter order the apps, this keeps modules inside
an app acyclic too (e.g. a task and the service that enqueues it)."""

import sys

import grimp

PACKAGES = ("espace_citoyen", "home", "news", "search", "site_cms")


def import_cycles() -> list[list[str]]:
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))

    def visit(module):  # Tarjan's strongly connected components
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle():
    assert import_cycles() == []
