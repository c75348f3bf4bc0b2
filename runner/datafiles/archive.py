"""Safe extraction of a downloaded tar archive into the dataset's folder.

tarfile's "data" filter (Python 3.11.4+, PEP 706) refuses members that would land outside the
target (`../x`, links pointing out), strips leading slashes from absolute names and drops
special files, so a hostile archive cannot write beyond the folder. Extraction goes into a
temporary folder beside the target and only the expected top folder is renamed into place, so
an interrupted run never leaves a half-extracted dataset behind.
"""
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from runner.errors import RunFailed


def extract(archive: Path, top: str, needs: tuple[str, ...]) -> Path:
    """Extract `archive`'s folder `top` beside it; it must hold every file in `needs`."""
    if not hasattr(tarfile, "data_filter"):  # PEP 706 came in 3.11.4 (and 3.10.12, 3.12)
        raise RunFailed(f"{archive}: extracting it safely needs Python 3.11.4 or newer; extract "
                        f"its {top}/ folder in {archive.parent}/ yourself, or upgrade Python")
    folder = archive.parent
    target = folder / top
    fix = f"delete {archive} and run again to download it afresh"
    try:
        scratch = Path(tempfile.mkdtemp(dir=folder, prefix=f".{top}.", suffix=".extracting"))
    except OSError as e:
        raise RunFailed(f"{archive}: cannot extract it in {folder}/ ({e.strerror}); extract "
                        f"{top}/ there yourself, or set data.root to a writable folder") from None
    try:
        try:
            with tarfile.open(archive, "r:*", errorlevel=1) as tar:
                tar.extractall(scratch, filter="data")
        except tarfile.FilterError as e:
            raise RunFailed(f"{archive}: refused to extract an unsafe member ({e}); {fix}") from None
        except (tarfile.TarError, EOFError, OSError) as e:
            raise RunFailed(f"{archive}: cannot be extracted ({e}); {fix}") from None
        missing = [name for name in needs if not (scratch / top / name).is_file()]
        if missing:
            raise RunFailed(f"{archive}: holds no {', '.join(f'{top}/{m}' for m in missing)}; {fix}")
        os.replace(scratch / top, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
