"""The only part of fieldkit that imports streamlit: shared widgets and state."""
