"""FieldKit's entry: the frame (page config, migrations, the sign-in gate, navigation)."""

from fieldkit.ui import nav

nav.frame()
