"""An empty page: the app's style and a title, nothing read from the database."""

import streamlit as st

from fieldkit.ui import style

style.apply()
st.title("Empty")
