"""axe-core audits of the widget in a real browser page, for every host the tests open (JupyterLab, Notebook 7,
marimo, whose widgets sit in shadow roots): axe-core is injected from the front end's dev dependencies."""

from __future__ import annotations

from jupyter_harness import REPO

AXE = REPO / "js" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_missing() -> str | None:
    """Why an audit cannot run here, or None."""
    return None if AXE.exists() else f"{AXE} (run 'npm ci' in js/)"


def audit(page, selector: str = ".nwbcw") -> list[str]:
    """axe-core on the widget's root element (found through shadow roots too): each serious or critical violation,
    with the nodes it names. Injects axe-core into the page the first time."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.locator(selector).first.evaluate("root => axe.run(root, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(
            f"{' '.join(map(str, node['target']))} ({node['failureSummary']})" for node in violation["nodes"][:5]
        )
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


def tab_to(page, css_class: str, limit: int = 400) -> int:
    """Press Tab from the focused element until an element of ``css_class`` (e.g. the Apply button,
    ``nwbcw-apply``) has the focus, looking into shadow roots; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(
            """(name) => { let e = document.activeElement;
                           while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
                           return Boolean(e && e.classList && e.classList.contains(name)); }""",
            css_class,
        ):
            return presses
    raise AssertionError(f"no .{css_class} reached with {limit} presses of Tab")
