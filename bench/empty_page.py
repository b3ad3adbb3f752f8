"""An empty page: a title, nothing read from the database."""

import streamlit as st

st.title("Empty")
