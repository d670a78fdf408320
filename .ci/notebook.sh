#!/usr/bin/env bash
# CI step: execute examples/qaic-tour.ipynb headless with the tslab kernel and Debian's Jupyter, and fail when any
# cell fails (its cells also throw on wrong results). Called by .ci/extra. Needs a built dist/ (npm test builds it).
#
# It runs as a newcomer runs it, with nothing linked for the occasion: the notebook imports the library as `qaic`, which
# resolves through the committed examples/node_modules/qaic/package.json (for tslab's type-checking) and the package's
# self-reference (at run time). Jupyter state goes to a temp folder, nothing into $HOME.
set -uo pipefail
cd "$(dirname "$0")/.."

# Debian's Python has Jupyter; the python3 first on PATH may be another one (pyenv) without it.
missing=()
for pkg in jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== notebook: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "notebook: apt-get install ${missing[*]} failed"; exit 1; }
fi

# npm run build uses the pinned TypeScript (node_modules/.bin/tsc can be tslab's bundled 5.0).
[ -f dist/lib/index.js ] && [ -f dist/examples/support.js ] || npm run build >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export JUPYTER_PATH="$work/prefix/share/jupyter" JUPYTER_DATA_DIR="$work/data" JUPYTER_RUNTIME_DIR="$work/runtime" \
  JUPYTER_CONFIG_DIR="$work/config" IPYTHONDIR="$work/ipython" PYDEVD_DISABLE_FILE_VALIDATION=1
npx tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$work/prefix" >/dev/null \
  || { echo "notebook: registering the tslab kernel failed"; exit 1; }

echo "== notebook: executing examples/qaic-tour.ipynb (tslab kernel)"
start=$(date +%s)
(cd examples && /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
  --ExecutePreprocessor.kernel_name=tslab --output "$work/qaic-tour.out.ipynb" qaic-tour.ipynb) >"$work/nbconvert.log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  tail -n 25 "$work/nbconvert.log"
  # nbconvert names the failing cell but not tslab's message (the kernel writes it to the cell's stderr): run again
  # keeping errors, to print what each cell wrote to stderr.
  (cd examples && /usr/bin/jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout=300 \
    --ExecutePreprocessor.kernel_name=tslab --output "$work/qaic-tour.err.ipynb" qaic-tour.ipynb) >/dev/null 2>&1
  /usr/bin/python3 - "$work/qaic-tour.err.ipynb" <<'PY'
import json, sys
try:
    nb = json.load(open(sys.argv[1]))
except OSError:
    sys.exit(0)
for c in nb["cells"]:
    for o in c.get("outputs", []):
        if o["output_type"] == "stream" and o["name"] == "stderr":
            print(f"--- stderr of cell '{c['id']}':")
            print("".join(o["text"]).rstrip())
        elif o["output_type"] == "error":
            print(f"--- error in cell '{c['id']}': {o.get('ename')}: {o.get('evalue')}")
PY
  echo "notebook: FAILED (nbconvert exit $status)"
  exit 1
fi
/usr/bin/python3 - "$work/qaic-tour.out.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
rich = sum(1 for c in code for o in c["outputs"] if o["output_type"] == "display_data")
for c in code:
    for o in c["outputs"]:
        if o["output_type"] == "stream":
            for line in "".join(o["text"]).splitlines():
                if line.startswith("ok - "):
                    print(f"   [{c['id']}] {line}")
print(f"== notebook: {len(code)} code cells executed, {rich} rich outputs (tables and charts)")
PY
echo "== notebook: passed in $(( $(date +%s) - start )) s"
