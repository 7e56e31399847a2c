"""Password policy: length, no control characters, not a common or trivially guessable one."""

from __future__ import annotations

import unicodedata

from kaigai.core.errors import InputError

MIN_LENGTH = 10
MAX_LENGTH = 1024
# Bases of the most common passwords (leaked-password top lists), compared after removing
# case, digits and symbols at the ends: "Password123!" -> "password".
COMMON_WORDS = frozenset(
    [
        "password",
        "passw0rd",
        "passwort",
        "motdepasse",
        "qwerty",
        "qwertz",
        "azerty",
        "qwertyuiop",
        "asdfghjkl",
        "asdfgh",
        "zxcvbnm",
        "letmein",
        "welcome",
        "admin",
        "administrator",
        "iloveyou",
        "monkey",
        "dragon",
        "master",
        "shadow",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "soccer",
        "superman",
        "batman",
        "trustno",
        "princess",
        "starwars",
        "whatever",
        "freedom",
        "secret",
        "changeme",
        "default",
        "login",
        "access",
        "hello",
        "charlie",
        "michael",
        "jennifer",
        "computer",
        "internet",
        "abc",
        "abcdef",
        "abcdefg",
        "abcdefgh",
        "abcdefghij",
        "kaigai",
        "export",
        "japan",
        "tokyo",
        "osaka",
        "nippon",
        "sakura",
        "doraemon",
        "pikachu",
    ]
)
SEQUENCES = ("0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
             "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "1q2w3e4r5t6y", "qazwsxedc")  # fmt: skip


def check_password(password: str, email: str = "") -> None:
    """Raise InputError (message starts with "Password") if ``password`` is not acceptable."""
    if len(password) < MIN_LENGTH:
        raise InputError("Password too short.", hint=f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise InputError("Password too long.", hint=f"Use at most {MAX_LENGTH} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in password):
        raise InputError(
            "Password contains control characters (such as NUL).",
            hint="Use letters, digits, spaces and punctuation.",
        )
    if not password.strip():
        raise InputError("Password is only spaces.", hint="Use a phrase of several words.")
    low = password.lower()
    if len(set(low)) < 4:
        raise InputError(
            "Password is too easy to guess (too few different characters).",
            hint="Use a phrase of several words.",
        )
    core = low.strip("0123456789!@#$%^&*()_+-=.,?~ ")
    local = email.split("@")[0].lower() if email else ""
    if (
        core in COMMON_WORDS
        or not core
        or any(low in seq or core in seq and len(core) >= 4 for seq in SEQUENCES)
        or (len(local) >= 4 and local in low and len(low) - len(local) < 6)
    ):
        raise InputError(
            "Password is too common or too easy to guess.",
            hint="Use a phrase of several unrelated words, e.g. 'kettle rain orbit 42'.",
        )


__all__ = ["MAX_LENGTH", "MIN_LENGTH", "check_password"]
