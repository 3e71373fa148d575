"""MCP tool servers (the official `mcp` SDK): the only importer of `mcp`. `client` lists and
calls tools over stdio or streamable HTTP, with time limits and readable errors."""
