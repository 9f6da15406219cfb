"""The course's notebooks on disk: where they are, which they are, and what a name given on the command line means."""
from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["notebooks_dir", "list_notebooks", "find_notebook", "title"]


def notebooks_dir(explicit: str | None = None) -> Path | None:
    """Where the lesson notebooks are (see the module docstring for the order of the search)."""
    candidates = []
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get("LRLAB_NOTEBOOKS"):
        candidates.append(Path(os.environ["LRLAB_NOTEBOOKS"]).expanduser())
    candidates.append(Path(__file__).resolve().parents[1] / "notebooks")
    candidates.append(Path.cwd() / "notebooks")
    for c in candidates:
        if c.is_dir() and any(c.glob("*.ipynb")):
            return c.resolve()
    return None


def list_notebooks(folder: Path) -> list[Path]:
    """The lesson notebooks in ``folder``: ``NN_name.ipynb``, in order."""
    return sorted(p for p in folder.glob("*.ipynb") if re.match(r"\d\d_", p.name))


def title(nb: Path) -> str:
    """The notebook's first heading, for the listing ('' if none)."""
    import json
    try:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ""
    for c in cells:
        if c.get("cell_type") == "markdown":
            for line in "".join(c.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def find_notebook(name: str, notebooks: list[Path]) -> Path:
    """The notebook ``name`` means: its number ('2', '02'), its file name or stem, or a unique part of it."""
    key = name.strip().lower().removesuffix(".ipynb")
    if key.isdigit():
        hits = [p for p in notebooks if int(p.name[:2]) == int(key)]
    else:
        hits = [p for p in notebooks if p.stem.lower() == key]
        if not hits:
            hits = [p for p in notebooks if key.replace("-", "_").replace(" ", "_") in p.stem.lower()]
    if len(hits) == 1:
        return hits[0]
    listing = "\n".join(f"  {p.stem[:2]}  {p.stem}" for p in notebooks)
    if not hits:
        raise LookupError(f"no notebook matches {name!r}. The notebooks are:\n{listing}")
    raise LookupError(f"{name!r} matches {len(hits)} notebooks ({', '.join(p.stem for p in hits)}); "
                      f"be more specific. The notebooks are:\n{listing}")


_title = title
