"""The toolchain and the pre-warmed dependency crates every compile links against."""

from sigil_eval.cargo_cache.toolchain import Toolchain, resolve_toolchain
from sigil_eval.cargo_cache.warm import WarmCache, default_cache_root, warm

__all__ = ["Toolchain", "WarmCache", "default_cache_root", "resolve_toolchain", "warm"]
