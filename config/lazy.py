"""Heavy libraries, imported on first use (docs/architecture.md, "Start-up").

pandas, NumPy and pyarrow take seconds to import. Models, URL conf, views, admin and job kinds are
all loaded when the process starts (``manage.py check``, every management command, each web
worker), yet most requests never touch a DataFrame. A module that computes with them writes

    from config.lazy import pandas as pd

and uses ``pd.DataFrame`` as before: the library is imported on the first attribute read, through
``importlib.import_module`` (thread-safe: the import lock), and each attribute read once is kept on
the proxy, so a hot loop pays nothing after its first read. ``tests/config/test_startup.py`` fails
if start-up imports one of them. Only ``import X as Y`` style use is covered; a module-level use
(a constant built with ``pd.`` or ``np.``) imports the library at start-up again, so keep those
inside functions.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands for a module until an attribute is read; then imports it and caches what was read."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_lazy_name", name)

    def _lazy_module(self) -> ModuleType:
        return importlib.import_module(object.__getattribute__(self, "_lazy_name"))

    def __getattr__(self, attribute: str):  # only called for attributes not cached yet
        value = getattr(self._lazy_module(), attribute)
        object.__setattr__(self, attribute, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {object.__getattribute__(self, '_lazy_name')!r}>"


pandas = LazyModule("pandas")
numpy = LazyModule("numpy")
pyarrow = LazyModule("pyarrow")
pyarrow_csv = LazyModule("pyarrow.csv")
