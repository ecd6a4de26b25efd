#!/usr/bin/env bash
# Rebuilds the proforma's fonts: DejaVu Sans (regular and bold), subset to what a French
# or English commercial document needs, so that each embedded face weighs tens of KB
# instead of ~700 KB. The proforma embeds exactly these two files (`include_bytes!`).
#
# Needs: fonttools (`pip install fonttools==4.68.0`) and the original TTFs, by default
# from Debian's fonts-dejavu-core package (2.37); pass another directory as $1.
set -euo pipefail
src="${1:-/usr/share/fonts/truetype/dejavu}"
here="$(cd "$(dirname "$0")" && pwd)"

# Windows-1252's repertoire (Basic Latin, Latin-1 with its no-break space, Œ œ Š š Ž ž Ÿ
# ƒ ˆ ˜, typographic quotes and dashes, …, •, ‰, ‹ ›, €, ™), Latin Extended-A and the
# Romanian comma-below letters for EU customers' names, plus the narrow no-break and thin
# spaces used as French thousands separators, the minus sign and ≤ ≥.
unicodes="U+0020-007E,U+00A0-00FF,U+0100-017F,U+0192,U+0218-021B,U+02C6,U+02DC,\
U+2009,U+2013-2014,U+2018-201A,U+201C-201E,U+2020-2022,U+2026,U+202F,U+2030,\
U+2039-203A,U+20AC,U+2122,U+2212,U+2264-2265"

for face in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/$face.ttf" \
    --unicodes="$unicodes" \
    --layout-features='kern,liga' \
    --no-hinting \
    --name-IDs='*' --name-languages='*' \
    --notdef-outline \
    --output-file="$here/$face.subset.ttf"
done
ls -l "$here"/*.subset.ttf
