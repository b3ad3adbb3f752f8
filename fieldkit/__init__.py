"""FieldKit: a networking field companion for product managers.

The core package is plain Python over one SQLite file; only ``fieldkit.ui``
may import streamlit.
"""

__version__ = "0.1.0"
