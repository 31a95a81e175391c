"""Masking secrets: environment variables, labels and arguments whose names look secret.

A name looks secret when one of its words (split on ``_ - . /`` and camelCase) is one of
``SECRET_WORDS`` (``PASSWORD``, ``TOKEN``, ``KEY`` …) or it contains one of ``SECRET_PARTS``
(``PASSWORD``, ``SECRET``, ``TOKEN``, ``APIKEY``, ``PRIVATE``, ``CREDENTIAL`` …). Values are
replaced by ``MASK`` whatever their length (the length is a hint too). Passwords written into
URLs (``scheme://user:password@host``) are masked in any value, whatever the name.

* :func:`mask_document` -- an inspect document (container, image, service, task, node …) with
  ``Env`` entries, ``Labels`` and ``--name=value`` arguments masked; a new object, the input
  is left alone.
* :func:`mask_text` -- free text (a log message): ``NAME=value``, ``NAME: value``,
  ``"NAME": "value"`` and ``'NAME': 'value'`` pairs and URL passwords masked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "********"

SECRET_WORDS = frozenset({
    "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS", "KEY", "KEYS",
    "APIKEY", "CREDENTIAL", "CREDENTIALS", "CREDS", "PRIVATE", "AUTH", "AUTHORIZATION", "COOKIE", "SALT", "BEARER", "JWT",
})
SECRET_PARTS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE", "CREDENTIAL", "ACCESSKEY", "ACCESS_KEY")
NOT_SECRET = frozenset({"PWD", "OLDPWD", "KEYBOARD", "PATH", "HOME", "HOSTNAME", "TERM"})
# a name ending in one of these names a reference to a secret, not the secret itself
# (PASSWORD_FILE=/run/secrets/db, SecretName, SecretID, TokenType)
REFERENCE_WORDS = frozenset({"NAME", "ID", "IDS", "FILE", "PATH", "DIR", "TYPE", "LENGTH", "SIZE", "URL", "ENDPOINT", "ALGORITHM"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)(?P<pw>[^\s@/]+)(?P<at>@)")


def is_secret_name(name: str) -> bool:
    """True when ``name`` (an env variable, label or option name) looks like it holds a secret."""
    if not isinstance(name, str) or not name:
        return False
    upper = name.upper()
    if upper in NOT_SECRET:
        return False
    seq = [w.upper() for w in _SPLIT.split(_CAMEL.sub("_", name)) if w]
    if not seq or seq[-1] in REFERENCE_WORDS or "PUBLIC" in seq:
        return False
    if set(seq) & SECRET_WORDS:
        return True
    squashed = _SPLIT.sub("_", upper)
    return any(part in squashed or part in upper.replace("_", "") for part in SECRET_PARTS)


def mask_url_passwords(value: str) -> str:
    """``postgres://user:pw@db/x`` -> ``postgres://user:********@db/x``."""
    if "@" not in value or "://" not in value:
        return value
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + m.group("at"), value)


def mask_value(name: str, value: Any) -> Any:
    """The value to show for ``name``: masked when the name looks secret (or a URL carries a password)."""
    if is_secret_name(name) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_url_passwords(value)
    return value


def mask_env_entry(entry: Any) -> Any:
    """One ``NAME=value`` entry of an ``Env`` list."""
    if not isinstance(entry, str):
        return entry
    name, eq, value = entry.partition("=")
    if not eq:
        return entry
    return f"{name}={mask_value(name, value)}"


def mask_arg(arg: Any) -> Any:
    """One command-line argument: ``--db-password=x`` masked, URLs with passwords masked."""
    if not isinstance(arg, str):
        return arg
    if arg.startswith("-") and "=" in arg:
        name, _, value = arg.partition("=")
        return f"{name}={mask_value(name.lstrip('-'), value)}"
    return mask_url_passwords(arg)


_ENV_KEYS = frozenset({"Env", "env"})
_LABEL_KEYS = frozenset({"Labels", "labels"})
_ARG_KEYS = frozenset({"Cmd", "Args", "Entrypoint", "Command", "Test"})


def mask_document(doc: Any, _key: str = "") -> Any:
    """A copy of an inspect document with every secret-looking value masked."""
    if isinstance(doc, Mapping):
        out = {}
        for k, v in doc.items():
            ks = str(k)
            if ks in _LABEL_KEYS and isinstance(v, Mapping):
                out[k] = {lk: mask_value(str(lk), lv) for lk, lv in v.items()}
            elif is_secret_name(ks) and ks not in _ARG_KEYS and ks not in _ENV_KEYS and _is_secret_value(v):
                out[k] = _mask_all(v)
            else:
                out[k] = mask_document(v, ks)
        return out
    if isinstance(doc, (list, tuple)):
        if _key in _ENV_KEYS:
            return [mask_env_entry(e) for e in doc]
        if _key in _ARG_KEYS:
            masked = [mask_arg(a) for a in doc]
            # `--password hunter2`: the argument after a secret-looking option
            for i in range(1, len(masked)):
                prev = masked[i - 1]
                if (isinstance(prev, str) and prev.startswith("-") and "=" not in prev and is_secret_name(prev.lstrip("-"))
                        and isinstance(masked[i], str) and not masked[i].startswith("-")):
                    masked[i] = MASK
            return masked
        return [mask_document(e, _key) for e in doc]
    if isinstance(doc, str):
        return mask_url_passwords(doc)
    return doc


def _is_secret_value(v: Any) -> bool:
    """Under a secret-looking key: a scalar, or a mapping of scalars (``JoinTokens``), is the
    secret; a list of objects (a service's ``Secrets`` references) is walked as usual."""
    if isinstance(v, Mapping):
        return all(not isinstance(x, (Mapping, list, tuple)) for x in v.values())
    return not isinstance(v, (list, tuple))


def _mask_all(v: Any) -> Any:
    """Everything under a secret-looking key (``JoinTokens: {Worker: …, Manager: …}``)."""
    if isinstance(v, Mapping):
        return {k: _mask_all(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_mask_all(x) for x in v]
    if isinstance(v, bool) or v is None or v == "" or v == 0:
        return v
    return MASK


# free text: NAME=value, NAME: value, "NAME": "value", 'NAME': 'value'
_NAME_SEP = re.compile(r"""(?P<q>["']?)(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)(?P=q)(?P<sep>\s*[=:]\s*)""")
_QUOTED = re.compile(r"""(?P<vq>["'])(?:\\.|(?!(?P=vq)).)*(?P=vq)""")
_BARE = re.compile(r"""[^\s,;'"}\]\)]+""")


def mask_text(text: str) -> str:
    """Free text with secret-looking ``name=value`` pairs and URL passwords masked.

    Every ``name=`` / ``name:`` is looked at, also inside the value of another pair
    (``failed: password=x``), so one pair cannot hide the next.
    """
    if not text:
        return text
    out: list[str] = []
    pos = 0
    while (m := _NAME_SEP.search(text, pos)) is not None:
        if not is_secret_name(m.group("name")):
            out.append(text[pos:m.end("sep")])
            pos = m.end("sep")
            continue
        out.append(text[pos:m.end("sep")])
        v = _QUOTED.match(text, m.end("sep")) or _BARE.match(text, m.end("sep"))
        if v is None:
            pos = m.end("sep")
            continue
        quote = v.group("vq") if v.re is _QUOTED else ""
        out.append(f"{quote}{MASK}{quote}")
        pos = v.end()
    out.append(text[pos:])
    return mask_url_passwords("".join(out))
