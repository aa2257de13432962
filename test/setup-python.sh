#!/usr/bin/env bash
# `npm run setup:python`: the Python environment the interop tests use (.venv/, found by test/python.ts), built from
# Debian packages and the machine's local pip wheel index only (`--retries 0`: the public index is unreachable, and
# pip would wait on it before falling back to the local one).
#   - datasets, pyarrow, pillow: src/data/hf-interop.test.ts loads our EasyR1 / verl exports as those engines do.
#   - omegaconf 2.3.1 (--no-deps, over Debian's python3-omegaconf, PyYAML, jinja2 and antlr4 4.9): the upstream
#     loaders of the shared upstream/ folder (EasyR1's config dataclasses).
#   - transformers 4.57.6's sources (--no-deps: its huggingface-hub < 1.0 is not in the index, and nothing imports
#     it): test/upstream/check_llamafactory.py reads Seq2SeqTrainingArguments' fields from them.
# Debian's /usr/bin/python3 is used because the Debian packages above are installed for it. Idempotent: a venv that
# already imports everything is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
base=/usr/bin/python3
[ -x "$base" ] || base=python3
probe='import datasets, pyarrow, PIL, omegaconf, yaml, jinja2, importlib.util; assert importlib.util.find_spec("transformers")'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$probe" 2>/dev/null; then
  echo "setup:python: $venv is ready"
  exit 0
fi
rm -rf "$venv"
"$base" -m venv --system-site-packages "$venv"
"$venv/bin/pip" install --quiet --retries 0 datasets pyarrow pillow
"$venv/bin/pip" install --quiet --retries 0 --no-deps 'omegaconf==2.3.1' 'transformers==4.57.6'
"$venv/bin/python" -c "$probe"
echo "setup:python: $venv built ($("$venv/bin/python" -c 'import datasets, omegaconf; print("datasets", datasets.__version__, "omegaconf", omegaconf.__version__)'))"
