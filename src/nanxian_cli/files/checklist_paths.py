"""Where checklist files are: the *.yaml / *.yml files of a folder, and the symbolic links to files outside a
checklist folder that are refused, not followed."""

from __future__ import annotations

from pathlib import Path

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every symbolic link followed, is inside `folder` (its links followed too)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """A folder's checklist files (*.yaml / *.yml, sorted), and the ones refused because they are
    symbolic links to a file outside the folder."""
    found, outside = [], []
    # dot files are editor locks and macOS `._name.yaml` copies, not checklists
    for p in sorted(folder.iterdir()):
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and (p.is_file() or p.is_symlink()):
            if p.is_symlink() and not _inside(p, folder):
                outside.append(p)
            elif p.is_file():
                found.append(p)
    return found, outside


def _outside_message(path: Path, folder: Path) -> str:
    return tr(f"{path}：是指向检查表文件夹 {folder} 之外的符号链接，不读取（请把文件复制进文件夹）",
              f"{path}: a symbolic link to a file outside the checklist folder {folder}; not read (copy the file in)")


def checklist_files(paths: list[Path]) -> list[Path]:
    """Each path a file or a folder (its *.yaml / *.yml files, sorted; links to outside it are left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_folder_files(path)[0])
        elif path.exists():
            files.append(path)
        else:
            raise InputError(tr(f"{path}：文件或文件夹不存在", f"{path}: no such file or folder"))
    return files
