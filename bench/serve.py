"""`python -m bench.serve run app.py ...`: `streamlit run` that logs each script run's time.

It takes `streamlit`'s own arguments, so that tests/browser/launcher.py starts
it as it starts `python -m streamlit` for the browser tests. Used by
bench/run.py for cold start, memory and the two actions. Each run of the
script thread (a whole page, or only a fragment after a click in it, with the
callbacks and any st.rerun it asked for) is appended as one JSON line to the
file named by BENCH_RUN_LOG.
"""

import json
import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_LOG = os.environ.get("BENCH_RUN_LOG")
_LOCK = threading.Lock()
_original = script_runner.ScriptRunner._run_script


_PROFILE = os.environ.get("BENCH_PROFILE")  # a folder: one cProfile file per run
_runs = iter(range(1_000_000))


def _timed(self, rerun_data):
    start, cpu = time.perf_counter(), time.thread_time()
    profile = None
    if _PROFILE:
        import cProfile
        profile = cProfile.Profile()
        profile.enable()
    try:
        return _original(self, rerun_data)
    finally:
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.path.join(_PROFILE, f"run-{next(_runs):04d}.prof"))
        if _LOG:
            line = json.dumps({
                "ms": (time.perf_counter() - start) * 1000,
                "cpu_ms": (time.thread_time() - cpu) * 1000,  # this script thread's CPU
                "fragment": bool(rerun_data.fragment_id_queue),
                "page": rerun_data.page_name or "",
                "end": time.time(),
            })
            with _LOCK, open(_LOG, "a") as log:
                log.write(line + "\n")


script_runner.ScriptRunner._run_script = _timed

if __name__ == "__main__":
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
