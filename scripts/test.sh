#!/usr/bin/env bash
# The ONE test command (README, .ci/run): installs what the tests need when missing, builds, runs every
# test project, and ends with one line "N passed, N failed" (totals over all test projects).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scripts/setup.sh test || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build PhysarumSM.sln -c Release -nologo -v:q; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

passed=0; failed=0; status=0; failures=()
for project in tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || status=1
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    # Why: CI keeps only the tail of the output, so failed test names are repeated just above the totals.
    while IFS= read -r t; do failures+=("$name: $t"); done < <(
      grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/\1/p')
  else
    echo "$name produced no results (test host crashed?)"; failed=$((failed + 1))
  fi
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "${#failures[@]}" -gt 0 ]; then
  echo "== failed tests"; printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
