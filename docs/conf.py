"""Sphinx configuration of the documentation site (build: ``bash .ci/docs``).

The five notebooks of ``notebooks/`` (the folder the package ships) are copied into ``docs/notebooks/`` at the start
of every build and executed there by myst-nb; the copies are generated and git-ignored.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import nbformat

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import nwbconfig_widget  # noqa: E402  (imported from the checkout above)

project = "nwbconfig_widget"
author = "nwbconfig_widget developers"
copyright = "nwbconfig_widget developers"  # noqa: A001 (Sphinx's name)
release = nwbconfig_widget.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    "sphinxarg.ext",
    "sphinx_copybutton",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# Warnings are errors in CI (``-W -n``): every cross-reference of our own must resolve.
nitpicky = True
# Types of third-party packages and of the standard library: no inventory of theirs can be downloaded during the
# build (no network), so references to them stay plain text. Our own names are never ignored here.
_THIRD_PARTY = (
    "numpy|np|pandas|pd|h5py|zarr|numcodecs|hdf5plugin|hdmf|hdmf_zarr|pynwb|anywidget|ipywidgets|traitlets"
    "|matplotlib|tqdm|dask|distributed|neuroconv|argparse|pathlib|os|io|collections|typing|concurrent"
    "|threading|multiprocessing|logging|json|enum|dataclasses|types|signal"
)
nitpick_ignore_regex = [
    (r"py:.*", rf"({_THIRD_PARTY})(\..+)?"),
]

# Optional links into other projects' documentation, from inventories on this machine only (never downloaded):
# NWBCONFIG_INTERSPHINX="python=/usr/share/doc/python3-doc/html/objects.inv;numpy=/path/objects.inv".
intersphinx_mapping: dict[str, tuple[str, str]] = {}
_INTERSPHINX_URLS = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "pandas": "https://pandas.pydata.org/docs",
    "h5py": "https://docs.h5py.org/en/stable",
    "matplotlib": "https://matplotlib.org/stable",
}
for _entry in filter(None, os.environ.get("NWBCONFIG_INTERSPHINX", "").split(";")):
    _name, _, _inventory = _entry.partition("=")
    if _name in _INTERSPHINX_URLS and Path(_inventory).is_file():
        intersphinx_mapping[_name] = (_INTERSPHINX_URLS[_name], _inventory)

# API reference: autosummary writes one page per object into api/generated/ (git-ignored).
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True, "member-order": "bysource"}
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False
add_module_names = False
python_use_unqualified_type_names = True

# Notebooks: executed on every build, a failing cell fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_execution_in_temp = True
nb_merge_streams = True
# A widget is live only in a running kernel: the static page leaves it out (the note added below says so and shows a
# picture) and loads no widget JavaScript from a CDN.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "amsmath"]
myst_heading_anchors = 3
# Markdown links resolve to documents and Python objects only (sphinx-argparse's domain cannot resolve them).
myst_ref_domains = ["std", "py"]

# No en dash for "--": command-line options (``--out``) are written that way in help texts.
smartquotes_action = "qe"

html_theme = "pydata_sphinx_theme"
html_title = f"nwbconfig_widget {release}"
html_static_path = ["_static"]
html_css_files = ["nwbconfig.css"]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "changelog": [], "benchmarks": [], "reliability": []}


def _public_bases(app, name, obj, options, bases: list) -> None:
    """Show no private base class and no mixin: their public methods are documented on the class itself."""
    bases[:] = [
        base
        for base in bases
        if base is not object and not base.__name__.startswith("_") and not base.__name__.endswith("Mixin")
    ]


def _resolve_reexported_names(app, env, node, contnode):
    """Resolve a reference to one of our objects by the name it is documented under.

    The API reference documents what ``nwbconfig_widget`` exports under that short name
    (``nwbconfig_widget.preview_compression``), and the rest under its module; a docstring may name either
    (``:func:`preview_compression```, ``:func:`nwbconfig_widget.preview.preview_compression```). A reference resolves
    here only when exactly one documented object of this package has that name; anything else stays a warning.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip(".~")
    if not (target.startswith("nwbconfig_widget.") or "." not in target):
        return None
    name = target.rsplit(".", 1)[-1]
    domain = env.get_domain("py")
    found = {
        full: entry
        for full, entry in domain.objects.items()
        if full.startswith("nwbconfig_widget.") and full.rsplit(".", 1)[-1] == name and not entry.aliased
    }
    if f"nwbconfig_widget.{name}" in found:
        found = {f"nwbconfig_widget.{name}": found[f"nwbconfig_widget.{name}"]}
    if len(found) != 1:
        return None
    [(full, entry)] = found.items()
    from sphinx.util.nodes import make_refnode

    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, full)


