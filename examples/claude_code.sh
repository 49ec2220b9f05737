#!/usr/bin/env bash
# Register mixrouter-mcp with Claude Code. Replace the path and the key.
# stdio (Claude Code starts the server):
claude mcp add --scope user mixrouter \
  --env MIXROUTER_API_KEY=sk-your-mixrouter-key \
  -- /absolute/path/to/mixrouter-mcp/.venv/bin/mixrouter-mcp
# or a running streamable-HTTP server (mixrouter-mcp --http), with its bearer token when one is set:
# claude mcp add --transport http mixrouter http://127.0.0.1:8765/mcp --header "Authorization: Bearer $MIXROUTER_MCP_AUTH_TOKEN"
# Long reasoning calls: the server sends progress every 5 s, which resets Claude Code's idle timeout.
