#!/usr/bin/env bash
# Register mixrouter-mcp with Claude Code (user scope). Replace the path and the key.
claude mcp add --scope user mixrouter \
  --env MIXROUTER_API_KEY=sk-your-mixrouter-key \
  -- /absolute/path/to/mixrouter-mcp/.venv/bin/mixrouter-mcp
