"""`make bench`: FieldKit measured on a heavy user's database (see run.py)."""
