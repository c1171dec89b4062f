#!/usr/bin/env bash
# The whole test suite, on a fresh machine too (Debian 12, .NET 10 SDK, as root): installs the Debian packages the
# tests need (listed in .ci/system-packages), then runs `dotnet test ConvMixer.sln -c Release`. Arguments are passed
# on to dotnet test (CI passes --no-build after its own build).
set -euo pipefail
cd "$(dirname "$0")"
bash .ci/install-system-packages
exec dotnet test ConvMixer.sln -c Release "$@"