def _only_our_inherited_members(app, what, name, obj, skip, options):
    """With ``:inherited-members:`` (the widget), document what this package defines, not ipywidgets' API."""
    if what != "class" or not options.get("inherited_members"):
        return None
    defined_in = getattr(getattr(obj, "fget", obj), "__module__", None)
    # (autodoc stands in for an attribute set in ``__init__`` with a sentinel object of its own)
    if isinstance(defined_in, str) and not defined_in.startswith(("nwbconfig_widget", "sphinx.")):
        return True
    return None


_TEXT_ONLY_OUTPUT = re.compile(r"<Figure size [^>]*>|<[\w.]+ object at 0x[0-9a-f]+>")


def _warn_about_text_only_outputs(app, doctree, docname: str) -> None:
    """A notebook output that is only the text form of a figure or an object means its picture is missing.

    (A matplotlib Figure built without pyplot shows as ``<Figure size ...>`` unless the inline backend is on.)
    """
    if not docname.startswith("notebooks/"):
        return
    from docutils import nodes
    from sphinx.util import logging

    for block in doctree.findall(nodes.literal_block):
        text = block.astext().strip()
        if _TEXT_ONLY_OUTPUT.fullmatch(text):
            logging.getLogger(__name__).warning(
                "a notebook output shows only %s, not the picture or view", text, location=block
            )


_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _drop_widget_state(app, pagename, templatename, context, doctree) -> None:
    """Leave out the widget state myst-nb embeds for an ipywidgets page: no widget is shown, so nothing reads it."""
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [
            script for script in scripts if getattr(script, "attributes", {}).get("type") != _WIDGET_STATE
        ]


def setup(app) -> None:
    # after myst-nb has added a notebook page's scripts (default priority 500)
    app.connect("html-page-context", _drop_widget_state, priority=900)
    app.connect("doctree-resolved", _warn_about_text_only_outputs)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("autodoc-skip-member", _only_our_inherited_members)
    app.connect("missing-reference", _resolve_reexported_names)


# --- the notebooks --------------------------------------------------------------------------------------------------

_WIDGET_NOTE = """\
:::{note}
In Jupyter the next cell shows the widget, as in the picture below; its buttons and boxes need a running kernel, so
this page leaves the widget out and shows everything else the cell does. Run `nwbconfig demo` to open this notebook
in JupyterLab with a live widget.

![The configurator widget in JupyterLab](../widget_overview.png)
:::"""


def _shows_a_widget(cell: nbformat.NotebookNode) -> bool:
    source = cell.source
    return cell.cell_type == "code" and ("ConfiguratorWidget(" in source or "ConfiguratorWidget.from_" in source)


def stage_notebooks(source: Path = ROOT / "notebooks", target: Path = DOCS / "notebooks") -> list[Path]:
    """Copy the shipped notebooks into the docs source, with a note above the first cell that shows a widget.

    That cell's output (the widget, which has only an unhelpful text form on a static page) is left out when the
    cell prints nothing else. A copy is rewritten only when its text changes, so an incremental build reads (and
    runs) only the notebooks that changed.
    """
    staged = []
    for path in sorted(source.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            if _shows_a_widget(cell):
                if "print(" not in cell.source:
                    cell.metadata.setdefault("tags", []).append("remove-output")
                note = nbformat.v4.new_markdown_cell(_WIDGET_NOTE)
                note.id = "static-page-widget-note"  # fixed, so that the copy's text only changes with its source
                notebook.cells.insert(index, note)
                break
        text = nbformat.writes(notebook)
        copy = target / path.name
        if not copy.exists() or copy.read_text(encoding="utf-8") != text:
            copy.write_text(text, encoding="utf-8")
        staged.append(copy)
    for stale in set(target.glob("*.ipynb")) - set(staged):
        stale.unlink()
    return staged


# The NeuroConv notebook shows nothing but its headings without NeuroConv; refuse to publish it that way.
if importlib.util.find_spec("neuroconv") is None:
    raise RuntimeError('the docs execute the NeuroConv notebook, which needs NeuroConv: pip install -e ".[docs]"')
stage_notebooks()
