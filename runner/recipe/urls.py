"""The forms an address and a checksum take in a recipe (data.url, data.mirror, data.sha256) and
on the command line (runner download --url, --mirror, --sha256)."""

import re

_HOST = r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]+)?"  # a name or an IPv6 literal, and a port
ARCHIVE_URL = re.compile(rf"https?://{_HOST}/[!-~]*")  # printable ASCII: non-ASCII is %-encoded
MIRROR_URL = re.compile(rf"https?://{_HOST}(/[!-~]*)?")
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
