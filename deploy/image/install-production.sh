#!/bin/sh
# Final stage of the images: installs the production dependencies of one workspace package, exactly as
# package-lock.json pins them, in a folder prepared by stage-production.mjs (the current directory).
# No devDependencies, no install scripts, no npm cache left behind.
#
# Usage (in the staged folder): sh deploy/image/install-production.sh <workspace>
set -eu
workspace="$1"
npm ci --omit=dev --workspace "$workspace" --ignore-scripts --no-audit --no-fund --loglevel=warn
npm cache clean --force --loglevel=error
