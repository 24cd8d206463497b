"""The configurator widget: one editable row per dataset, synced with the Python model (anywidget).

The subpackage's parts, each with one job:

- :mod:`~nwbconfig_widget.widget.configurator`: :class:`ConfiguratorWidget`, its synced traits, the actions sent by the
  view, the backend switch, the output checks and Apply;
- :mod:`~nwbconfig_widget.widget.rows`: the row, group and total dictionaries the view draws, and the codec menus;
- :mod:`~nwbconfig_widget.widget.edits`: parsing the browser's values and assigning them through the model;
- :mod:`~nwbconfig_widget.widget.write_job`: the write run in a thread, and the read-back of its result;
- :mod:`~nwbconfig_widget.widget.writers`: how Apply writes (a strategy given to the widget);
- :mod:`~nwbconfig_widget.widget.handoff`: worker threads hand their results to the kernel's thread;
- :mod:`~nwbconfig_widget.widget.insight`: preview, details, access costs, presets, codec comparison and export,
  given an ``InsightHost`` that declares what it may use of the widget.

Example:
    >>> from nwbconfig_widget.widget import ConfiguratorWidget
    >>> ConfiguratorWidget.__name__
    'ConfiguratorWidget'
"""

from .configurator import FULL_RESEND_ROWS, ConfiguratorWidget

__all__ = ["FULL_RESEND_ROWS", "ConfiguratorWidget"]
