"""A real IMAP server for the mailbox tests and the benchmark: Debian's Dovecot, private.

`MailServer()` writes a Dovecot 2.3 configuration into a temporary folder of
its own (run, state and log files, the mail under ``home``), starts
``dovecot -F -c FILE`` on a free port of 127.0.0.1 and waits for its
greeting; ``stop()`` ends that one process and removes the folder. The
folder is made in the system's temporary folder, readable by all (as root,
Dovecot reads the mail as ``nobody``, who cannot enter pytest's private
folders). No system service is used or touched. Every user name logs in
with the one password and has a mailbox of its own (``mailbox(user)``), so
tests share a server, each with its own user. Mail is seeded by writing
message files into the user's Maildir: ``deliver("INBOX", raw)`` or
``deliver("Sent", raw)``, with the file's time set to the message's date
(what IMAP calls its INTERNALDATE).

Why here: test infrastructure (as launcher.py is), used by tests/ and by
bench/mail.py; standard library only.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from fieldkit.processes import end
from tests.browser.launcher import free_port

USER = "me@fieldkit.test"
PASSWORD = "correct-horse-battery-staple"  # static passdb args: no spaces
START_TIMEOUT = 15.0
DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")

_names = itertools.count(1)


def find_dovecot() -> str | None:
    """Path of the dovecot binary (Debian: apt-get install dovecot-imapd), or None."""
    for candidate in DOVECOT_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("dovecot")


def _config(folder: Path, port: int, password: str, owner: str, group: str) -> str:
    # Each block on its own lines: Dovecot 2.3 refuses "{ port = N }" on one line.
    unprivileged = "" if os.geteuid() == 0 else (
        f"default_internal_user = {owner}\ndefault_internal_group = {group}\n"
        f"default_login_user = {owner}\n")
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
{unprivileged}passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={owner} gid={group} home={folder}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = create
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class MailServer:
    """A private Dovecot on a free port of 127.0.0.1, its files in a temporary folder.

    Any user name logs in with ``password``; each has a mailbox of its own
    (``mailbox(user)``), so tests can share one server.
    """

    def __init__(self, *, password: str = PASSWORD, nice: int = 0):
        binary = find_dovecot()
        if binary is None:
            raise FileNotFoundError("dovecot not found: apt-get install dovecot-imapd")
        self.folder = Path(tempfile.mkdtemp(prefix="fieldkit-dovecot-"))
        self.folder.chmod(0o755)
        self.password = password
        self.host, self.port = "127.0.0.1", free_port()
        if os.geteuid() == 0:
            owner, group = "nobody", "nogroup"
        else:
            import grp
            import pwd
            owner = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
        self.owner = (owner, group)
        for sub in ("run", "state", "home"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self.own(self.folder / "home")
        self.config = self.folder / "dovecot.conf"
        self.config.write_text(_config(self.folder, self.port, password, owner, group))
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.config)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.nice(nice)) if nice else None)
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not answer on {self.port}:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        end(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> MailServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def own(self, path: Path) -> None:
        """Give ``path`` (and what is in it) to the user Dovecot reads mail as."""
        if os.geteuid() == 0:
            shutil.chown(path, *self.owner)
            for child in path.rglob("*") if path.is_dir() else ():
                shutil.chown(child, *self.owner)

    def mailbox(self, user: str = USER) -> Mailbox:
        """The mailbox of ``user`` on this server (made empty if new)."""
        return Mailbox(self, user)


class Mailbox:
    """One user's Maildir on a MailServer: what a test seeds and looks at."""

    def __init__(self, server: MailServer, user: str):
        self.server, self.user, self.password = server, user, server.password
        self.host, self.port = server.host, server.port
        self.maildir = server.folder / "home" / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        server.own(server.folder / "home" / user)

    def folder_path(self, name: str) -> Path:
        """The Maildir++ folder of mailbox ``name`` ("INBOX", "Sent", "Work/Clients")."""
        if name.upper() == "INBOX":
            return self.maildir
        return self.maildir / ("." + name.replace("/", "."))

    def deliver(self, folder: str, raw: bytes, *, when: datetime | None = None,
                seen: bool = False) -> Path:
        """Put one message file into ``folder``; its time is ``when`` (its INTERNALDATE)."""
        box = self.folder_path(folder)
        if box != self.maildir and not (box / "cur").exists():
            for sub in ("cur", "new", "tmp"):
                (box / sub).mkdir(parents=True, exist_ok=True)
            (box / "maildirfolder").touch()
            self.server.own(box)
        n = next(_names)
        path = box / "cur" / f"{int(time.time())}.M{n}P{os.getpid()}.fieldkit:2,{'S' if seen else ''}"
        path.write_bytes(raw)
        if when is not None:
            stamp = when.timestamp()
            os.utime(path, (stamp, stamp))
        self.server.own(path)
        return path

    def renumber(self, folder: str) -> None:
        """Make the server give ``folder`` a new UIDVALIDITY, as after a mailbox rebuild."""
        box = self.folder_path(folder)
        for path in box.iterdir():
            if path.name == "dovecot-uidlist" or path.name.startswith("dovecot.index"):
                path.unlink()

    def files(self, folder: str = "INBOX") -> list[Path]:
        box = self.folder_path(folder)
        return sorted([*(box / "cur").iterdir(), *(box / "new").iterdir()])


def message(*, sender: str = "Ada Lovelace <ada@example.org>", to: str = USER,
            subject: str = "Hello", date: datetime | None = None,
            message_id: str | None = None, extra: dict[str, str] | None = None,
            content_type: str = "text/plain; charset=utf-8",
            body: str = "Good to meet you.\n", cc: str | None = None,
            bcc: str | None = None) -> bytes:
    """The bytes of a plain RFC 5322 message with these headers."""
    date = date or datetime.now(timezone.utc)
    lines = [f"From: {sender}", f"To: {to}"]
    if cc:
        lines.append(f"Cc: {cc}")
    if bcc:
        lines.append(f"Bcc: {bcc}")
    lines += [f"Subject: {subject}", f"Date: {format_datetime(date)}",
              f"Message-ID: {message_id or f'<{next(_names)}.{time.time_ns()}@fieldkit.test>'}",
              "MIME-Version: 1.0", f"Content-Type: {content_type}"]
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")
