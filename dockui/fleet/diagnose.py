"""Why an ssh engine cannot be reached, in ssh's own words.

The ssh transport runs ``ssh -o BatchMode=yes HOST docker system dial-stdio``; when ssh gives up
(the host asks for a password, an unknown host key) the engine client only sees a closed socket.
For an ssh engine of the fleet that does not answer, ``ssh_reason`` runs ``ssh ... true`` once the
same way and turns its last line of stderr into the engine's message."""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

from ..ansi import one_line
from ..engine.transport import Endpoint


def ssh_reason(ep: Endpoint, timeout: float = 15.0) -> str:
    """What is wrong with reaching ``ep`` over ssh, or "" when ssh itself gets through."""
    parts = urlsplit(ep.url)
    cmd = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", *ep.ssh_options]
    if parts.port:
        cmd += ["-p", str(parts.port)]
    if parts.username:
        cmd += ["-l", parts.username]
    cmd += ["--", parts.hostname or "localhost", "true"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                           start_new_session=True)
    except subprocess.TimeoutExpired:
        return f"ssh: no answer within {timeout:g} s"
    except OSError as exc:
        return f"cannot run ssh: {exc}"
    if r.returncode == 0:
        return ""
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip() and not ln.startswith("Warning: Permanently added")]
    err = one_line(lines[-1] if lines else f"ssh exited with {r.returncode}", 120).rstrip(".")
    if "Permission denied" in err:
        return (f"ssh: {err}: the host asks for a password (or a key ssh does not have) and there is no "
                "terminal to ask on (BatchMode); load the key into ssh-agent or ssh-copy-id it")
    if "Host key verification failed" in err:
        return f"ssh: {err}: connect once with ssh to check and accept the host's key"
    return f"ssh: {err}"
