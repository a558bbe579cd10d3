"""The machine's label, once Réemploi took its hardware report: the asset tag's QR code on
the console, and the label itself on the workstation's printer when one is configured.

Standard library only, like reemploi_workbench.py which imports it. The QR code is drawn
by Debian's `qrencode` (package qrencode) when it is installed; the label PDF comes from
`GET /api/labels/<tag>.pdf` in the stock chosen for this workstation in Réemploi (page
Labels → workstations), and is piped to `--print-command`, e.g. "lp -d zebra" (CUPS).
Nothing here may stop the run: a failure is said, and the erasure goes on.
"""

import contextlib
import json
import shlex
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request

LABEL_PATH = "/api/labels/{tag}.pdf"
QR_TIMEOUT = 10
PRINT_TIMEOUT = 60


def http_fetcher(server, key, timeout=60):
    """A function that GETs a path of Réemploi with the workstation key and returns
    (status, body); status 0 if Réemploi could not be reached."""

    def fetch(path):
        request = urllib.request.Request(
            server.rstrip("/") + path, headers={"Authorization": f"Token {key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            return 0, f"cannot reach {server}: {error}".encode()

    return fetch


def public_url(server, tag):
    # What the printed label's QR code says too: the scan station reads the tag in it.
    return f"{server.rstrip('/')}/d/{urllib.parse.quote(tag)}/"


def qr_code(text, *, which=shutil.which, run=subprocess.run):
    """`text` as a QR code drawn with characters (qrencode -t ANSIUTF8), or None when
    qrencode is not installed or fails."""
    if which("qrencode") is None:
        return None
    try:
        done = run(
            ["qrencode", "-t", "ANSIUTF8", "-m", "2", text],
            capture_output=True,
            timeout=QR_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or not done.stdout:
        return None
    return done.stdout.decode("utf-8", "replace")


def show_qr(tag, server, *, out=print, qr=qr_code):
    drawn = qr(public_url(server, tag))
    if drawn is None:
        out(f"(No QR code: qrencode is missing. Install the package qrencode to see {tag}'s.)")
    else:
        out(drawn)


def _said(body, limit=300):
    """What an answer or a command's error output says, short; Réemploi's {"error": …}."""
    text = body.decode("utf-8", "replace").strip()
    with contextlib.suppress(ValueError, KeyError, TypeError):
        text = json.loads(text)["error"]
    return str(text)[:limit]


def print_label(tag, *, fetch, print_command, out=print):
    """Fetch the label PDF and pipe it to `print_command`; True when the command took it."""
    status, body = fetch(LABEL_PATH.format(tag=urllib.parse.quote(tag)))
    if status != 200 or not body.startswith(b"%PDF"):
        answer = f"HTTP {status}" if status else "no answer"
        out(f"The label of {tag} could not be fetched ({answer}): {_said(body)}")
        return False
    try:
        done = subprocess.run(
            shlex.split(print_command),
            input=body,
            capture_output=True,
            timeout=PRINT_TIMEOUT,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        out(f"The label of {tag} was not printed: `{print_command}` could not run ({error}).")
        return False
    if done.returncode != 0:
        out(
            f"The label of {tag} was not printed: `{print_command}` failed "
            f"(exit status {done.returncode}): {_said(done.stderr)}"
        )
        return False
    out(f"The label of {tag} was sent to the printer.")
    return True


def label_machine(tag, *, server, fetch, print_command=None, out=print, qr=qr_code):
    """After the report: the QR code of the tag on the console, then the label printed
    (with `print_command`) or left in Réemploi's queue of labels to print."""
    show_qr(tag, server, out=out, qr=qr)
    if not print_command:
        out("Its label waits in Réemploi's queue (page Labels, « Imprimer la file »).")
        return False
    return print_label(tag, fetch=fetch, print_command=print_command, out=out)
