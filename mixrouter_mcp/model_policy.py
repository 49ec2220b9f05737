"""Which models this server may call: `MIXROUTER_MODELS_ALLOW` and `MIXROUTER_MODELS_DENY`, comma-separated globs
over model ids (`claude-*`, `gpt-5*`, `doubao-*`), matched without regard to case. An operator's rule, not a
calling model's choice: a model refused here is never sent a byte, whichever tool, fallback or judge names it."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

ALLOW_ENV, DENY_ENV = "MIXROUTER_MODELS_ALLOW", "MIXROUTER_MODELS_DENY"


def parse_globs(value: str) -> tuple[str, ...]:
    """`'claude-*, gpt-5'` → ('claude-*', 'gpt-5'), lower-cased; empty entries are dropped."""
    return tuple(glob.strip().lower() for glob in value.split(",") if glob.strip())


@dataclass(frozen=True)
class ModelPolicy:
    """Deny wins over allow; an empty allow list allows every model not denied."""

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    @classmethod
    def of(cls, allow: str, deny: str) -> ModelPolicy:
        return cls(parse_globs(allow), parse_globs(deny))

    @property
    def active(self) -> bool:
        return bool(self.allow or self.deny)

    def allows(self, model: str) -> bool:
        return self.refusal(model) is None

    def refusal(self, model: str) -> str | None:
        """Why `model` may not be called here, or None when it may."""
        name = model.lower()
        denied = next((glob for glob in self.deny if fnmatchcase(name, glob)), None)
        if denied is not None:
            return f"model '{model}' is refused by this server's model policy ({DENY_ENV} has '{denied}')"
        if self.allow and not any(fnmatchcase(name, glob) for glob in self.allow):
            allowed = ",".join(self.allow)
            return f"model '{model}' is not allowed by this server's model policy ({ALLOW_ENV}={allowed})"
        return None

    def describe(self) -> str:
        """The rules in force, as they are set: `MIXROUTER_MODELS_ALLOW=...; MIXROUTER_MODELS_DENY=...`."""
        rules = ((ALLOW_ENV, self.allow), (DENY_ENV, self.deny))
        return "; ".join(f"{name}={','.join(globs)}" for name, globs in rules if globs)
