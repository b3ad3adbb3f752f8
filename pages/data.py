"""Data (/data): bring people in, take everything out, back up, restore, merge twins."""

import functools

import pandas as pd
import streamlit as st

from fieldkit import backup, clock, config, exports, imports, merge, vcard
from fieldkit.errors import FieldkitError
from fieldkit.ui import actions, cached, database, nav
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

nav.bottom_bar()
state = st.session_state
READERS = {"csv": ("LinkedIn connections", "linkedin"), "vcf": ("vCard", "vcard")}


def deferred(make):
    """Download data made only when the button is tapped, on its own connection."""
    def data():
        with open_db() as db:
            return make(db)
    return data


st.title("Data")
if note := state.pop("data_message", None):
    st.success(note, icon=":material/check:")

st.subheader("Import")
upload = st.file_uploader("LinkedIn Connections.csv or a vCard (.vcf) file",
                          type=list(READERS), key=f"data_import_{state.get('data_gen', 0)}")
if upload is not None:
    label, kind = READERS[upload.name.rsplit(".", 1)[-1].lower()]
    try:
        # Read and matched once per file and database state: tapping Import
        # then only writes.
        preview = cached.import_preview(kind, upload.getvalue(), upload.name)
    except FieldkitError as exc:
        actions.show(str(exc))
    else:
        counts = preview.counts
        with st.container(horizontal=True):
            st.metric("New", counts["new"], border=True)
            st.metric("Matched", counts["matched"], border=True)
            st.metric("Skipped", counts["skipped"], border=True)
        st.dataframe(pd.DataFrame([
            {"Row": r.number, "What": r.action, "Name": r.name, "Why": r.reason or ""}
            for r in preview.rows]), hide_index=True, width="stretch", height=240)
        if (st.button(f"Import from this {label} file", type="primary", width="stretch",
                      disabled=not (counts["new"] or counts["matched"]))
                and (done := actions.write(lambda db: imports.apply(db, preview)))):
            state["data_message"] = (f"Imported: {done.value['new']} new, "
                                     f"{done.value['matched']} matched, "
                                     f"{done.value['skipped']} skipped.")
            state["data_gen"] = state.get("data_gen", 0) + 1
            st.rerun()

st.subheader("Export")
stamp = clock.utc_now().strftime("%Y-%m-%d")
st.download_button("All tables as CSV (zip)", deferred(exports.csv_zip),
                   file_name=f"fieldkit-{stamp}-csv.zip", mime="application/zip",
                   width="stretch", icon=":material/table:", on_click="ignore")
st.download_button("People as vCard", deferred(lambda db: vcard.export(db).encode("utf-8")),
                   file_name=f"fieldkit-{stamp}.vcf", mime="text/vcard", width="stretch",
                   icon=":material/contacts:", on_click="ignore")
st.download_button("Follow-ups for your calendar (.ics)",
                   deferred(lambda db: exports.followups_ics(db, config.load(db))),
                   file_name="fieldkit-followups.ics", mime="text/calendar", width="stretch",
                   icon=":material/calendar_month:", on_click="ignore")

st.subheader("Your own card")
with open_db() as db:
    settings = config.load(db)
try:
    mine = vcard.own_card(settings)
except FieldkitError:
    st.caption("Set your name in Settings to make a card and a QR code to show at the booth.")
else:
    st.image(vcard.own_qr_png(mine), caption="Let people scan this to get your card",
             width=260)
    st.download_button("Your card (.vcf)", mine.encode("utf-8"), file_name="me.vcf",
                       mime="text/vcard", width="stretch", on_click="ignore")

st.subheader("Backup and restore")
st.download_button("Download a backup of everything", deferred(backup.backup_bytes),
                   file_name=f"fieldkit-{stamp}.db", mime="application/vnd.sqlite3",
                   type="primary", width="stretch", icon=":material/backup:",
                   on_click="ignore")
with st.expander("Restore from a backup", icon=":material/restore:"):
    st.write("The current database is kept beside the restored one, so nothing is lost.")
    restore_file = st.file_uploader("A backup made by FieldKit (.db)", type=["db", "sqlite"],
                                    key=f"data_restore_{state.get('data_gen', 0)}")
    if restore_file is not None:
        try:
            info = backup.check_upload(restore_file.getvalue())
        except FieldkitError as exc:
            actions.show(str(exc))
        else:
            st.caption(md(backup.describe(info)))
            if (st.button("Replace my data with this backup", type="primary", width="stretch")
                    and (kept := actions.run(
                        lambda: database.restore(restore_file.getvalue())))):
                state["data_message"] = md("Restored." + (
                    f" The previous data is kept as {kept.value.name}." if kept.value else ""))
                state["data_gen"] = state.get("data_gen", 0) + 1
                st.rerun()

st.subheader("Possible twins")
pairs = cached.twins(limit=20)  # the search for twins runs again only after a change
if not pairs:
    st.caption("No one looks like they were saved twice.")
for pair, side_by_side in pairs:
    keep, drop = pair.first, pair.second
    # Lazy: a pair's fields are drawn only while it is open (twenty pairs'
    # radios on every run would cost more than the rest of the page).
    twin = st.expander(md(f"{keep['name']} · {drop['name']} ({', '.join(pair.reasons)})"),
                       key=f"twin_open_{pair.key}", on_change="rerun")
    if not twin.open:
        continue
    with twin:
        choices = {}
        for field in side_by_side["fields"]:
            if field["same"]:
                continue
            sides = {side: md(field[side] or "(empty)") for side in ("keep", "drop")}
            choices[field["field"]] = st.radio(
                field["label"], list(sides), horizontal=True, format_func=sides.get,
                index=list(sides).index(field["default"]), key=f"m_{pair.key}_{field['field']}")
        moves = side_by_side["moves"]
        st.caption(f"{moves['touches']} touches, {moves['followups']} follow-ups, "
                   f"{moves['photos']} photos and {moves['values']} more emails, phones or "
                   "addresses move to the person kept. For an email, phone or website, "
                   "you choose the main one: the other is kept too.")
        if (st.button("Merge into one", key=f"merge_{pair.key}", width="stretch")
                and actions.write(functools.partial(merge.merge, keep_id=keep["id"],
                                                    drop_id=drop["id"], choices=choices))):
            state["data_message"] = md(f"Merged into {keep['name']}.")
            st.rerun()
