"""`tallykit ledger verify`: everything recomputed from the store — the audit chain, every entry against it, each
sealed 公示 against its signature and against the entries, each imported meeting's bundle where it still is."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from archive.bundle import ArchiveError, sealed_results
from ledger.points import summary
from ledger.sheets import notice_document
from ledger.store import Ledger


@dataclass
class Verified:
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    bundles: int = 0  # imported bundles found where they were and re-verified


def verify(directory: Path) -> Verified:
    out = Verified()
    with Ledger.open(directory) as ledger:
        problem = ledger.check_chain()
        if problem:
            out.problems.append(problem)
        scheme, entries, keys = ledger.scheme(), ledger.entries(), ledger.keys()
        out.entries = len(entries)
        for p in ledger.periods():
            try:
                keys.public_key.verify(bytes.fromhex(p["signature"]), p["digest"].encode("ascii"))
            except Exception:  # cryptography's InvalidSignature, or a damaged hex string
                out.problems.append(f"{p['period']}: the signature does not match its 公示")
            if hashlib.sha256(p["document"].encode("utf-8")).hexdigest() != p["digest"]:
                out.problems.append(f"{p['period']}: its 公示 document is not the one signed")
            again = notice_document(scheme, summary(scheme, entries, p["through"]), p["period"],
                                    dt.date.fromisoformat(p["notice_from"]), dt.date.fromisoformat(p["notice_to"]))
            if again != p["document"]:
                out.problems.append(f"{p['period']}: recomputed from the entries, the standings differ from the "
                                    "sealed 公示")
        imports = ledger.imports()
    for imp in imports:
        if imp["conversion"] == "sheet" or not Path(imp["bundle"]).exists():
            continue
        try:
            found = sealed_results(Path(imp["bundle"]))
        except ArchiveError as exc:
            out.problems.append(str(exc))
            continue
        out.bundles += 1
        if found.digest != imp["digest"]:
            out.problems.append(f"{imp['bundle']}: its results are {found.digest[:16]}…, not the "
                                f"{imp['digest'][:16]}… imported")
    return out
