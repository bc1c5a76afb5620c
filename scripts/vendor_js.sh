#!/usr/bin/env bash
# Vendor the web app's front-end libraries (ECharts, htmx, Swagger UI for /docs) from the npm registry (pinned by package-lock.json) into
# src/tandem/web/static/vendor/ (plus a CJK web-font subset), so the app serves them itself and works offline (no CDN at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/tandem/web/static/vendor
python=${PYTHON:-.venv/bin/python}
if [[ ! -f "$dest/tandem-cjk.woff" ]]; then
  mkdir -p "$dest"
  "$python" scripts/subset_cjk_font.py "$dest/tandem-cjk.woff.tmp" && mv "$dest/tandem-cjk.woff.tmp" "$dest/tandem-cjk.woff" \
    || echo "vendor_js: font subset failed; the app will serve the full 16 MB font from mplfonts instead" >&2
fi
if [[ -f "$dest/echarts.min.js" && -f "$dest/htmx.min.js" && -f "$dest/swagger-ui-bundle.js" && "$dest/echarts.min.js" -nt package-lock.json ]]; then
  echo "vendor_js: $dest is up to date"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "vendor_js: npm is missing; install Node.js/npm (apt-get install -y npm) and re-run" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$dest"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$dest/"
echo "vendor_js: copied echarts, htmx and swagger-ui into $dest"
