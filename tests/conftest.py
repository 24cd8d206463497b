"""pytest fixtures of the engine tests; the helpers themselves live in nwbfiles.py (a name no other folder uses)."""

from __future__ import annotations

import pytest
from nwbfiles import make_page_nwbfile, make_rich_nwbfile


@pytest.fixture
def page_nwbfile():
    return make_page_nwbfile()


@pytest.fixture
def rich_nwbfile():
    return make_rich_nwbfile()
