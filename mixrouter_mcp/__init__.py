"""mixrouter-mcp: an MCP server that delegates sub-queries to any model behind mixrouter."""

__version__ = "0.1.0"
